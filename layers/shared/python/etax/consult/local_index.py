"""A small in-process BM25 index over the knowledge base's articles: the
:class:`~etax.consult.compose.Retriever` the tests use, and the function's while no search
artefact is given. Pure. Question forms weigh more than the answer (they are repeated in the
indexed text, :data:`QUESTION_WEIGHT` times)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from etax.consult.compose import simple_terms
from etax.consult.guard import normalize
from etax.knowledge.articles import Article

K1: Final = 1.5
B: Final = 0.75
QUESTION_WEIGHT: Final = 3


@dataclass(frozen=True, slots=True)
class LocalHit:
    id: str
    score: float


class LocalIndex:
    def __init__(self, articles: Iterable[Article],
                 terms: Callable[[str], Sequence[str]] = simple_terms) -> None:
        self.terms = terms
        self.docs: list[tuple[str, Counter[str], int]] = []
        for a in articles:
            text = " ".join((*a.questions,) * QUESTION_WEIGHT + (a.answer, *a.tags))
            counts = Counter(terms(normalize(text)))
            self.docs.append((a.id, counts, sum(counts.values())))
        self.average = sum(n for *_, n in self.docs) / max(1, len(self.docs))
        frequency: Counter[str] = Counter()
        for _, counts, _ in self.docs:
            frequency.update(counts.keys())
        total = len(self.docs)
        self.idf = {t: math.log(1 + (total - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}

    def search(self, query: str, k: int) -> list[LocalHit]:
        wanted = set(self.terms(normalize(query)))
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
