"""The serious tax violators list (D12) on the local stack: a case over the threshold is
recorded, refused to its recorder's own approval, approved by a second officer of the office,
on the public list by its deadline with the published fields alone, announced on the bus for
the credit board (``ViolatorListed``: the listing makes the rating D there), and gone when
removed (``ViolatorRemoved``), early or by the daily run at the end of its period; a case under
the threshold is refused with the criterion named."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
import requests

from etax.rules import uscc
from etax.rules.dates import business_date
from tests.e2e.app_fixtures import bus_tap
from tests.e2e.test_lottery_e2e import register_seller, wait_for
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

RUN = uuid.uuid4().hex[:6]
PARTY = uscc.complete("91350100MA2T" + str(int(RUN, 16) % 100000).zfill(5))  # Fuzhou
FUZHOU = "13501000000"
RESIDENT_ID = "350102199003071234"
PUBLISHED_FIELDS = ["id", "name", "credit_code", "address", "responsible", "facts", "grounds",
                    "legal_basis", "penalty", "inspecting_office", "listed_on",
                    "period_ends_on"]


def case_body(served_on: date, facts: dict[str, Any]) -> dict[str, Any]:
    return {"credit_code": PARTY, "decision_number": f"榕税稽罚〔2026〕{RUN}号",
            "served_on": served_on.isoformat(),
            "responsible": {"name": "王五", "resident_id": RESIDENT_ID}, "facts": facts,
            "summary": "经查，该公司通过少列收入方式少缴增值税等税款150万元。",
            "legal_basis": "《中华人民共和国税收征收管理法》第六十三条",
            "penalty": "追缴税款150万元，处少缴税款一倍罚款"}


OVER = {"evaded": "1500000.00", "tax_due": "9000000.00"}


def post(api: str, path: str, who: dict[str, str], body: Any = None) -> requests.Response:
    return requests.post(f"{api}{path}", json=body if body is not None else {}, timeout=60,
                         headers={**who, "Idempotency-Key": str(uuid.uuid4())})


@pytest.fixture(scope="module")
def officers(api: str, aws: Callable[[str], Any], stack: dict[str, Any]) -> dict[str, Any]:
    register_seller(aws, stack, PARTY, f"福州违法失信端到端示例{RUN}有限公司")
    return {"recorder": bearer(token(api, "officer", "officer-fz-0001", FUZHOU)),
            "approver": bearer(token(api, "officer", "officer-fz-0002", FUZHOU)),
            "xiamen": bearer(token(api, "officer", "officer-xm-0001", "13502000000"))}


@pytest.fixture(scope="module")
def bus(aws: Callable[[str], Any], stack: dict[str, Any]) -> Iterator[str]:
    with bus_tap(aws, stack, "violators", {"source": ["tax.violators"]}) as url:
        yield url


def announced(aws: Callable[[str], Any], url: str, detail_type: str,
              case_id: str) -> dict[str, Any]:
    sqs, seen = aws("sqs"), []

    def probe() -> dict[str, Any] | None:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", []):
            seen.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return next((e for e in seen if e["detail-type"] == detail_type
                     and e["detail"].get("case_id") == case_id), None)

    return wait_for(f"{detail_type} of {case_id}", probe,
                    describe=lambda: [(e["detail-type"], e["detail"]) for e in seen])


def payload(event: dict[str, Any]) -> dict[str, Any]:
    """The event's detail without the platform's envelope (schema_version, occurred_at)."""
    return {k: v for k, v in event["detail"].items()
            if k not in ("schema_version", "occurred_at")}


def test_a_case_is_listed_announced_and_removed(api: str, aws: Callable[[str], Any],
                                                officers: dict[str, Any], bus: str) -> None:
    today = business_date(datetime.now(UTC))
    under = post(api, "/v1/violators/cases", officers["recorder"],
                 case_body(today, {"evaded": "800000.00", "tax_due": "9000000.00"}))
    assert under.status_code == 422, under.text
    assert under.headers["Content-Type"] == "application/problem+json"
    assert under.json()["field"] == "facts.evaded"
    assert "EVASION" in under.json()["detail"]

    assert post(api, "/v1/violators/cases", officers["xiamen"],
                case_body(today, OVER)).status_code == 403  # another office's taxpayer
    recorded = post(api, "/v1/violators/cases", officers["recorder"], case_body(today, OVER))
    assert recorded.status_code == 201, recorded.text
    case = recorded.json()
    assert (case["state"], case["tax_office"]) == ("pending", FUZHOU)
    assert [g["code"] for g in case["grounds"]] == ["EVASION"]
    case_id = case["id"]
    assert requests.get(f"{api}/v1/credit/violators/{case_id}", timeout=60).status_code == 404

    own = post(api, f"/v1/violators/cases/{case_id}/approval", officers["recorder"])
    assert own.status_code == 403, own.text
    assert "recorded" in own.json()["detail"]
    approved = post(api, f"/v1/violators/cases/{case_id}/approval", officers["approver"])
    assert approved.status_code == 200, approved.text
    shown = approved.json()
    assert shown["state"] == "published"
    assert shown["listed_on"] == today.isoformat()
    assert shown["listed_on"] <= shown["deadline"]
    assert shown["late"] is False

    entry = requests.get(f"{api}/v1/credit/violators/{case_id}", timeout=60)
    assert entry.status_code == 200, entry.text
    assert list(entry.json()) == PUBLISHED_FIELDS
    assert entry.json()["credit_code"] == PARTY
    assert entry.json()["responsible"] == {"name": "王五", "id_number": "350102********1234"}
    assert RESIDENT_ID not in entry.text
    assert "officer-fz" not in entry.text
    assert f"〔2026〕{RUN}号" not in entry.text
    listed = requests.get(f"{api}/v1/credit/violators", params={"office": FUZHOU}, timeout=60)
    assert case_id in [e["id"] for e in listed.json()["items"]]

    event = announced(aws, bus, "ViolatorListed", case_id)
    assert payload(event) == {"case_id": case_id, "credit_code": PARTY,
                              "listed_on": today.isoformat()}

    removed = post(api, f"/v1/violators/cases/{case_id}/removal", officers["approver"],
                   {"reason": "paid_in_full", "note": "已缴清税款、滞纳金和罚款"})
    assert removed.status_code == 200, removed.text
    assert requests.get(f"{api}/v1/credit/violators/{case_id}", timeout=60).status_code == 404
    listed = requests.get(f"{api}/v1/credit/violators", params={"office": FUZHOU}, timeout=60)
    assert case_id not in [e["id"] for e in listed.json()["items"]]
    event = announced(aws, bus, "ViolatorRemoved", case_id)
    assert payload(event) == {"case_id": case_id, "credit_code": PARTY,
                              "removed_on": today.isoformat()}


def test_the_daily_run_removes_an_entry_at_the_end_of_its_period(
        api: str, aws: Callable[[str], Any], stack: dict[str, Any], officers: dict[str, Any],
        bus: str) -> None:
    today = business_date(datetime.now(UTC))
    case_id = post(api, "/v1/violators/cases", officers["recorder"],
                   case_body(today, OVER)).json()["id"]
    shown = post(api, f"/v1/violators/cases/{case_id}/approval", officers["approver"]).json()
    ends = shown["period_ends_on"]
    answer = aws("lambda").invoke(FunctionName=stack["ViolatorRemovalsFunctionName"],
                                  Payload=json.dumps({"date": ends}).encode())
    assert "FunctionError" not in answer, answer["Payload"].read()
    assert json.loads(answer["Payload"].read())["removed"] >= 1
    assert requests.get(f"{api}/v1/credit/violators/{case_id}", timeout=60).status_code == 404
    event = announced(aws, bus, "ViolatorRemoved", case_id)
    assert payload(event) == {"case_id": case_id, "credit_code": PARTY, "removed_on": ends}
