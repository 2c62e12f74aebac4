"""The retrievers the consultation answers from: the search kit's index — the artefact the
search function loads (:class:`etax.knowledge.indexing.IndexCache`), or one built here — fused
with the question index of :mod:`.local_index`, both over the articles current on the day.

The artefact leaves out the articles flagged for review (its builder's seam,
:func:`etax.knowledge.indexing.current_articles`): a hit of the question index that the
artefact does not hold is not served. While no artefact is built yet the question index
answers alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date

from etax.consult.compose import Composer, Hit
from etax.consult.local_index import DEPTH, Fused, LocalIndex, mixed_terms
from etax.knowledge.articles import Article
from etax.knowledge.search import SearchIndex, article_documents, terms
from etax.knowledge.text import content
from etax.platform.observability import logger
from etax.regulations.model import Work

RANKING = "the search kit's index artefact fused with the question index"


class IndexRetriever:
    """The articles of a search index: ``index()`` gives the current one (the cache's, which
    rechecks the artefact's pointer each minute). While it has none to give (none built yet,
    or the store failing before one was loaded) the question index answers alone."""

    def __init__(self, index: Callable[[], SearchIndex]) -> None:
        self.index = index
        self._served: tuple[SearchIndex, frozenset[str]] | None = None

    def search(self, query: str, k: int) -> Sequence[Hit]:
        index = self._current()
        return index.search(query, kind="article", k=k) if index is not None else []

    def _current(self) -> SearchIndex | None:
        try:
            return self.index()
        except Exception:  # any failure of the store: answered without it
            logger.warning("no search index: the question index answers alone",
                           exc_info=True)
            return None

    def served(self) -> frozenset[str] | None:
        """The ids of the articles the index holds (None while there is no index)."""
        index = self._current()
        if index is None:
            return None
        if self._served is None or self._served[0] is not index:
            self._served = (index, frozenset(d.id for d in index.documents
                                             if d.kind == "article"))
        return self._served[1]


class Consulted:
    """The fused ranking, restricted to the articles the search index serves."""

    def __init__(self, index: IndexRetriever, questions: LocalIndex) -> None:
        self.index = index
        self.fused = Fused(index, questions)

    def search(self, query: str, k: int) -> Sequence[Hit]:
        served = self.index.served()
        hits = self.fused.search(query, DEPTH)
        return [h for h in hits if served is None or h.id in served][:k]


def composer_for(articles: Iterable[Article], works: Iterable[Work], day: date,
                 index: Callable[[], SearchIndex] | None = None) -> Composer:
    """The composer over the articles current on ``day``: ranked by the search artefact
    (``index``: the cache's current index) or, without one, by an index of those articles
    built here, fused with the question index."""
    served = [a for a in articles if a.current_on(day)]
    if index is None:
        built = SearchIndex.build(article_documents(served, day))
        index = lambda: built  # noqa: E731
    both = mixed_terms(terms, content)
    return Composer(Consulted(IndexRetriever(index), LocalIndex(served, both)), served, works,
                    both)
