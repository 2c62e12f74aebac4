"""Chinese search over the regulations library and the 12366 knowledge base (ADR 0022). Pure.

A :class:`Document` is what is searched: a provision in force (``kind="provision"``, id
``<work id>#<provision key>``) or a current article (``kind="article"``, its id), with facets
to filter on. :class:`SearchIndex` holds the documents, their terms (:mod:`.text`: normalised,
segmented with the tax dictionary, synonyms made canonical) in a BM25 inverted index
(:mod:`.bm25`), and answers a query with :class:`Hit` s: the best ``k`` documents of a kind
whose facets pass the filters, each with its score and short snippets of its text where the
query's terms (in any of their synonyms' forms) are marked ``<em>…</em>`` (the rest of the
snippet HTML-escaped, so a page may show it as it is).

Facets are strings; one holding several values (a work's issuers, an article's taxpayer types)
lists them separated by ``;`` and a filter matches any of them. The filters a search takes are
the facets' names in :data:`FILTERS`, and ``from`` / ``to``: the document's ``date`` facet (a
work's issue date, an article's first day) on or after / on or before a day.

The index is stored as an artefact (:mod:`.artefact`: bytes with a format version and the
corpus digest) built once per publication and loaded by the search function.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from etax.errors import Invalid
from etax.knowledge.articles import TOPICS, Article
from etax.knowledge.bm25 import Bm25
from etax.knowledge.text import fold, lexicon, terms
from etax.platform.snippets import snippets
from etax.regulations.model import Work, read

__all__ = ["FILTERS", "KINDS", "Document", "Hit", "SearchIndex", "documents_of", "terms"]

KINDS: Final = ("article", "provision")
MULTI: Final = ";"
FILTERS: Final = {
    "provision": ("type", "status", "issuer", "from", "to"),
    "article": ("topic", "taxpayer_type", "from", "to"),
}
SNIPPET: Final = 60  # characters of text around the first match of a snippet
LEAD: Final = 12  # characters before it
SNIPPETS: Final = 2


@dataclass(frozen=True, slots=True)
class Document:
    id: str
    kind: str  # "article" | "provision"
    title: str
    text: str
    facets: Mapping[str, str] = field(default_factory=dict)
    keywords: str = ""  # searched but not shown: a work's number, an article's other questions

    def searched(self) -> str:
        """The text indexed: the title counts twice (a question's own words, a work's title
        weigh more than a passing mention), then the keywords and the text."""
        return f"{self.title}\n{self.title}\n{self.keywords}\n{self.text}"


@dataclass(frozen=True, slots=True)
class Hit:
    id: str
    kind: str
    score: float
    title: str
    highlights: tuple[str, ...]
    facets: Mapping[str, str] = field(default_factory=dict)


def _marks(text: str, wanted: Sequence[str]) -> list[tuple[int, int]]:
    """Where the ``wanted`` forms occur in ``text`` (folded), longest first, not overlapping."""
    folded = fold(text)
    taken = [False] * len(text)
    spans: list[tuple[int, int]] = []
    for form in sorted(set(wanted), key=len, reverse=True):
        start = folded.find(form)
        while start >= 0:
            end = start + len(form)
            if not any(taken[start:end]):
                spans.append((start, end))
                for i in range(start, end):
                    taken[i] = True
            start = folded.find(form, end)
    return sorted(spans)


def highlights(text: str, query_terms: Iterable[str], *, count: int = SNIPPETS) -> tuple[str, ...]:
    """Up to ``count`` snippets of ``text`` with the query's terms (any synonym's form) marked;
    the text's beginning when nothing matches."""
    lex = lexicon()
    wanted = [form for term in set(query_terms) for form in lex.forms(term) if form]
    return tuple(snippets(text, _marks(text, wanted), count, width=SNIPPET, lead=LEAD))


def _passes(facets: Mapping[str, str], filters: Mapping[str, str]) -> bool:
    for name, wanted in filters.items():
        if name == "from":
            if facets.get("date", "") < wanted:
                return False
        elif name == "to":
            if not facets.get("date") or facets["date"] > wanted:
                return False
        elif wanted not in facets.get(name, "").split(MULTI):
            return False
    return True


class SearchIndex:
    """The searchable documents and their BM25 index."""

    def __init__(self, documents: Sequence[Document], ranking: Bm25, digest: str) -> None:
        self.documents = tuple(documents)
        self.ranking = ranking
        self.digest = digest
        self._values: dict[tuple[str, str | None], frozenset[str]] = {}

    @classmethod
    def build(cls, documents: Iterable[Document]) -> SearchIndex:
        from etax.knowledge.artefact import corpus_digest

        docs = sorted(documents, key=lambda d: (d.kind, d.id))
        ids = [d.id for d in docs]
        if len(set(ids)) != len(ids):
            raise Invalid("two documents share an id", field="id")
        unknown = {d.kind for d in docs} - set(KINDS)
        if unknown:
            raise Invalid(f"unknown document kind {sorted(unknown)[0]}", field="kind")
        return cls(docs, Bm25.build([terms(d.searched()) for d in docs]), corpus_digest(docs))

    def to_bytes(self) -> bytes:
        from etax.knowledge.artefact import dump

        return dump(self)

    @classmethod
    def from_bytes(cls, data: bytes) -> SearchIndex:
        from etax.knowledge.artefact import load

        documents, ranking, digest = load(data)
        return cls(documents, ranking, digest)

    def __len__(self) -> int:
        return len(self.documents)

    def values(self, facet: str, kind: str | None = None) -> frozenset[str]:
        """Every value the documents (of ``kind``) have for ``facet`` (worked out once)."""
        key = (facet, kind)
        if key not in self._values:
            self._values[key] = frozenset(
                v for d in self.documents if kind is None or d.kind == kind
                for v in d.facets.get(facet, "").split(MULTI) if v)
        return self._values[key]

    def search(self, query: str, *, kind: str | None = None, k: int = 10,
               filters: Mapping[str, str] | None = None) -> list[Hit]:
        """The best ``k`` documents (of ``kind``, passing ``filters``) for ``query``, best
        first (ties by id); none when no term of the query is in any document."""
        if kind is not None and kind not in KINDS:
            raise Invalid(f"kind is one of {', '.join(KINDS)}", field="kind")
        if k < 1:
            raise Invalid("k is at least 1", field="k")
        wanted = {name: value for name, value in (filters or {}).items() if value is not None}
        allowed = set(FILTERS[kind]) if kind else {n for names in FILTERS.values() for n in names}
        for name in wanted:
            if name not in allowed:
                raise Invalid(f"no filter {name} here: {', '.join(sorted(allowed))}", field=name)
        query_terms = terms(query)
        scored = self.ranking.scores(query_terms)
        candidates = ((score, number) for number, score in scored.items()
                      if (kind is None or self.documents[number].kind == kind)
                      and _passes(self.documents[number].facets, wanted))
        best = heapq.nsmallest(k, candidates, key=lambda c: (-c[0], self.documents[c[1]].id))
        return [self._hit(self.documents[number], score, query_terms) for score, number in best]

    @staticmethod
    def _hit(document: Document, score: float, query_terms: Sequence[str]) -> Hit:
        return Hit(document.id, document.kind, round(score, 6), document.title,
                   highlights(document.text, query_terms), dict(document.facets))


def provision_documents(works: Iterable[Work], day: date) -> list[Document]:
    """Each provision in force on ``day`` of each work, with the work's facets that day."""
    documents = []
    for work in works:
        reading = read(work, day)
        if reading.version is None:
            continue
        facets = {"type": work.kind, "status": reading.status,
                  "issuer": MULTI.join(work.issuers), "date": work.issued.isoformat(),
                  "work_id": work.id, "document_number": work.document_number}
        for p in reading.provisions:
            documents.append(Document(
                f"{work.id}#{p.key}", "provision", f"{work.title} {p.label}", p.text,
                {**facets, "provision": p.key, "label": p.label},
                f"{work.document_number} {' '.join(work.issuers)}"))
    return documents


def article_documents(articles: Iterable[Article], day: date) -> list[Document]:
    """Each article current on ``day``."""
    return [Document(
        a.id, "article", a.question, a.answer,
        {"topic": a.topic, "taxpayer_type": MULTI.join(a.taxpayer_types),
         "date": a.valid_from.isoformat()},
        " ".join((*a.also_asked, *a.tags, TOPICS.get(a.topic, ""))))
        for a in articles if a.current_on(day)]


def documents_of(works: Iterable[Work], articles: Iterable[Article], day: date
                 ) -> list[Document]:
    """The searchable corpus on ``day``: provisions in force and current articles."""
    return provision_documents(works, day) + article_documents(articles, day)
