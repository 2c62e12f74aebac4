"""The pure-Python BM25 (ADR 0022) scores exactly as bm25s does (its default Lucene variant,
k1 = 1.5, b = 0.75) on the same terms: the seeded corpus's provisions and a set of queries."""

from __future__ import annotations

from datetime import date

import bm25s
import pytest

from etax.knowledge.bm25 import Bm25
from etax.knowledge.search import documents_of, terms
from etax.regulations.seeds import corpus

QUERIES = ("个税年度汇算什么时候截止", "专票 普票", "小规模纳税人 1%", "离境退税 即买即退",
           "车船税 减免", "黑名单 信用修复", "IIT deadline", "增值税 增值税 税率",
           "子女教育 每月", "完全无关")


@pytest.fixture(scope="module")
def tokenised() -> list[list[str]]:
    return [terms(d.searched()) for d in documents_of(corpus(), [], date(2026, 12, 4))]


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_bm25s(tokenised: list[list[str]], query: str) -> None:
    ours = Bm25.build(tokenised)
    reference = bm25s.BM25(method="lucene", k1=1.5, b=0.75)
    reference.index(tokenised, show_progress=False)
    asked = [t for t in terms(query) if t in ours.vocabulary]  # bm25s knows only its vocabulary
    expected = reference.get_scores(asked) if asked else [0.0] * len(tokenised)
    found = ours.scores(asked)
    assert [round(found.get(i, 0.0), 5) for i in range(len(tokenised))] == \
        pytest.approx([round(float(s), 5) for s in expected], abs=2e-5)
    assert any(found.values()) == any(float(s) for s in expected)


def test_round_trip_of_the_arrays(tokenised: list[list[str]]) -> None:
    ours = Bm25.build(tokenised)
    again = Bm25.from_parts(ours.terms_in_order(), *ours.arrays(), k1=ours.k1, b=ours.b)
    assert again.scores(terms("个税 汇算")) == ours.scores(terms("个税 汇算"))
    with pytest.raises(ValueError, match="vocabulary"):
        Bm25.from_parts(ours.terms_in_order()[1:], *ours.arrays(), k1=1.5, b=0.75)


def test_an_empty_corpus_scores_nothing() -> None:
    assert Bm25.build([]).scores(["个人所得税"]) == {}
    assert Bm25.build([["税"], []]).scores(["税"])[0] > 0
