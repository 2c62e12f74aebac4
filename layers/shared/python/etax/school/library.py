"""Searching the tax school's digital library (数字图书馆). Pure: no AWS.

A :class:`Shelf` holds the published documents of one revision of the library (each publication
makes a new one) and their BM25 index (:class:`etax.knowledge.bm25.Bm25`, the knowledge base's
ranking) over light terms: Chinese runs cut into overlapping two-character terms, Latin words
and numbers whole, a few colloquial tax terms written out
(:func:`etax.crowd.similarity.simple_terms`). No dictionary is loaded, so building the shelf of
a few thousand documents takes milliseconds and the library's function starts fast; the
knowledge base keeps the full segmentation for its larger corpus.

What is searched: the title (twice: it weighs more), the tags and the summary. A search answers
the documents passing the filters (``category``, ``tag``), best first (ties: the latest
published first), each with snippets of its summary where the query's terms are marked
``<em>…</em>`` (the rest HTML-escaped). Without a query the filters list the latest first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from etax.crowd.similarity import simple_terms
from etax.knowledge.bm25 import Bm25
from etax.platform.snippets import snippets

SNIPPETS: Final = 2


def searched(document: Mapping[str, Any]) -> str:
    return "\n".join([document["title"], document["title"], " ".join(document.get("tags", [])),
                      document["summary"]])


def _folded(text: str) -> str:
    """``text`` folded a character at a time (NFKC, lower case) so that positions still match
    the original."""
    out = []
    for char in text:
        folded = unicodedata.normalize("NFKC", char).lower()
        out.append(folded if len(folded) == 1 else char)
    return "".join(out)


def highlights(text: str, query_terms: Sequence[str], count: int = SNIPPETS) -> list[str]:
    """Up to ``count`` snippets of ``text`` with the query's terms marked; its beginning when
    none is in it."""
    folded = _folded(text)
    marked = [False] * len(text)
    for term in set(query_terms):
        start = folded.find(term)
        while start >= 0:
            for i in range(start, start + len(term)):
                marked[i] = True
            start = folded.find(term, start + 1)
    spans: list[tuple[int, int]] = []
    for i, on in enumerate(marked):
        if on and spans and spans[-1][1] == i:
            spans[-1] = (spans[-1][0], i + 1)
        elif on:
            spans.append((i, i + 1))
    return snippets(text, spans, count)


@dataclass(frozen=True, slots=True)
class Found:
    document: Mapping[str, Any]
    score: float | None
    highlights: list[str]


@dataclass(frozen=True)
class Shelf:
    """The library's published documents at ``revision``, latest published first, and their
    index."""

    revision: str
    documents: tuple[Mapping[str, Any], ...]
    ranking: Bm25

    @classmethod
    def build(cls, revision: str, documents: Sequence[Mapping[str, Any]]) -> Shelf:
        ordered = tuple(sorted(documents, key=lambda d: (d["published_at"], d["id"]),
                               reverse=True))
        return cls(revision, ordered, Bm25.build([simple_terms(searched(d)) for d in ordered]))

    def search(self, query: str | None, *, category: str | None = None,
               tag: str | None = None, limit: int = 20) -> tuple[list[Found], int]:
        """The best ``limit`` documents for ``query`` passing the filters, and how many
        passed."""

        def passes(document: Mapping[str, Any]) -> bool:
            return ((category is None or document["category"] == category)
                    and (tag is None or tag in document.get("tags", [])))

        if not query:
            chosen = [d for d in self.documents if passes(d)]
            return [Found(d, None, highlights(d["summary"], [])) for d in chosen[:limit]], \
                len(chosen)
        terms = simple_terms(query)
        scored = [(score, number) for number, score in self.ranking.scores(terms).items()
                  if passes(self.documents[number])]
        scored.sort(key=lambda pair: (-pair[0], pair[1]))  # ties: the latest published first
        return [Found(self.documents[n], round(score, 6),
                      highlights(self.documents[n]["summary"], terms))
                for score, n in scored[:limit]], len(scored)
