"""BM25 ranking over an inverted index, in pure Python (ADR 0022). Pure.

The scoring is bm25s's default (``method="lucene"``, k1 = 1.5, b = 0.75): for a query's terms
``q`` (a term asked twice counts twice) and a document ``d`` of ``|d|`` terms, the mean length
being ``avgdl`` over the ``N`` documents,

    score(q, d) = Σ_t∈q  idf(t) · tf(t, d) / (tf(t, d) + k1 · (1 − b + b · |d| / avgdl))
    idf(t)      = ln(1 + (N − df(t) + 0.5) / (df(t) + 0.5))

Everything but the sum depends on the document alone, so each posting (term, document) stores
its weight ``idf · tf-part`` once, at build time, as a 32-bit float (bm25s's precision): a query
adds up the postings of its terms. ``tests/unit/test_knowledge_bm25.py`` checks the scores
against bm25s's own on the seeded corpus.

The postings live in three flat arrays (a term's are ``docs[offsets[i]:offsets[i + 1]]`` and
the same slice of ``weights``), which the artefact stores as raw little-endian bytes: loading
an index is a copy, not a computation.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

K1: Final = 1.5
B: Final = 0.75


def idf(df: int, n: int) -> float:
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _little_endian(values: array) -> array:  # type: ignore[type-arg]
    if sys.byteorder == "big":  # pragma: no cover - every Lambda architecture is little-endian
        values = array(values.typecode, values)
        values.byteswap()
    return values


@dataclass(frozen=True, slots=True)
class Bm25:
    vocabulary: dict[str, int]  # term → its row
    offsets: array  # type: ignore[type-arg]  # 'Q': len(vocabulary) + 1 bounds into the two below
    docs: array  # type: ignore[type-arg]  # 'I': document numbers
    weights: array  # type: ignore[type-arg]  # 'f': each posting's weight
    k1: float = K1
    b: float = B

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]], *, k1: float = K1,
              b: float = B) -> Bm25:
        """The index of ``documents``, each given as its terms (document ``i`` is row ``i``)."""
        n = len(documents)
        lengths = [len(terms) for terms in documents]
        average = (sum(lengths) / n) if n else 0.0
        postings: dict[str, list[tuple[int, int]]] = {}
        for number, document_terms in enumerate(documents):
            for term, tf in Counter(document_terms).items():
                postings.setdefault(term, []).append((number, tf))
        vocabulary: dict[str, int] = {}
        offsets = array("Q", [0])
        docs = array("I")
        weights = array("f")
        for row, term in enumerate(sorted(postings)):
            vocabulary[term] = row
            found = postings[term]
            weight = idf(len(found), n)
            for number, tf in found:
                norm = k1 * (1 - b + b * lengths[number] / average) if average else k1
                docs.append(number)
                weights.append(weight * tf / (tf + norm))
            offsets.append(len(docs))
        return cls(vocabulary, offsets, docs, weights, k1, b)

    def postings(self, term: str) -> tuple[Sequence[int], Sequence[float]]:
        row = self.vocabulary.get(term)
        if row is None:
            return (), ()
        start, end = self.offsets[row], self.offsets[row + 1]
        return self.docs[start:end], self.weights[start:end]

    def scores(self, query: Iterable[str]) -> dict[int, float]:
        """Each document that holds a term of ``query`` and its score (the others score 0)."""
        found: dict[int, float] = {}
        for term in query:
            numbers, weights = self.postings(term)
            get = found.get
            for number, weight in zip(numbers, weights, strict=True):
                found[number] = get(number, 0.0) + weight
        return found

    def document_frequency(self, term: str) -> int:
        row = self.vocabulary.get(term)
        return 0 if row is None else self.offsets[row + 1] - self.offsets[row]

    # the artefact's parts
    def terms_in_order(self) -> list[str]:
        return sorted(self.vocabulary, key=self.vocabulary.__getitem__)

    def arrays(self) -> tuple[bytes, bytes, bytes]:
        return (_little_endian(self.offsets).tobytes(), _little_endian(self.docs).tobytes(),
                _little_endian(self.weights).tobytes())

    @classmethod
    def from_parts(cls, terms: Sequence[str], offsets: bytes, docs: bytes, weights: bytes,
                   *, k1: float, b: float) -> Bm25:
        arrays = []
        for code, raw in (("Q", offsets), ("I", docs), ("f", weights)):
            values = array(code)
            values.frombytes(raw)
            arrays.append(_little_endian(values))
        if len(arrays[0]) != len(terms) + 1 or len(arrays[1]) != len(arrays[2]) \
                or (arrays[0] and arrays[0][-1] != len(arrays[1])):
            raise ValueError("the postings do not match the vocabulary")
        return cls({term: row for row, term in enumerate(terms)}, arrays[0], arrays[1],
                   arrays[2], k1, b)
