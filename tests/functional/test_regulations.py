"""The regulations library (D13) over moto: the seeded corpus read as of a day, an officer's
draft amendment, a second officer's approval, publication with its valid_from (and its event
from the table's stream), bad input naming the field, and who may do what."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

import boto3
import pytest

from etax.regulations.repository import RegulationRepository
from etax.regulations.seeds import corpus
from tests.functional.conftest import LambdaContext, call, load_handler
from tests.functional.test_invoices import request

DRAFTER = ("officer", "officer-fz-0001", "13501000000")
REVIEWER = ("officer", "officer-xm-0001", "13502000000")  # the library is national
TAXPAYER = ("taxpayer", "91350100M000100Y43")
WORK = "tax-credit-measures-2025-12"
BASE = f"/v1/regulations/works/{WORK}"
AMENDMENT: dict[str, Any] = {
    "act": {"title": "关于修改《纳税缴费信用管理办法》的公告（示例）",
            "document_number": "国家税务总局公告2026年第99号（示例）", "issued": "2026-11-01"},
    "changes": [{"action": "amend", "article": 4, "summary": True,
                 "text": "国家税务总局主管全国纳税缴费信用管理工作（修改后的示例文本）。"}],
}


@pytest.fixture
def api(aws: None) -> Any:
    RegulationRepository(boto3.client("dynamodb")).seed(corpus(), "2026-12-01T00:00:00Z")
    return load_handler("regulations")


def get(module: Any, path: str, query: dict[str, str] | None = None,
        who: tuple[str, ...] | None = None, resource: str | None = None,
        params: dict[str, str] | None = None) -> dict[str, Any]:
    event = request("GET", path, who=who, resource=resource, params=params)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = (
        {k: [v] for k, v in query.items()} if query else None)
    return call(module, event)


def read(module: Any, work_id: str, as_of: str | None = None) -> dict[str, Any]:
    return get(module, f"/v1/regulations/works/{quote(work_id)}",
               {"as_of": as_of} if as_of else None,
               resource="/v1/regulations/works/{work_id}", params={"work_id": work_id})


def post(module: Any, path: str, who: tuple[str, ...], body: Any = None,
         key: str = "k-1", resource: str | None = None,
         params: dict[str, str] | None = None) -> dict[str, Any]:
    return call(module, request("POST", path, body=body if body is not None else {}, who=who,
                                key=key, resource=resource, params=params))


def draft(module: Any, who: tuple[str, ...] = DRAFTER, body: Any = None,
          key: str = "k-draft") -> dict[str, Any]:
    return post(module, f"{BASE}/drafts", who, AMENDMENT if body is None else body, key,
                "/v1/regulations/works/{work_id}/drafts", {"work_id": WORK})


def step(module: Any, draft_id: str, action: str, who: tuple[str, ...], body: Any = None,
         key: str | None = None) -> dict[str, Any]:
    return post(module, f"{BASE}/drafts/{draft_id}/{action}", who, body,
                key or f"k-{action}-{who[1]}",
                f"/v1/regulations/works/{{work_id}}/drafts/{{draft_id}}/{action}",
                {"work_id": WORK, "draft_id": draft_id})


def test_the_list_shows_each_work_with_its_status_and_filters(api: Any) -> None:
    answer = get(api, "/v1/regulations/works", {"as_of": "2026-12-03"})
    assert answer["statusCode"] == 200, answer["json"]
    shown = {w["id"]: w for w in answer["json"]["items"]}
    assert len(shown) == len(corpus())
    assert shown["vat-law"]["status"] == "现行有效"
    assert shown["vat-interim-regulations"]["status"] == "全文废止"
    repealed = get(api, "/v1/regulations/works", {"status": "全文废止", "as_of": "2026-12-03"})
    assert {w["id"] for w in repealed["json"]["items"]} == {
        "vat-interim-regulations", "tax-credit-measures-2014-40"}
    laws = get(api, "/v1/regulations/works", {"kind": "law"})
    assert {w["kind"] for w in laws["json"]["items"]} == {"law"}
    before = get(api, "/v1/regulations/works", {"as_of": "2025-12-31", "kind": "law"})
    assert {w["id"]: w["status"] for w in before["json"]["items"]}["vat-law"] == "尚未生效"


@pytest.mark.parametrize(("query", "field"), [
    ({"as_of": "2026-02-30"}, "as_of"), ({"as_of": "2026/01/01"}, "as_of"),
    ({"kind": "novel"}, "kind"), ({"status": "valid"}, "status")])
def test_bad_filters_are_a_400_naming_the_field(api: Any, query: dict[str, str],
                                                field: str) -> None:
    answer = get(api, "/v1/regulations/works", query)
    assert answer["statusCode"] == 400, answer["json"]
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    assert answer["json"]["field"] == field


def test_a_work_as_of_a_day_shows_the_provisions_in_force_that_day(api: Any) -> None:
    old = read(api, "iit-special-additional-deductions", "2022-12-31")
    new = read(api, "iit-special-additional-deductions", "2023-01-01")
    assert old["statusCode"] == new["statusCode"] == 200, old["json"]
    by_label = {p["label"]: p for p in new["json"]["provisions"]}
    assert "2000元" in by_label["第5条"]["text"]
    assert by_label["第5条"]["summary"] is True
    assert "1000元" in {p["label"]: p for p in old["json"]["provisions"]}["第5条"]["text"]
    assert new["json"]["version"]["act"]["document_number"] == "国发〔2023〕13号"
    assert old["json"]["version"]["valid_to"] == "2023-01-01"
    repealed = read(api, "vat-interim-regulations", "2026-01-01")["json"]
    assert repealed["status"] == "全文废止"
    assert repealed["provisions"] == []
    assert [n["provision"] for n in repealed["notes"]] == ["第2条", "第12条"]
    assert read(api, "vat-law", "2025-12-31")["json"]["status"] == "尚未生效"


def test_a_bad_date_or_unknown_work_is_a_problem_naming_the_field(api: Any) -> None:
    answer = read(api, "vat-law", "2026-13-01")
    assert answer["statusCode"] == 400
    assert answer["json"]["field"] == "as_of"
    missing = read(api, "no-such-work")
    assert missing["statusCode"] == 404
    assert missing["json"]["field"] == "work_id"


def test_draft_review_and_publish_with_four_eyes(api: Any) -> None:
    made = draft(api)
    assert made["statusCode"] == 201, made["json"]
    draft_id = made["json"]["id"]
    assert made["json"]["state"] == "drafted"
    assert made["json"]["base_version"] == 1
    assert draft(api)["json"] == made["json"]  # the same Idempotency-Key: the same draft
    too_early = step(api, draft_id, "approve", REVIEWER)
    assert too_early["statusCode"] == 409, too_early["json"]
    assert step(api, draft_id, "submit", DRAFTER)["json"]["state"] == "submitted"
    own = step(api, draft_id, "approve", DRAFTER)
    assert own["statusCode"] == 403, own["json"]
    assert "four eyes" in own["json"]["detail"]
    approved = step(api, draft_id, "approve", REVIEWER)
    assert approved["statusCode"] == 200
    assert approved["json"]["approver"] == REVIEWER[1]
    bad = step(api, draft_id, "publish", DRAFTER, {"valid_from": "2027-02-30"}, "k-bad")
    assert bad["statusCode"] == 422
    assert bad["json"]["field"] == "valid_from"
    early = step(api, draft_id, "publish", DRAFTER, {"valid_from": "2025-07-01"}, "k-early")
    assert early["statusCode"] == 422
    assert early["json"]["field"] == "valid_from"
    published = step(api, draft_id, "publish", DRAFTER, {"valid_from": "2027-01-01"})
    assert published["statusCode"] == 200, published["json"]
    assert published["json"]["version"] == 2
    assert published["json"]["state"] == "published"
    again = step(api, draft_id, "publish", DRAFTER, {"valid_from": "2027-01-01"}, "k-again")
    assert again["statusCode"] == 409, again["json"]

    def article4(day: str) -> str:
        shown = read(api, WORK, day)["json"]["provisions"]
        return str({p["label"]: p for p in shown}["第4条"]["text"])
    assert "修改后" not in article4("2026-12-31")
    assert "修改后" in article4("2027-01-01")
    assert read(api, WORK, "2027-01-01")["json"]["status"] == "已修改"


def test_a_second_draft_of_the_same_base_cannot_publish_over_the_first(api: Any) -> None:
    ids = []
    for n in (1, 2):
        made = draft(api, key=f"k-draft-{n}")["json"]
        step(api, made["id"], "submit", DRAFTER, key=f"k-s-{n}")
        step(api, made["id"], "approve", REVIEWER, key=f"k-a-{n}")
        ids.append(made["id"])
    first = step(api, ids[0], "publish", REVIEWER, {"valid_from": "2027-01-01"}, "k-p-1")
    assert first["statusCode"] == 200, first["json"]
    second = step(api, ids[1], "publish", REVIEWER, {"valid_from": "2027-06-01"}, "k-p-2")
    assert second["statusCode"] == 409
    assert second["json"]["field"] == "base_version"


def test_the_repository_guard_refuses_a_publish_that_lost_the_race(api: Any) -> None:
    """The service's own check passed for both; the transaction's guard still stops one."""
    from dataclasses import replace

    from etax.errors import StateChanged
    from etax.regulations import drafts
    from etax.regulations.model import amended

    repository = RegulationRepository(boto3.client("dynamodb"))
    made = [draft(api, key=f"k-race-{n}")["json"]["id"] for n in (1, 2)]
    work = repository.work(WORK)
    assert work is not None
    ready = []
    for draft_id in made:
        d = repository.draft(WORK, draft_id)
        assert d is not None
        d = drafts.approve(drafts.submit(d, "t"), "officer-b", "t")
        repository.move_draft(d, drafts.DRAFTED)
        ready.append(d)
    for n, d in enumerate(ready):
        version = amended(work.versions[-1], d.changes, d.act, date(2027, 1 + n, 1))
        published = replace(drafts.publish(d, "officer-b", "t", 2, version.valid_from))
        if n == 0:
            repository.publish(published, version, leaving=drafts.APPROVED)
        else:
            with pytest.raises(StateChanged):
                repository.publish(published, version, leaving=drafts.APPROVED)


@pytest.mark.parametrize(("body", "field"), [
    ({"act": AMENDMENT["act"], "changes": []}, "changes"),
    ({"act": AMENDMENT["act"], "changes": [{"action": "amend", "article": 77, "text": "x"}]},
     "changes[0]"),
    ({"act": {**AMENDMENT["act"], "issued": "2026-02-29"}, "changes": AMENDMENT["changes"]},
     "act.issued"),
    ({"act": AMENDMENT["act"], "changes": [{"action": "rewrite", "article": 4}]},
     "changes[0].action"),
])
def test_a_bad_draft_names_its_field(api: Any, body: dict[str, Any], field: str) -> None:
    answer = draft(api, body=body, key=f"k-{field}")
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field


def test_a_taxpayer_cannot_draft_review_or_see_drafts(api: Any) -> None:
    assert draft(api, who=TAXPAYER)["statusCode"] == 403
    draft_id = draft(api)["json"]["id"]
    assert step(api, draft_id, "submit", TAXPAYER)["statusCode"] == 403
    assert step(api, draft_id, "approve", TAXPAYER)["statusCode"] == 403
    seen = get(api, f"{BASE}/drafts/{draft_id}", who=TAXPAYER,
               resource="/v1/regulations/works/{work_id}/drafts/{draft_id}",
               params={"work_id": WORK, "draft_id": draft_id})
    assert seen["statusCode"] == 403
    officer = get(api, f"{BASE}/drafts/{draft_id}", who=REVIEWER,
                  resource="/v1/regulations/works/{work_id}/drafts/{draft_id}",
                  params={"work_id": WORK, "draft_id": draft_id})
    assert officer["statusCode"] == 200
    assert officer["json"]["drafter"] == DRAFTER[1]


def test_publishing_is_announced_from_the_stream_with_the_canonical_text(api: Any) -> None:
    events_fn = load_handler("regulation_events")
    sent: list[Any] = []
    events_fn.publisher.publish = lambda events: sent.extend(events)
    draft_id = draft(api)["json"]["id"]
    step(api, draft_id, "submit", DRAFTER)
    step(api, draft_id, "approve", REVIEWER)
    step(api, draft_id, "publish", REVIEWER, {"valid_from": "2027-01-01"})
    dynamodb = boto3.client("dynamodb")
    item = dynamodb.get_item(TableName="regulations", Key={
        "pk": {"S": f"work#{WORK}"}, "sk": {"S": "version#00002"}})["Item"]
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": item}}
    events_fn.handler({"Records": [record]}, LambdaContext())
    [event] = sent
    assert event.detail_type == "RegulationVersionPublished"
    assert event.detail["work_id"] == WORK
    assert event.detail["version"] == 2
    assert "修改后的示例文本" in event.detail["text"]
