"""Complaints and reports (D12) over moto: a named complaint and an anonymous report from
filing to rating; routing by the registry (never by an office the filer names); the filer,
the responsible office and admins read a case, another taxpayer and another office get 403;
a wrong secret is 404 like an unknown code; rating twice is 409 naming the field; the
escalation run escalates an overdue case once and announces it; no answer names the filer."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from tests.functional.conftest import ApiCalls, LambdaContext, call, load_handler
from tests.functional.test_acceptance_registration import put_record
from tests.functional.test_invoices import request

FILER = ("taxpayer", "350102199003071234")
OTHER = ("taxpayer", "350102198512120021")
REPORTED = "91350100M000100Y43"  # registered with the Fuzhou office
FUZHOU = ("officer", "officer-fz-0001", "13501000000")
XIAMEN = ("officer", "officer-xm-0001", "13502000000")
ADMIN = ("admin", "admin-0001")
COMPLAINT = {"kind": "service_attitude", "title": "办税服务厅窗口人员态度生硬",
             "facts": "2026年12月1日上午在办税服务厅3号窗口办理发票领用时，"
                      "工作人员拒绝解释所需资料。",
             "office": "13502000000"}
REPORT = {"kind": "violation", "title": "虚开发票线索",
          "facts": "该公司对外销售时要求客户另付税点即可开具与实际业务不符的增值税专用发票。",
          "reported": REPORTED}


@pytest.fixture
def api(aws: None) -> Any:
    put_record(REPORTED)
    return load_handler("complaints")


def post(module: Any, path: str, body: Any, who: tuple[str, ...] | None, key: str = "k-1",
         resource: str | None = None, params: dict[str, str] | None = None,
         secret: str | None = None) -> dict[str, Any]:
    event = request("POST", path, body=body, who=who, key=key, resource=resource,
                    params=params)
    if secret is not None:
        event["headers"]["X-Report-Secret"] = secret
        event["multiValueHeaders"]["X-Report-Secret"] = [secret]
    return call(module, event)


def get(module: Any, path: str, who: tuple[str, ...] | None, resource: str | None = None,
        params: dict[str, str] | None = None, secret: str | None = None,
        query: dict[str, str] | None = None) -> dict[str, Any]:
    event = request("GET", path, who=who, resource=resource, params=params)
    if secret is not None:
        event["headers"]["X-Report-Secret"] = secret
        event["multiValueHeaders"]["X-Report-Secret"] = [secret]
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} \
        if query else None
    return call(module, event)


def act(module: Any, case_id: str, action: str, body: Any, who: tuple[str, ...],
        key: str | None = None) -> dict[str, Any]:
    return post(module, f"/v1/complaints/{case_id}/{action}", body, who,
                key or f"k-{action}-{who[1]}", f"/v1/complaints/{{complaint_id}}/{action}",
                {"complaint_id": case_id})


def read(module: Any, case_id: str, who: tuple[str, ...]) -> dict[str, Any]:
    return get(module, f"/v1/complaints/{case_id}", who, "/v1/complaints/{complaint_id}",
               {"complaint_id": case_id})


def follow(module: Any, code: str, secret: str) -> dict[str, Any]:
    return get(module, f"/v1/reports/{code}", None, "/v1/reports/{tracking_code}",
               {"tracking_code": code}, secret=secret)


def test_a_complaint_runs_from_filing_to_rating(api: Any) -> None:
    filed = post(api, "/v1/complaints", COMPLAINT, FILER)
    assert filed["statusCode"] == 201, filed["json"]
    case = filed["json"]
    assert case["state"] == "filed"
    assert case["office"] == "13502000000"  # the office complained about handles it
    assert case["named"] is True
    assert case["due_on"] > case["filed_at"][:10]
    assert FILER[1] not in json.dumps(case)
    replay = post(api, "/v1/complaints", COMPLAINT, FILER)
    assert replay["json"]["id"] == case["id"]  # the same key: the first answer

    assert read(api, case["id"], OTHER)["statusCode"] == 403
    assert read(api, case["id"], FUZHOU)["statusCode"] == 403
    assert act(api, case["id"], "accept", {}, FUZHOU)["statusCode"] == 403
    assert read(api, case["id"], ADMIN)["statusCode"] == 200

    queue = get(api, "/v1/complaints", XIAMEN)
    assert [c["id"] for c in queue["json"]["items"]] == [case["id"]]
    assert FILER[1] not in json.dumps(queue["json"])
    early = act(api, case["id"], "answer", {"answer": "经调查，已责令窗口人员整改。"}, XIAMEN)
    assert early["statusCode"] == 409
    assert early["json"]["field"] == "state"
    accepted = act(api, case["id"], "accept", {"note": "已受理，正在调查"}, XIAMEN)
    assert accepted["statusCode"] == 200, accepted["json"]
    assert accepted["json"]["state"] == "accepted"
    answered = act(api, case["id"], "answer",
                   {"answer": "经调查，投诉属实，已责令窗口人员整改并致歉。"}, XIAMEN)
    assert answered["json"]["state"] == "answered"
    assert FILER[1] not in json.dumps(answered["json"])

    assert act(api, case["id"], "rating", {"rating": 4}, XIAMEN)["statusCode"] == 403
    assert act(api, case["id"], "rating", {"rating": 4}, OTHER)["statusCode"] == 403
    rated = act(api, case["id"], "rating", {"rating": 4, "comment": "处理及时"}, FILER)
    assert rated["statusCode"] == 200, rated["json"]
    assert (rated["json"]["state"], rated["json"]["rating"]) == ("rated", 4)
    twice = act(api, case["id"], "rating", {"rating": 5}, FILER, key="k-again")
    assert twice["statusCode"] == 409
    assert twice["json"]["field"] == "rating"
    events = [step["event"] for step in read(api, case["id"], FILER)["json"]["history"]]
    assert events == ["filed", "accepted", "answered", "rated"]
    mine = get(api, "/v1/me/complaints", FILER)["json"]["items"]
    assert [c["id"] for c in mine] == [case["id"]]


def test_an_anonymous_report_goes_to_the_reported_taxpayers_office(api: Any) -> None:
    filed = post(api, "/v1/reports", REPORT, None)
    assert filed["statusCode"] == 201, filed["json"]
    code, secret = filed["json"]["tracking_code"], filed["json"]["secret"]
    assert filed["json"]["case"]["office"] == "13501000000"  # the registry's office
    assert filed["json"]["case"]["named"] is False
    item = boto3.client("dynamodb").get_item(TableName="complaints",
                                             Key={"pk": {"S": f"case#{code}"}})["Item"]
    assert secret not in json.dumps(item)  # only the salted hash is kept
    assert "filer" not in item

    assert follow(api, code, secret)["json"]["state"] == "filed"
    wrong = follow(api, code, secret[:-1] + ("A" if secret[-1] != "A" else "B"))
    unknown = follow(api, "AAAAAAAAAAAAAAAA", secret)
    assert wrong["statusCode"] == unknown["statusCode"] == 404
    assert wrong["json"]["detail"] == unknown["json"]["detail"]
    assert follow(api, code, "")["statusCode"] == 404

    assert read(api, code, XIAMEN)["statusCode"] == 403
    assert act(api, code, "accept", {}, FUZHOU)["json"]["state"] == "accepted"
    act(api, code, "answer", {"answer": "经查，举报线索部分属实，已依法处理。"}, FUZHOU)
    rating = {"tracking_code": code}
    rated = post(api, f"/v1/reports/{code}/rating", {"rating": 5}, None, key="",
                 resource="/v1/reports/{tracking_code}/rating", params=rating, secret=secret)
    assert rated["statusCode"] == 200, rated["json"]
    assert rated["json"]["rating"] == 5
    again = post(api, f"/v1/reports/{code}/rating", {"rating": 1}, None, key="",
                 resource="/v1/reports/{tracking_code}/rating", params=rating, secret=secret)
    assert again["statusCode"] == 409
    assert again["json"]["field"] == "rating"
    stranger = post(api, f"/v1/reports/{code}/rating", {"rating": 1}, None, key="",
                    resource="/v1/reports/{tracking_code}/rating", params=rating,
                    secret="not-the-secret")
    assert stranger["statusCode"] == 404


def test_the_filer_cannot_choose_a_reports_office(api: Any) -> None:
    chosen = post(api, "/v1/complaints", {**REPORT, "office": "13502000000"}, FILER)
    assert chosen["statusCode"] == 422
    assert chosen["json"]["field"] == "office"
    unregistered = post(api, "/v1/reports", {**REPORT, "reported": "91350100MA2Y8KXX1B"},
                        None)
    assert unregistered["statusCode"] == 422
    assert unregistered["json"]["field"] == "reported"


@pytest.mark.parametrize(("body", "field"), [
    ({**COMPLAINT, "kind": "weather"}, "kind"),
    ({**COMPLAINT, "title": ""}, "title"),
    ({**COMPLAINT, "facts": "税" * 2001}, "facts"),
    ({**COMPLAINT, "facts": "十个字以上的事实\u202e说明文字"}, "facts"),
    ({**COMPLAINT, "office": "135"}, "office"),
    ({k: v for k, v in COMPLAINT.items() if k != "office"}, "office"),
    ({**REPORT, "reported": "not-a-code"}, "reported"),
    ({**COMPLAINT, "filer": "someone"}, "filer"),
])
def test_bad_cases_name_the_field(api: Any, body: dict[str, Any], field: str) -> None:
    refused = post(api, "/v1/complaints", body, FILER)
    assert refused["statusCode"] == 422, refused["json"]
    assert refused["json"]["field"] == field


def test_a_service_complaint_cannot_be_anonymous(api: Any) -> None:
    refused = post(api, "/v1/reports", COMPLAINT, None)
    assert refused["statusCode"] == 422
    assert refused["json"]["field"] == "kind"


@pytest.mark.parametrize("rating", [0, 6, "5", 4.5, True])
def test_a_rating_is_a_whole_number_from_1_to_5(api: Any, rating: Any) -> None:
    case = post(api, "/v1/complaints", COMPLAINT, FILER)["json"]
    refused = act(api, case["id"], "rating", {"rating": rating}, FILER, key=f"k-{rating}")
    assert refused["statusCode"] == 422
    assert refused["json"]["field"] == "rating"


def test_the_escalation_run_escalates_an_overdue_case_once(api: Any,
                                                            api_calls: ApiCalls) -> None:
    open_case = post(api, "/v1/complaints", COMPLAINT, FILER)["json"]
    answered = post(api, "/v1/complaints", COMPLAINT, FILER, key="k-2")["json"]
    act(api, answered["id"], "accept", {}, XIAMEN)
    act(api, answered["id"], "answer", {"answer": "经调查，已责令窗口人员整改。"}, XIAMEN)
    run = load_handler("complaints_escalation")
    api_calls.clear()
    ahead = {"time": "2027-06-01T02:00:00Z"}
    summary = run.handler(ahead, LambdaContext())
    assert summary == {"day": "2027-06-01", "overdue": 1, "escalated": 1, "already": 0}
    assert "Scan" not in api_calls.of("dynamodb")
    [put] = [args for service, op, args in api_calls.calls if op == "PutEvents"]
    [entry] = put["Entries"]
    detail = json.loads(entry["Detail"])
    assert (entry["DetailType"], detail["case_id"]) == ("ComplaintEscalated", open_case["id"])
    assert detail["notification"]["recipient"] == FILER[1]
    assert run.handler(ahead, LambdaContext())["escalated"] == 0  # once
    shown = read(api, open_case["id"], FILER)["json"]
    assert shown["escalated"] is True
    assert shown["escalations"][0]["on"] == "2027-06-01"
    assert shown["history"][-1]["event"] == "escalated"
    assert read(api, answered["id"], FILER)["json"]["escalated"] is False
    today = datetime.now(UTC).isoformat()
    assert run.handler({"time": today}, LambdaContext())["overdue"] == 0


@pytest.mark.parametrize("key", [
    {"office": {"S": "13501000000"}, "pk": {"N": "1"}, "queued": {"S": "x"}},  # a wrong type
    {"office": {"S": "13501000000"}, "pk": {"S": "case#x"}, "queued": {"S": "x"},
     "extra": {"S": "y"}},  # an attribute the index's key has not
    {"office": {"S": "13502000000"}, "pk": {"S": "case#x"}, "queued": {"S": "x"}},  # Xiamen's
])
def test_a_forged_cursor_is_a_400_naming_the_cursor(api: Any,
                                                    key: dict[str, Any]) -> None:
    import base64
    cursor = base64.urlsafe_b64encode(json.dumps(key).encode()).decode()
    answer = get(api, "/v1/complaints", FUZHOU, query={"cursor": cursor})
    assert answer["statusCode"] == 400, answer["body"]
    assert json.loads(answer["body"])["field"] == "cursor"
