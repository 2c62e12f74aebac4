"""The violators list (D12) over moto: an officer records a case over a threshold (the office
the registry's), a second officer approves and it is published with the published fields
alone; the recorder cannot approve; a case under every threshold is refused naming the field
and criterion; early removal and the daily run take entries off; the stream announces
``ViolatorListed`` and ``ViolatorRemoved`` exactly; bad input names the field."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from etax.rules import uscc
from tests.functional.conftest import LambdaContext, call, load_handler
from tests.functional.test_acceptance_registration import put_record
from tests.functional.test_invoices import request

TAXPAYER = "91350100M000100Y43"
RECORDER = ("officer", "officer-fz-0001", "13501000000")
APPROVER = ("officer", "officer-fz-0002", "13501000000")
OTHER_OFFICE = ("officer", "officer-xm-0001", "13502000000")
TODAY = date(2026, 12, 4)
RESIDENT_ID = "350102199003071234"
CASE: dict[str, Any] = {
    "credit_code": TAXPAYER, "decision_number": "榕税稽罚〔2026〕88号",
    "served_on": "2026-11-20",
    "responsible": {"name": "林晓明", "resident_id": RESIDENT_ID},
    "facts": {"evaded": "1500000.00", "tax_due": "9000000.00", "false_ordinary_invoices": 12},
    "summary": "经查，该公司2024年通过少列收入方式少缴增值税等税款150万元。",
    "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
    "penalty": "追缴税款150万元，处少缴税款一倍罚款",
}


@pytest.fixture
def api(aws: None) -> Any:
    put_record(TAXPAYER, address="福建省福州市鼓楼区五四路1号")
    module = load_handler("violators")
    module.service.today = lambda: TODAY
    return module


def post(module: Any, path: str, who: tuple[str, ...], body: Any, key: str,
         resource: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    return call(module, request("POST", path, body=body, who=who, key=key, resource=resource,
                                params=params))


def get(module: Any, path: str, resource: str, who: tuple[str, ...] | None = None,
        params: dict[str, str] | None = None,
        query: dict[str, str] | None = None) -> dict[str, Any]:
    event = request("GET", path, who=who, resource=resource, params=params)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} \
        if query else None
    return call(module, event)


def record(module: Any, body: dict[str, Any] | None = None,
           who: tuple[str, ...] = RECORDER, key: str = "k-case") -> dict[str, Any]:
    return post(module, "/v1/violators/cases", who, body or CASE, key, "/v1/violators/cases")


def act(module: Any, case_id: str, action: str, who: tuple[str, ...],
        body: Any = None, key: str | None = None) -> dict[str, Any]:
    return post(module, f"/v1/violators/cases/{case_id}/{action}", who,
                body if body is not None else {}, key or f"k-{action}-{who[1]}",
                f"/v1/violators/cases/{{case_id}}/{action}", {"case_id": case_id})


def public(module: Any, case_id: str | None = None,
           query: dict[str, str] | None = None) -> dict[str, Any]:
    if case_id is None:
        return get(module, "/v1/credit/violators", "/v1/credit/violators", query=query)
    return get(module, f"/v1/credit/violators/{case_id}", "/v1/credit/violators/{case_id}",
               params={"case_id": case_id})


def stream_records() -> list[dict[str, Any]]:
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends["123456789012"]["us-east-1"].get_table("violators")
    assert table.stream_shard is not None
    return [json.loads(json.dumps(r.to_json(), default=str)) for r in table.stream_shard.items]


def announced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, dict[str, Any]]]:
    events_fn = load_handler("violator_events")
    published: list[Any] = []
    monkeypatch.setattr(events_fn.publisher, "publish", published.extend)
    events_fn.handler({"Records": stream_records()}, LambdaContext())
    return [(e.detail_type, e.detail) for e in published]


def test_a_case_is_recorded_approved_published_and_removed(
        api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    recorded = record(api)
    assert recorded["statusCode"] == 201, recorded["json"]
    case = recorded["json"]
    assert case["state"] == "pending"
    assert case["tax_office"] == "13501000000"  # the registry's, not the request's
    assert case["deadline"] == "2026-12-15"
    assert [g["code"] for g in case["grounds"]] == ["EVASION"]
    assert record(api)["json"] == case  # the same Idempotency-Key: the first answer
    assert public(api, case["id"])["statusCode"] == 404  # not published before approval

    own = act(api, case["id"], "approval", RECORDER)
    assert own["statusCode"] == 403, own["json"]
    assert "recorded" in own["json"]["detail"]
    assert act(api, case["id"], "approval", OTHER_OFFICE)["statusCode"] == 403

    approved = act(api, case["id"], "approval", APPROVER)
    assert approved["statusCode"] == 200, approved["json"]
    shown = approved["json"]
    assert (shown["state"], shown["listed_on"], shown["late"], shown["period_ends_on"]) == (
        "published", "2026-12-04", False, "2029-12-04")
    assert act(api, case["id"], "approval", APPROVER, key="k-again")["statusCode"] == 409

    entry = public(api, case["id"])
    assert entry["statusCode"] == 200
    assert list(entry["json"]) == [
        "id", "name", "credit_code", "address", "responsible", "facts", "grounds",
        "legal_basis", "penalty", "inspecting_office", "listed_on", "period_ends_on"]
    assert entry["json"]["responsible"] == {"name": "林晓明", "id_number": "350102********1234"}
    assert entry["json"]["inspecting_office"] == "国家税务总局福州市税务局"
    assert RESIDENT_ID not in entry["body"]
    assert "officer-fz" not in entry["body"]
    assert "1500000" not in json.dumps(entry["json"]["grounds"])
    listed = public(api)["json"]["items"]
    assert [e["id"] for e in listed] == [case["id"]]
    assert public(api, query={"office": "13501000000"})["json"]["items"] == listed
    assert public(api, query={"office": "13502000000"})["json"]["items"] == []

    removed = act(api, case["id"], "removal", APPROVER, {"reason": "paid_in_full",
                                                         "note": "已缴清税款、滞纳金和罚款"})
    assert removed["statusCode"] == 200, removed["json"]
    assert (removed["json"]["state"], removed["json"]["removed_on"]) == ("removed", "2026-12-04")
    assert public(api, case["id"])["statusCode"] == 404
    assert public(api)["json"]["items"] == []
    again = act(api, case["id"], "removal", APPROVER, {"reason": "paid_in_full"}, key="k-2")
    assert again["statusCode"] == 409

    assert announced(monkeypatch) == [
        ("ViolatorListed", {"case_id": case["id"], "credit_code": TAXPAYER,
                            "listed_on": "2026-12-04"}),
        ("ViolatorRemoved", {"case_id": case["id"], "credit_code": TAXPAYER,
                             "removed_on": "2026-12-04"})]


def test_a_late_approval_publishes_at_once_and_says_so(api: Any) -> None:
    case = record(api, {**CASE, "served_on": "2026-10-08"})["json"]
    assert case["deadline"] == "2026-11-15"
    approved = act(api, case["id"], "approval", APPROVER)["json"]
    assert (approved["listed_on"], approved["late"]) == ("2026-12-04", True)


def test_a_case_under_every_threshold_is_refused_naming_the_criterion(api: Any) -> None:
    refused = record(api, {**CASE, "facts": {"evaded": "800000.00", "tax_due": "9000000.00"}})
    assert refused["statusCode"] == 422, refused["json"]
    assert refused["json"]["field"] == "facts.evaded"
    assert "EVASION" in refused["json"]["detail"]


def test_the_daily_run_removes_entries_at_the_end_of_their_period(
        api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    case = record(api)["json"]
    act(api, case["id"], "approval", APPROVER)
    removals = load_handler("violator_removals")
    assert removals.handler({"date": "2029-12-03"}, LambdaContext()) == {
        "day": "2029-12-03", "removed": 0}
    assert removals.handler({"date": "2029-12-04"}, LambdaContext()) == {
        "day": "2029-12-04", "removed": 1}
    assert removals.handler({"date": "2029-12-05"}, LambdaContext())["removed"] == 0
    assert public(api, case["id"])["statusCode"] == 404
    assert announced(monkeypatch)[-1] == ("ViolatorRemoved", {
        "case_id": case["id"], "credit_code": TAXPAYER, "removed_on": "2029-12-04"})


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"credit_code": "91350100M000100Y44"}, 422, "credit_code"),
    ({"served_on": "2026-12-05"}, 422, "served_on"),
    ({"served_on": "2021-12-31"}, 422, "served_on"),
    ({"responsible": {"name": "林晓明", "resident_id": "350102199003071235"}}, 422,
     "responsible.resident_id"),
    ({"facts": {"evaded": 1.5}}, 422, "facts.evaded"),
    ({"facts": {"false_ordinary_invoices": -1}}, 422, "facts.false_ordinary_invoices"),
    ({"tax_office": "13501000000"}, 422, "tax_office"),
    ({"summary": "虚开\u202e发票"}, 422, "summary"),  # published text: no bidi override
    ({"responsible": {"name": "林\u200b晓明", "resident_id": "350102199003071234"}}, 422,
     "responsible.name"),
])
def test_bad_cases_name_the_field(api: Any, change: dict[str, Any], status: int,
                                  field: str) -> None:
    answer = record(api, {**CASE, **change}, key=f"k-{field}")
    assert answer["statusCode"] == status, answer["json"]
    assert answer["json"]["field"] == field
    assert RESIDENT_ID[:-1] not in answer["body"]


def test_who_may_record_and_read(api: Any) -> None:
    assert record(api, who=OTHER_OFFICE)["statusCode"] == 403
    assert record(api, who=("taxpayer", TAXPAYER))["statusCode"] == 403
    unregistered = record(api, {**CASE, "credit_code": uscc.complete("91350100MA2R7M8X1")})
    assert unregistered["statusCode"] == 422, unregistered["json"]
    assert unregistered["json"]["field"] == "credit_code"
    assert "registered" in unregistered["json"]["detail"]
    case = record(api)["json"]
    path, resource = f"/v1/violators/cases/{case['id']}", "/v1/violators/cases/{case_id}"
    assert get(api, path, resource, RECORDER, {"case_id": case["id"]})["statusCode"] == 200
    assert get(api, path, resource, OTHER_OFFICE, {"case_id": case["id"]})["statusCode"] == 403
    assert get(api, path, resource, ("taxpayer", TAXPAYER),
               {"case_id": case["id"]})["statusCode"] == 403
    assert public(api, query={"cursor": "nope"})["json"]["field"] == "cursor"
    assert public(api, query={"office": "x"})["json"]["field"] == "office"


def test_the_public_list_pages(api: Any) -> None:
    ids = []
    for n in range(22):
        case = record(api, key=f"k-{n}")["json"]
        act(api, case["id"], "approval", APPROVER, key=f"k-a-{n}")
        ids.append(case["id"])
    first = public(api)["json"]
    assert len(first["items"]) == 20
    second = public(api, query={"cursor": first["cursor"]})["json"]
    assert "cursor" not in second
    assert sorted(e["id"] for e in first["items"] + second["items"]) == sorted(ids)


def test_an_announcement_of_an_approved_case(api: Any) -> None:
    case = record(api)["json"]
    body = {"case_id": case["id"], "title": "福州市税务局稽查局公告",
            "body": "依法查处福州闽江示例科技有限公司偷税案件。"}
    early = post(api, "/v1/violators/announcements", RECORDER, body, "k-ann0",
                 "/v1/violators/announcements")
    assert early["statusCode"] == 409
    act(api, case["id"], "approval", APPROVER)
    made = post(api, "/v1/violators/announcements", RECORDER, body, "k-ann",
                "/v1/violators/announcements")
    assert made["statusCode"] == 201, made["json"]
    listed = get(api, "/v1/violators/announcements", "/v1/violators/announcements")["json"]
    assert [a["id"] for a in listed["items"]] == [made["json"]["id"]]
    assert listed["items"][0]["tax_office"] == "国家税务总局福州市税务局"
    assert public(api)["json"]["items"][0]["id"] == case["id"]  # the list holds cases alone


def waiting(module: Any, who: tuple[str, ...], cursor: str | None = None) -> dict[str, Any]:
    return get(module, "/v1/violators/cases", "/v1/violators/cases", who=who,
               query={"cursor": cursor} if cursor else None)


def test_an_office_lists_its_cases_waiting_for_approval_soonest_deadline_first(
        api: Any) -> None:
    """The second officer's work list: the office's pending cases by deadline, one Query of a
    sparse index; an approved case leaves it; another office sees none of them."""
    later = record(api, {**CASE, "served_on": "2026-12-01",
                         "decision_number": "榕税稽罚〔2026〕90号"}, key="k-later")["json"]
    sooner = record(api, key="k-sooner")["json"]
    assert (sooner["deadline"], later["deadline"]) == ("2026-12-15", "2027-01-15")
    listed = waiting(api, APPROVER)
    assert listed["statusCode"] == 200, listed["json"]
    assert [c["id"] for c in listed["json"]["items"]] == [sooner["id"], later["id"]]
    assert listed["json"]["items"][0]["state"] == "pending"
    assert RESIDENT_ID not in listed["body"]
    assert waiting(api, OTHER_OFFICE)["json"]["items"] == []
    assert waiting(api, ("taxpayer", TAXPAYER))["statusCode"] == 403

    assert act(api, sooner["id"], "approval", APPROVER)["statusCode"] == 200
    assert [c["id"] for c in waiting(api, APPROVER)["json"]["items"]] == [later["id"]]
    forged = waiting(api, APPROVER, cursor="eyJpZCI6IHsiTiI6ICIxIn19")
    assert forged["statusCode"] == 400, forged["json"]
    assert forged["json"]["field"] == "cursor"
