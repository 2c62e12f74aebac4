"""The retrievers the consultation answers from: the search kit's index — the artefact the
search function loads (:class:`etax.knowledge.indexing.IndexCache`), or one built here — fused
with two indexes of :mod:`.local_index` (the articles' question forms; their whole text, read
by characters and pairs as well as words), all over the articles current on the day.

The weights (:data:`WEIGHTS`) were chosen on the questions of the evaluation that no article's
question forms were written from (docs/benchmarks.md, "12366 consultation: evaluation"): the
question-form index ranks the tuning sets' questions best, having their wordings among its
forms, and new questions worst; the whole-text index ranks new questions best.

The artefact leaves out the articles flagged for review (its builder's seam,
:func:`etax.knowledge.indexing.current_articles`): a hit of the question index that the
artefact does not hold is not served. While no artefact is built yet the question index
answers alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Final

from etax.consult.asked import asked
from etax.consult.compose import QUESTION_WORDS, Composer, Hit
from etax.consult.guard import Guard, domain_words
from etax.consult.local_index import DEPTH, Fused, LocalIndex, mixed_terms
from etax.knowledge.articles import Article
from etax.knowledge.search import SearchIndex, article_documents, terms
from etax.knowledge.text import content
from etax.platform.observability import logger
from etax.regulations.model import Work

RANKING = ("the search kit's index artefact fused with the question-form and whole-text "
           "indexes")
WEIGHTS: Final = {"search kit": 0.15, "question forms": 0.15, "whole text": 0.7}


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

    def __init__(self, index: IndexRetriever, questions: LocalIndex, whole: LocalIndex) -> None:
        self.index = index
        self.fused = Fused((index, WEIGHTS["search kit"]), (questions, WEIGHTS["question forms"]),
                           (whole, WEIGHTS["whole text"]))

    def search(self, query: str, k: int) -> Sequence[Hit]:
        served = self.index.served()
        hits = self.fused.search(query, DEPTH)
        return [h for h in hits if served is None or h.id in served][:k]


def composer_for(articles: Iterable[Article], works: Iterable[Work], day: date,
                 index: Callable[[], SearchIndex] | None = None,
                 questions: Mapping[str, Sequence[str]] | None = None) -> Composer:
    """The composer over the articles current on ``day``: ranked by the search artefact
    (``index``: the cache's current index) or, without one, by an index of those articles
    built here, fused with the question-form and whole-text indexes, which read each article
    with the questions asked of it (``questions``; the seeded ones, :func:`.asked.asked`, if
    not given)."""
    served = [a for a in articles if a.current_on(day)]
    if index is None:
        built = SearchIndex.build(article_documents(served, day))
        index = lambda: built  # noqa: E731
    both = mixed_terms(terms, content)
    questions = asked() if questions is None else questions
    retriever = Consulted(IndexRetriever(index), LocalIndex(served, both, asked=questions),
                          LocalIndex(served, both, answers=True, asked=questions))
    return Composer(retriever, served, works, both)


def guard_for(articles: Iterable[Article]) -> Guard:
    """The guard over the knowledge base's ``articles``: their tags join the tax vocabulary,
    and their own words (:func:`etax.consult.guard.domain_words`) read a question told
    without one of its terms."""
    articles = list(articles)
    return Guard((t for a in articles for t in a.tags),
                 domain=domain_words((" ".join((*a.questions, a.answer, *a.tags))
                                      for a in articles), QUESTION_WORDS))
