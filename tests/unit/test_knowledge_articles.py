"""The 12366 knowledge base's article model and its check against the regulations library."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from etax.errors import Invalid
from etax.knowledge.articles import Citation, article_of, base, check_base
from etax.regulations.seeds import corpus


def raw(**changes: Any) -> dict[str, Any]:
    article: dict[str, Any] = {
        "id": "iit-basic-deduction", "topic": "iit",
        "question": "综合所得的基本减除费用是多少？",
        "also_asked": ["个税起征点是多少？"],
        "answer": "居民个人的综合所得，每一纳税年度减除费用六万元。",
        "citations": [{"work": "iit-law", "provision": "6"}],
        "tags": ["综合所得"], "taxpayer_types": ["natural_person"],
        "valid_from": "2019-01-01"}
    return {**article, **changes}


def test_an_article_reads_its_forms_citations_and_validity() -> None:
    article = article_of(raw(valid_to="2027-12-31"))
    assert article.questions == ("综合所得的基本减除费用是多少？", "个税起征点是多少？")
    assert article.cites("iit-law", "6")
    assert not article.cites("iit-law", "3")
    assert article.current_on(date(2019, 1, 1))
    assert article.current_on(date(2027, 12, 31))
    assert not article.current_on(date(2018, 12, 31))
    assert not article.current_on(date(2028, 1, 1))
    check_base([article], corpus())


@pytest.mark.parametrize(("changes", "field"), [
    ({"id": "IIT basic"}, "id"),
    ({"id": "a" * 65}, "id"),
    ({"topic": "weather"}, "topic"),
    ({"question": "  "}, "question"),
    ({"answer": ""}, "answer"),
    ({"also_asked": [""]}, "also_asked"),
    ({"citations": []}, "citations"),
    ({"citations": [{"work": "iit-law", "provision": "6.0"}]}, "citations"),
    ({"citations": [{"work": "iit-law", "provision": "99"}]}, "citations"),
    ({"citations": [{"work": "no-such-work", "provision": "1"}]}, "citations"),
    ({"taxpayer_types": []}, "taxpayer_types"),
    ({"taxpayer_types": ["alien"]}, "taxpayer_types"),
    ({"valid_to": "2018-01-01"}, "valid_to"),
])
def test_a_bad_article_is_refused_naming_its_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as raised:
        check_base([article_of(raw(**changes))], corpus())
    assert raised.value.field == field


def test_two_articles_may_not_share_an_id() -> None:
    article = article_of(raw())
    with pytest.raises(Invalid) as raised:
        check_base([article, replace(article, question="另一问法？")], corpus())
    assert raised.value.field == "id"


def test_a_paragraph_key_must_be_one_the_library_holds() -> None:
    article = replace(article_of(raw()), citations=(Citation("iit-law", "6.1"),))
    with pytest.raises(Invalid):
        check_base([article], corpus())


def test_the_seeded_base_holds_together() -> None:
    articles = base()
    assert len({a.id for a in articles}) == len(articles)
