"""The consultation's own retrieval, pure: BM25 indexes over the articles — their question
forms and tags (what askers' questions resemble most), or their whole text — and the fusion of
several rankings.

A question reaches its article by the words it shares with the article; a typo, a colloquial
or traditional form shares characters rather than words, so these indexes count Chinese
characters and character pairs besides the words of the segmentation (:func:`mixed_terms`).
The consultation fuses their rankings with the search kit's: each ranking's scores relative to
its best, weighed, summed (:class:`Fused`; the weights are :mod:`.retrieval`'s).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from etax.consult.compose import Hit, Retriever, simple_terms
from etax.consult.guard import normalize
from etax.knowledge.articles import Article
from etax.knowledge.text import sound

K1: Final = 1.5
B: Final = 0.75
DEPTH: Final = 20  # hits of each ranking fused
_HAN: Final = re.compile(r"[\u4e00-\u9fff]+")
_PAIR: Final = re.compile(r"[\u4e00-\u9fff]{2}")


def mixed_terms(words: Callable[[str], Sequence[str]] | None = None,
                content: Callable[[str], str] | None = None
                ) -> Callable[[str], tuple[str, ...]]:
    """Terms of a text: the words of ``words`` (the search kit's segmentation), then Latin
    words, Chinese character pairs and single characters of the normalized text — or of what
    ``content`` keeps of it (the search kit's: its stop words left out, so the chatty parts of
    a question add no pairs). A text's terms are kept for the next time it is asked (the
    indexes built over the same question forms, a question read by several rankings)."""

    @lru_cache(maxsize=4096)
    def terms(text: str) -> tuple[str, ...]:
        folded = content(text) if content is not None else normalize(text)
        found = list(words(text)) if words is not None else []
        found += simple_terms(folded)
        found += [ch for run in _HAN.findall(folded) for ch in run]
        return tuple(found)

    return terms


@dataclass(frozen=True, slots=True)
class LocalHit:
    id: str
    score: float


class LocalIndex:
    """BM25 over each article's question forms and tags; with ``answers``, over its whole text
    (the question forms twice, the answer, the tags), as the search kit's index reads it; with
    ``asked`` (by article id: :mod:`.asked`), the questions asked of it besides.

    Each pair of Chinese characters is also indexed by its sound (toneless pinyin, not counted
    in the article's length); a question's pair that no article holds is looked up by its
    sound too, so a wrong character of the same sound (推税, 征其, 到仗) still meets its pair."""

    def __init__(self, articles: Iterable[Article],
                 terms: Callable[[str], Sequence[str]] | None = None, *,
                 answers: bool = False, asked: Mapping[str, Sequence[str]] | None = None
                 ) -> None:
        self.terms: Callable[[str], Sequence[str]] = terms or mixed_terms()
        self.docs: list[tuple[str, Counter[str], int]] = []
        for a in articles:
            parts = (*a.questions, *a.questions, a.answer, *a.tags) if answers \
                else (*a.questions, *a.tags)
            parts += tuple((asked or {}).get(a.id, ()))
            # part by part (no term spans two parts): the same text's terms read once
            counts = Counter(term for part in parts for term in self.terms(part))
            length = sum(counts.values())
            counts.update(_sounds(counts.elements()))
            self.docs.append((a.id, counts, length))
        self.average = sum(n for *_, n in self.docs) / max(1, len(self.docs))
        frequency: Counter[str] = Counter()
        for _, counts, _ in self.docs:
            frequency.update(counts.keys())
        total = len(self.docs)
        self.idf = {t: math.log(1 + (total - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}

    def search(self, query: str, k: int) -> list[LocalHit]:
        wanted = set(self.terms(query))
        # a pair no article holds may be a misspelling of one that sounds the same
        wanted.update(_sounds(t for t in wanted if t not in self.idf))
        scored = []
        for doc_id, counts, length in self.docs:
            score = 0.0
            for term in wanted:
                tf = counts.get(term, 0)
                if tf:
                    score += self.idf[term] * tf * (K1 + 1) / (
                        tf + K1 * (1 - B + B * length / self.average))
            if score > 0:
                scored.append(LocalHit(doc_id, round(score, 6)))
        scored.sort(key=lambda h: (-h.score, h.id))
        return scored[:k]


def _sounds(terms: Iterable[str]) -> list[str]:
    """The sound of each pair of Chinese characters among ``terms`` (:func:`sound`)."""
    return [s for t in terms if _PAIR.fullmatch(t) and (s := sound(t)) is not None]


class Fused:
    """Several rankings as one: each hit's score relative to its ranking's best, weighed by the
    ranking's weight, summed (a document found by several rankings gains from each); with
    weights summing to 1, scores in [0, 1]."""

    def __init__(self, *rankings: tuple[Retriever, float]) -> None:
        self.rankings = rankings

    def search(self, query: str, k: int) -> list[LocalHit]:
        fused: dict[str, float] = {}
        for retriever, weight in self.rankings:
            ranked: Sequence[Hit] = retriever.search(query, DEPTH)
            if not ranked or ranked[0].score <= 0:
                continue
            best = ranked[0].score
            for hit in ranked:
                fused[hit.id] = fused.get(hit.id, 0.0) + weight * hit.score / best
        ordered = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
        return [LocalHit(doc_id, round(score, 6)) for doc_id, score in ordered]
