"""The retriever the consultation answers from: the knowledge base's articles current on the
day, ranked by the question index fused with a full-text index of the same articles
(:mod:`.local_index`; the search kit's artefact takes the full-text index's place once it is
wired)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from etax.consult.compose import Composer
from etax.consult.local_index import Fused, LocalIndex, mixed_terms
from etax.knowledge.articles import Article
from etax.regulations.model import Work

RANKING = "the question index fused with a full-text index of the same articles, in-process"


def composer_for(articles: Iterable[Article], works: Iterable[Work], day: date) -> Composer:
    served = [a for a in articles if a.current_on(day)]
    terms = mixed_terms()
    ranking = Fused(LocalIndex(served, terms, answers=True), LocalIndex(served, terms))
    return Composer(ranking, served, works, terms)
