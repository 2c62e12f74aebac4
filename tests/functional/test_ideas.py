"""The idea space (A2) over moto: an idea submitted (similar ones suggested), supported by
verified accounts once each up to the threshold, reviewed, adopted and delivered with a public
trail; declined with a public reason; withdrawn by its author; hidden with a reason (gone from
the public, kept for the moderators and its author); a duplicate merged, its supports kept
once a person; daily allowances; who may do what; bad input naming the field; no identifier of
a person in any public answer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from etax.ideas import rules
from etax.rules import resident_id
from tests.functional.conftest import call, load_handler
from tests.functional.test_invoices import request

AUTHOR = ("taxpayer", "350102199003071234")  # a natural person
COMPANY = ("taxpayer", "91350100M000100Y43")
OFFICER = ("officer", "officer-fz-0001", "13501000000")
ADMIN = ("admin", "admin-0001")
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
IDEA = {"title": "电子发票查验结果支持一键导出",
        "body": "查验发票后希望能把查验结果导出为PDF，方便财务归档。\n建议在查验页面增加导出按钮。",
        "category": "invoices"}


def supporter(n: int) -> tuple[str, str]:
    """A natural person signed in (a valid resident ID, born 1990-01-01)."""
    first17 = f"35010219900101{n:03d}"
    return ("taxpayer", first17 + resident_id.check_character(first17))


@pytest.fixture
def ideas(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(rules, "SUPPORT_THRESHOLD", 3)
    module = load_handler("ideas")
    module.service.now = lambda: NOW
    return module


def post(module: Any, path: str, body: Any, who: tuple[str, ...] | None,
         key: str | None = None) -> dict[str, Any]:
    resource, params = path, None
    parts = path.split("/")
    if len(parts) > 3 and parts[3].startswith("id-"):
        params = {"idea_id": parts[3]}
        resource = "/".join([*parts[:3], "{idea_id}", *parts[4:]])
    return call(module, request("POST", path, body=body, who=who, key=key, resource=resource,
                                params=params))


def get(module: Any, path: str, who: tuple[str, ...] | None = None,
        query: dict[str, str] | None = None) -> dict[str, Any]:
    resource, params = path, None
    parts = path.split("/")
    if len(parts) > 3 and parts[3].startswith("id-"):
        params, resource = {"idea_id": parts[3]}, "/v1/ideas/{idea_id}"
    event = request("GET", path, who=who, resource=resource, params=params)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = ({k: [v] for k, v in query.items()}
                                                if query else None)
    return call(module, event)


def submit(module: Any, body: dict[str, Any] | None = None,
           who: tuple[str, ...] = AUTHOR, key: str = "i-1") -> dict[str, Any]:
    return post(module, "/v1/ideas", body or IDEA, who, key)


def test_an_idea_supported_to_the_threshold_is_reviewed_adopted_and_delivered_in_public(
        ideas: Any) -> None:
    submitted = submit(ideas)
    assert submitted["statusCode"] == 201, submitted["json"]
    idea = submitted["json"]["idea"]
    idea_id = idea["id"]
    assert (idea["state"], idea["supports"], idea["threshold"]) == ("submitted", 0, 3)
    assert idea["window_ends"] == "2027-03-06T02:00:00Z"  # 90 days
    assert idea["mine"] is True
    assert submitted["json"]["similar"] == []

    # the author does not support its own; the first supporter once only
    assert post(ideas, f"/v1/ideas/{idea_id}/supports", None, AUTHOR)["statusCode"] == 403
    first = post(ideas, f"/v1/ideas/{idea_id}/supports", None, supporter(1))
    assert (first["statusCode"], first["json"]["supports"]) == (201, 1)
    again = post(ideas, f"/v1/ideas/{idea_id}/supports", None, supporter(1))
    assert (again["statusCode"], again["json"]["field"]) == (409, "idea_id")
    # an officer reviews, it does not support
    assert post(ideas, f"/v1/ideas/{idea_id}/supports", None, OFFICER)["statusCode"] == 403
    post(ideas, f"/v1/ideas/{idea_id}/supports", None, COMPANY)
    # the third support reaches the threshold: under review
    third = post(ideas, f"/v1/ideas/{idea_id}/supports", None, supporter(3))
    assert third["json"] == {"id": idea_id, "supports": 3, "state": "under_review"}
    assert post(ideas, f"/v1/ideas/{idea_id}/decision", {"decision": "deliver",
                                                         "reason": "已上线"},
                OFFICER)["statusCode"] == 409  # not adopted yet

    adopted = post(ideas, f"/v1/ideas/{idea_id}/decision",
                   {"decision": "adopt", "reason": "纳入明年查验平台改版"}, OFFICER)
    assert adopted["json"]["state"] == "adopted", adopted["json"]
    delivered = post(ideas, f"/v1/ideas/{idea_id}/decision",
                     {"decision": "deliver", "reason": "查验页面已提供PDF导出"}, ADMIN)
    assert delivered["json"]["state"] == "delivered"

    public = get(ideas, f"/v1/ideas/{idea_id}")
    assert public["statusCode"] == 200
    shown = public["json"]
    assert [(s["by"], s["action"]) for s in shown["trail"]] == [
        ("author", "submitted"), ("platform", "under_review"),
        ("officer-fz-0001", "adopted"), ("admin-0001", "delivered")]
    assert shown["trail"][1]["text"] == "3 supports"
    assert shown["trail"][3]["text"] == "查验页面已提供PDF导出"
    assert (shown["author_kind"], shown["mine"], shown["supportable"]) == ("person", False,
                                                                          False)
    text = json.dumps(public["json"], ensure_ascii=False)
    assert AUTHOR[1] not in text
    assert supporter(1)[1] not in text
    listed = get(ideas, "/v1/ideas", query={"state": "delivered"})["json"]
    assert [i["id"] for i in listed["ideas"]] == [idea_id]
    # a late support finds it closed
    late = post(ideas, f"/v1/ideas/{idea_id}/supports", None, supporter(9))
    assert late["statusCode"] == 409


def test_a_declined_idea_says_why_in_public(ideas: Any) -> None:
    idea_id = submit(ideas)["json"]["idea"]["id"]
    for n in range(3):
        post(ideas, f"/v1/ideas/{idea_id}/supports", None, supporter(n))
    bare = post(ideas, f"/v1/ideas/{idea_id}/decision", {"decision": "decline"}, OFFICER)
    assert (bare["statusCode"], bare["json"]["field"]) == (422, "reason")
    declined = post(ideas, f"/v1/ideas/{idea_id}/decision",
                    {"decision": "decline", "reason": "查验平台已有下载功能"}, OFFICER)
    assert declined["json"]["state"] == "declined"
    assert get(ideas, f"/v1/ideas/{idea_id}")["json"]["trail"][-1] == {
        "at": "2026-12-06T02:00:00Z", "by": "officer-fz-0001", "action": "declined",
        "text": "查验平台已有下载功能"}


def test_a_support_after_the_window_is_refused(ideas: Any) -> None:
    idea_id = submit(ideas)["json"]["idea"]["id"]
    ideas.service.now = lambda: NOW + timedelta(days=rules.SUPPORT_DAYS, seconds=1)
    late = post(ideas, f"/v1/ideas/{idea_id}/supports", None, supporter(1))
    assert (late["statusCode"], late["json"]["field"]) == (409, "idea_id")
    assert get(ideas, f"/v1/ideas/{idea_id}")["json"]["supportable"] is False


def test_a_similar_idea_is_suggested_before_and_on_submitting(ideas: Any) -> None:
    first = submit(ideas)["json"]["idea"]
    suggested = get(ideas, "/v1/ideas/similar", query={"title": "查验结果一键导出PDF"})
    assert [i["id"] for i in suggested["json"]["ideas"]] == [first["id"]]
    again = submit(ideas, {**IDEA, "title": "发票查验结果一键导出"}, COMPANY, "i-2")
    assert [i["id"] for i in again["json"]["similar"]] == [first["id"]]
    unrelated = get(ideas, "/v1/ideas/similar", query={"title": "车船税缴纳提醒"})
    assert unrelated["json"]["ideas"] == []
    assert get(ideas, "/v1/ideas/similar")["json"]["field"] == "title"


def test_the_author_withdraws_and_no_one_else_may(ideas: Any) -> None:
    idea_id = submit(ideas)["json"]["idea"]["id"]
    assert post(ideas, f"/v1/ideas/{idea_id}/withdraw", {}, COMPANY)["statusCode"] == 403
    withdrawn = post(ideas, f"/v1/ideas/{idea_id}/withdraw", {"reason": "已找到办法"}, AUTHOR)
    assert withdrawn["json"]["state"] == "withdrawn"
    assert post(ideas, f"/v1/ideas/{idea_id}/withdraw", {}, AUTHOR)["statusCode"] == 409
    assert post(ideas, f"/v1/ideas/{idea_id}/supports", None, COMPANY)["statusCode"] == 409


def test_a_hidden_idea_leaves_the_public_and_stays_auditable(ideas: Any) -> None:
    idea_id = submit(ideas)["json"]["idea"]["id"]
    assert post(ideas, f"/v1/ideas/{idea_id}/hide", {"reason": "含广告"},
                COMPANY)["statusCode"] == 403
    hidden = post(ideas, f"/v1/ideas/{idea_id}/hide", {"reason": "含广告链接"}, OFFICER)
    assert hidden["json"]["hidden"] == {"by": "officer-fz-0001", "at": "2026-12-06T02:00:00Z",
                                        "reason": "含广告链接"}
    assert get(ideas, f"/v1/ideas/{idea_id}")["statusCode"] == 404
    assert get(ideas, "/v1/ideas")["json"]["ideas"] == []
    assert post(ideas, f"/v1/ideas/{idea_id}/supports", None, COMPANY)["statusCode"] == 404
    audit = get(ideas, "/v1/ideas/hidden", OFFICER)["json"]["ideas"]
    assert [(i["id"], i["hidden"]["reason"]) for i in audit] == [(idea_id, "含广告链接")]
    assert audit[0]["trail"][-1]["action"] == "hidden"
    assert get(ideas, "/v1/ideas/hidden", COMPANY)["statusCode"] == 403
    own = get(ideas, "/v1/me/ideas", AUTHOR)["json"]["ideas"]
    assert [(i["id"], i["hidden"]["reason"], i["mine"]) for i in own] == [
        (idea_id, "含广告链接", True)]
    assert post(ideas, f"/v1/ideas/{idea_id}/hide", {"reason": "再次"},
                OFFICER)["statusCode"] == 409


def test_a_duplicate_merged_keeps_its_supports_once_a_person(ideas: Any) -> None:
    kept = submit(ideas)["json"]["idea"]["id"]
    duplicate = submit(ideas, {**IDEA, "title": "查验结果导出功能"}, COMPANY, "i-2")
    duplicate_id = duplicate["json"]["idea"]["id"]
    post(ideas, f"/v1/ideas/{kept}/supports", None, supporter(1))
    for n in (1, 2, 3):  # 1 supports both: counted once after the merge
        post(ideas, f"/v1/ideas/{duplicate_id}/supports", None, supporter(n))
    merged = post(ideas, f"/v1/ideas/{duplicate_id}/merge", {"into": kept}, OFFICER)
    assert (merged["json"]["state"], merged["json"]["merged_into"]) == ("merged", kept)
    target = get(ideas, f"/v1/ideas/{kept}")["json"]
    # three supports now: the threshold (3 here) reached by the merge sends it to review
    assert (target["supports"], target["state"]) == (3, "under_review")
    assert target["trail"][-1]["text"] == "3 supports"
    assert [i["id"] for i in get(ideas, "/v1/ideas")["json"]["ideas"]] == [kept]
    assert post(ideas, f"/v1/ideas/{kept}/merge", {"into": kept},
                OFFICER)["json"]["field"] == "into"
    assert post(ideas, f"/v1/ideas/{kept}/merge", {"into": duplicate_id},
                OFFICER)["json"]["field"] == "into"  # merged already: not open
    assert post(ideas, f"/v1/ideas/{kept}/merge", {"into": "id-" + "0" * 20},
                OFFICER)["json"]["field"] == "into"


def test_comments_are_shown_without_identifiers_and_counted_a_day(
        ideas: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    idea_id = submit(ideas)["json"]["idea"]["id"]
    commented = post(ideas, f"/v1/ideas/{idea_id}/comments", {"body": "赞成，财务很需要。"},
                     COMPANY)
    assert commented["statusCode"] == 201
    [comment] = commented["json"]["comments"]
    assert (comment["author_kind"], comment["body"], comment["mine"]) == (
        "enterprise", "赞成，财务很需要。", True)  # the commenter sees its own as its own
    monkeypatch.setitem(rules.DAILY, "comments", 1)
    second = post(ideas, f"/v1/ideas/{idea_id}/comments", {"body": "再说一句"}, COMPANY)
    assert second["statusCode"] == 429
    assert int(second["headers"]["Retry-After"]) > 0
    assert COMPANY[1] not in json.dumps(get(ideas, f"/v1/ideas/{idea_id}")["json"])


def test_a_person_submits_a_few_ideas_a_day(ideas: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(rules.DAILY, "ideas", 2)
    for n in range(2):
        assert submit(ideas, key=f"k-{n}")["statusCode"] == 201
    assert submit(ideas, key="k-3")["statusCode"] == 429
    assert submit(ideas, key="k-0")["statusCode"] == 201  # a replay is no new idea


@pytest.mark.parametrize(("body", "field"), [
    ({**IDEA, "title": "短"}, "title"),
    ({**IDEA, "body": "太短"}, "body"),
    ({**IDEA, "category": "weather"}, "category"),
    ({**IDEA, "title": "导出\u202e功能建议"}, "title"),
    ({**IDEA, "owner": "x"}, "owner"),
])
def test_a_bad_idea_is_refused_naming_the_field(ideas: Any, body: dict[str, Any],
                                                field: str) -> None:
    answer = submit(ideas, body)
    assert answer["statusCode"] == 422, answer["json"]
    assert field in json.dumps(answer["json"]), answer["json"]


def test_who_may_do_what(ideas: Any) -> None:
    idea_id = submit(ideas)["json"]["idea"]["id"]
    assert submit(ideas, who=("partner", "bank-0001"), key="p")["statusCode"] == 403
    assert post(ideas, f"/v1/ideas/{idea_id}/decision", {"decision": "adopt"},
                COMPANY)["statusCode"] == 403
    assert post(ideas, f"/v1/ideas/{idea_id}/decision", {"decision": "adopt"},
                OFFICER)["statusCode"] == 409  # not under review
    assert get(ideas, "/v1/ideas/id-" + "0" * 20)["statusCode"] == 404
    assert get(ideas, "/v1/ideas/../../etc")["statusCode"] == 404
    assert get(ideas, "/v1/ideas", query={"state": "secret"})["json"]["field"] == "state"
    assert get(ideas, "/v1/ideas", query={"cursor": "eyJwayI6ICJ4In0"})["statusCode"] == 400
