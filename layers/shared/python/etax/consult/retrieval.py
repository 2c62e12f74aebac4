"""The retriever the consultation answers from: the knowledge base's articles current on the
day, ranked by the question index (:mod:`.local_index`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from etax.consult.compose import Composer
from etax.consult.local_index import LocalIndex, mixed_terms
from etax.knowledge.articles import Article
from etax.regulations.model import Work


def composer_for(articles: Iterable[Article], works: Iterable[Work], day: date) -> Composer:
    served = [a for a in articles if a.current_on(day)]
    terms = mixed_terms()
    return Composer(LocalIndex(served, terms), served, works, terms)
