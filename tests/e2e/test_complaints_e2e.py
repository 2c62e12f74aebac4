"""Complaints and reports (D12) on the local stack: a named complaint and an anonymous report
run from filing to rating; another taxpayer and an officer of another office get 403; a wrong
secret is 404; rating twice is 409 naming the field; bad input names the field; a missed
deadline escalates (the escalation function invoked directly with a day far ahead), and the
named filer finds the escalation in the inbox."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
import requests

from tests.e2e.test_acceptance_e2e import person_id
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_notifications_e2e import entries_with
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

RUN = uuid.uuid4().hex[:6]
FILER, OTHER = person_id(600 + int(RUN, 16) % 100), person_id(500 + int(RUN, 16) % 100)
REPORTED = "91350100M000100Y43"  # demo data: registered with the Fuzhou office
FUZHOU, XIAMEN = "13501000000", "13502000000"
COMPLAINT = {"kind": "service_attitude", "title": f"窗口人员态度生硬（端到端{RUN}）",
             "facts": "在办税服务厅办理发票领用时，窗口工作人员拒绝一次性告知所需资料。",
             "office": XIAMEN}
REPORT = {"kind": "violation", "title": f"虚开发票线索（端到端{RUN}）",
          "facts": "该公司对外要求客户另付税点即可开具与实际业务不符的增值税专用发票。",
          "reported": REPORTED}


def post(api: str, path: str, who: dict[str, str], body: Any) -> requests.Response:
    return requests.post(f"{api}{path}", json=body, timeout=60,
                         headers={**who, "Idempotency-Key": str(uuid.uuid4())})


@pytest.fixture(scope="module")
def people(api: str) -> dict[str, dict[str, str]]:
    return {"filer": bearer(token(api, "taxpayer", FILER)),
            "other": bearer(token(api, "taxpayer", OTHER)),
            "reported": bearer(token(api, "taxpayer", REPORTED)),
            "fuzhou": bearer(token(api, "officer", "officer-fz-0001", FUZHOU)),
            "xiamen": bearer(token(api, "officer", "officer-xm-0001", XIAMEN))}


def test_a_complaint_runs_from_filing_to_rating(api: str,
                                               people: dict[str, dict[str, str]]) -> None:
    filed = post(api, "/v1/complaints", people["filer"], COMPLAINT)
    assert filed.status_code == 201, filed.text
    case = filed.json()
    assert (case["state"], case["office"], case["named"]) == ("filed", XIAMEN, True)
    path = f"/v1/complaints/{case['id']}"

    for who in ("other", "fuzhou"):
        refused = requests.get(f"{api}{path}", headers=people[who], timeout=60)
        assert refused.status_code == 403, (who, refused.text)
    queue = requests.get(f"{api}/v1/complaints", params={"state": "filed"},
                         headers=people["xiamen"], timeout=60).json()["items"]
    assert case["id"] in [c["id"] for c in queue]
    assert FILER not in json.dumps(queue)

    assert post(api, f"{path}/accept", people["fuzhou"], {}).status_code == 403
    accepted = post(api, f"{path}/accept", people["xiamen"], {"note": "已受理，正在调查"})
    assert accepted.status_code == 200, accepted.text
    answered = post(api, f"{path}/answer", people["xiamen"],
                    {"answer": "经调查，投诉属实，已责令窗口人员整改并向您致歉。"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["state"] == "answered"
    assert FILER not in answered.text

    assert post(api, f"{path}/rating", people["other"], {"rating": 5}).status_code == 403
    rated = post(api, f"{path}/rating", people["filer"], {"rating": 4, "comment": "处理及时"})
    assert rated.status_code == 200, rated.text
    twice = post(api, f"{path}/rating", people["filer"], {"rating": 5})
    assert twice.status_code == 409, twice.text
    assert twice.json()["field"] == "rating"
    shown = requests.get(f"{api}{path}", headers=people["filer"], timeout=60).json()
    assert [s["event"] for s in shown["history"]] == ["filed", "accepted", "answered", "rated"]
    mine = requests.get(f"{api}/v1/me/complaints", headers=people["filer"], timeout=60).json()
    assert case["id"] in [c["id"] for c in mine["items"]]


def test_an_anonymous_report_runs_from_filing_to_rating(
        api: str, people: dict[str, dict[str, str]]) -> None:
    filed = requests.post(f"{api}/v1/reports", json=REPORT, timeout=60)
    assert filed.status_code == 201, filed.text
    code, secret = filed.json()["tracking_code"], filed.json()["secret"]
    assert filed.json()["case"]["office"] == FUZHOU  # the registry's office of the reported
    report = f"{api}/v1/reports/{code}"
    followed = requests.get(report, headers={"X-Report-Secret": secret}, timeout=60)
    assert followed.status_code == 200, followed.text
    assert followed.json()["state"] == "filed"
    wrong = requests.get(report, headers={"X-Report-Secret": secret[::-1]}, timeout=60)
    assert wrong.status_code == 404, wrong.text
    assert wrong.json()["field"] == "tracking_code"

    path = f"/v1/complaints/{code}"
    for who in ("reported", "xiamen"):
        refused = requests.get(f"{api}{path}", headers=people[who], timeout=60)
        assert refused.status_code == 403, (who, refused.text)
    assert post(api, f"{path}/accept", people["fuzhou"], {}).status_code == 200
    answered = post(api, f"{path}/answer", people["fuzhou"],
                    {"answer": "经查，检举线索部分属实，已依法处理。"})
    assert answered.status_code == 200, answered.text
    assert answered.json()["named"] is False

    rated = requests.post(f"{report}/rating", json={"rating": 5}, timeout=60,
                          headers={"X-Report-Secret": secret})
    assert rated.status_code == 200, rated.text
    assert rated.json()["state"] == "rated"
    twice = requests.post(f"{report}/rating", json={"rating": 1}, timeout=60,
                          headers={"X-Report-Secret": secret})
    assert twice.status_code == 409, twice.text
    assert twice.json()["field"] == "rating"


@pytest.mark.parametrize(("body", "field"), [
    ({**COMPLAINT, "kind": "weather"}, "kind"),
    ({**COMPLAINT, "facts": "太短"}, "facts"),
    ({**COMPLAINT, "title": "标题\u202e"}, "title"),
    ({**REPORT, "office": XIAMEN}, "office"),
    ({**REPORT, "reported": "91350100MA2Y8KXX1C"}, "reported"),
])
def test_bad_input_names_the_field(api: str, people: dict[str, dict[str, str]],
                                   body: dict[str, Any], field: str) -> None:
    refused = post(api, "/v1/complaints", people["filer"], body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == field


def test_a_missed_deadline_escalates(api: str, aws: Any, stack: dict[str, Any],
                                     people: dict[str, dict[str, str]]) -> None:
    filed = post(api, "/v1/complaints", people["filer"],
                 {**COMPLAINT, "kind": "service_quality", "title": f"逾期未办结（{RUN}）"})
    assert filed.status_code == 201, filed.text
    case = filed.json()
    invoke = aws("lambda").invoke(FunctionName=stack["ComplaintsEscalationFunctionName"],
                                  Payload=json.dumps({"time": "2030-01-02T02:00:00Z"}).encode())
    assert "FunctionError" not in invoke, invoke["Payload"].read()
    summary = json.loads(invoke["Payload"].read())
    assert summary["day"] == "2030-01-02"
    assert summary["escalated"] >= 1
    shown = requests.get(f"{api}/v1/complaints/{case['id']}", headers=people["filer"],
                         timeout=60).json()
    assert shown["escalated"] is True
    assert shown["escalations"][0]["on"] == "2030-01-02"
    assert shown["escalations"][0]["due_on"] == case["due_on"]
    again = aws("lambda").invoke(FunctionName=stack["ComplaintsEscalationFunctionName"],
                                 Payload=json.dumps({"time": "2030-01-03T02:00:00Z"}).encode())
    assert case["id"] not in str(again["Payload"].read())  # escalated once
    shown = requests.get(f"{api}/v1/complaints/{case['id']}", headers=people["filer"],
                         timeout=60).json()
    assert len(shown["escalations"]) == 1
    wait_for("the escalation in the filer's inbox",
             lambda: entries_with(api, people["filer"], f"complaint-escalated:{case['id']}")
             or None)
