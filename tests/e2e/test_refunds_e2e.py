"""The refund pipeline on the local stack over HTTP: a refund from submission to paid and
notified with every stage in its trail (table stream → bus → rule → queue → stage, four
times); a case the automatic check flags, decided by an officer of the right tax office (an
officer of another office gets 403); another taxpayer gets 403; a payment the treasury
refuses ends in the dead-letter queue and, once the cause is lifted, scripts/redrive.py
brings it back and it is paid once; a malformed message lands in its dead-letter queue."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from etax.rules import resident_id
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_notifications_e2e import entries_with
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
PERSON = "350102199003071234"                # demo natural person, Fuzhou (region 3501)
SELLER = "91350100M000100Y43"                # demo company of the Fuzhou tax office
FUZHOU, XIAMEN = "13501000000", "13502000000"
STATES = ["submitted", "checked", "approved", "paid", "notified"]


def person(n: int) -> str:
    first17 = f"35020319850101{n:03d}"         # Xiamen residents made for these tests
    return first17 + resident_id.check_character(first17)


def iit(account: str) -> dict[str, Any]:
    return {"kind": "iit_annual", "year": 2025, "withheld": "1500.00", "tax": "885.60",
            "account": {"bank": "中国银行", "number": account}}


def apply(api: str, who: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    answer = requests.post(f"{api}/v1/refunds", json=body, timeout=60,
                           headers={**who, "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    case: dict[str, Any] = answer.json()
    return case


def read(api: str, who: dict[str, str], case_id: str) -> requests.Response:
    return requests.get(f"{api}/v1/refunds/{case_id}", headers=who, timeout=30)


def state_of(api: str, who: dict[str, str], case_id: str) -> str:
    answer = read(api, who, case_id)
    assert answer.status_code == 200, answer.text
    state: str = answer.json()["state"]
    return state


def wait_state(api: str, who: dict[str, str], case_id: str, state: str,
               timeout: float = 120.0) -> dict[str, Any]:
    def probe() -> dict[str, Any] | None:
        answer = read(api, who, case_id)
        shown: dict[str, Any] = answer.json()
        return shown if shown.get("state") == state else None

    return wait_for(f"case {case_id} to be {state}", probe, timeout=timeout,
                    describe=lambda: read(api, who, case_id).json())


def payments(aws: Any, stack: dict[str, Any], case_id: str) -> list[dict[str, Any]]:
    item = aws("dynamodb").get_item(TableName=stack["RefundTreasuryTableName"],
                                    Key={"key": {"S": f"payment#{case_id}"}},
                                    ConsistentRead=True).get("Item")
    return [item] if item else []


def depth(aws: Any, queue_url: str) -> int | None:
    attributes = aws("sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages",
                                            "ApproximateNumberOfMessagesNotVisible"])[
        "Attributes"]
    count = int(attributes["ApproximateNumberOfMessages"])
    return count or None


@pytest.fixture(scope="module")
def notified_events(aws: Any, stack: dict[str, Any]) -> Iterator[str]:
    """A queue of this test's own behind a rule on the bus for RefundNotified: what the push
    fan-out will see."""
    sqs, events = aws("sqs"), aws("events")
    name = f"e2e-refund-notified-{uuid.uuid4().hex[:6]}"
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"]
    events.put_rule(Name=name, EventBusName=stack["EventBusName"], EventPattern=json.dumps(
        {"source": ["tax.refunds"], "detail-type": ["RefundNotified"]}))
    events.put_targets(Rule=name, EventBusName=stack["EventBusName"],
                       Targets=[{"Id": "q", "Arn": arn}])
    yield url
    events.remove_targets(Rule=name, EventBusName=stack["EventBusName"], Ids=["q"])
    events.delete_rule(Name=name, EventBusName=stack["EventBusName"])
    sqs.delete_queue(QueueUrl=url)


def notification_of(aws: Any, queue_url: str, case_id: str) -> dict[str, Any]:
    seen: list[dict[str, Any]] = []

    def probe() -> dict[str, Any] | None:
        answer = aws("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                            WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            seen.append(json.loads(message["Body"]))
        return next((e for e in seen if e["detail"]["case_id"] == case_id), None)

    return wait_for(f"RefundNotified for {case_id}", probe, timeout=60)


def test_a_refund_from_submission_to_paid_and_notified(api: str, aws: Any,
                                                       stack: dict[str, Any],
                                                       notified_events: str) -> None:
    taxpayer = bearer(token(api, "taxpayer", PERSON))
    case = apply(api, taxpayer, iit("6217000000001234"))
    assert (case["state"], case["amount"], case["tax_office"]) == ("submitted", "614.40",
                                                                   FUZHOU)
    shown = wait_state(api, taxpayer, case["id"], "notified")
    assert [s["state"] for s in shown["stages"]] == STATES
    assert all(s["at"] for s in shown["stages"])
    times = [s["at"] for s in shown["stages"]]
    assert times == sorted(times)
    assert shown["approved_amount"] == "614.40"
    assert shown["payment"]["treasury_ref"].startswith("GK")
    [payment] = payments(aws, stack, case["id"])
    assert int(payment["amount_fen"]["N"]) == 614_40
    assert payment["reference"]["S"] == shown["payment"]["treasury_ref"]
    event = notification_of(aws, notified_events, case["id"])
    assert event["source"] == "tax.refunds"
    assert event["detail"]["notification"] == {
        "id": f"refund:{case['id']}:paid", "recipient": PERSON, "kind": "refund.paid",
        "title": "退税已退付", "body": event["detail"]["notification"]["body"],
        "link": f"/v1/refunds/{case['id']}"}
    assert "614.40" in event["detail"]["notification"]["body"]
    # and the applicant finds it in the inbox, once, through the push fan-out
    nid = f"refund:{case['id']}:paid"
    [entry] = wait_for("the refund's notification in the applicant's inbox",
                       lambda: entries_with(api, taxpayer, nid) or None)
    assert (entry["kind"], entry["source"]) == ("refund.paid", "tax.refunds")
    assert entry["link"] == f"/v1/refunds/{case['id']}"
    mine = requests.get(f"{api}/v1/refunds", headers=taxpayer, timeout=30)
    assert mine.status_code == 200, mine.text
    assert case["id"] in [i["id"] for i in mine.json()["items"]]
    # the applicant's office may read it, an admin too; another taxpayer may not
    assert read(api, bearer(token(api, "officer", "officer-fz-0001", FUZHOU)),
                case["id"]).status_code == 200
    assert read(api, bearer(token(api, "admin", "admin-0001")), case["id"]).status_code == 200
    stranger = read(api, bearer(token(api, "taxpayer", person(1))), case["id"])
    assert stranger.status_code == 403
    assert stranger.headers["Content-Type"] == "application/problem+json"
    seller = read(api, bearer(token(api, "taxpayer", SELLER)), case["id"])
    assert seller.status_code == 403


def test_a_flagged_case_is_decided_by_an_officer_of_its_office(api: str, aws: Any,
                                                               stack: dict[str, Any]) -> None:
    seller = bearer(token(api, "taxpayer", SELLER))
    body = {"kind": "general", "tax_type": "vat", "period": "2026-09", "paid": "80000.00",
            "due": "10000.00", "account": {"bank": "兴业银行", "number": "117010100100012345"}}
    case = apply(api, seller, body)
    assert case["tax_office"] == FUZHOU
    flagged = wait_state(api, seller, case["id"], "review")
    assert flagged["flags"] == ["amount_above_review_threshold"]
    fuzhou = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    xiamen = bearer(token(api, "officer", "officer-xm-0001", XIAMEN))

    listed = requests.get(f"{api}/v1/refunds", params={"state": "review"}, headers=fuzhou,
                          timeout=30)
    assert listed.status_code == 200, listed.text
    assert case["id"] in [i["id"] for i in listed.json()["items"]]
    other = requests.get(f"{api}/v1/refunds", headers=xiamen, timeout=30).json()
    assert case["id"] not in [i["id"] for i in other["items"]]

    assert read(api, xiamen, case["id"]).status_code == 403
    refused = requests.post(f"{api}/v1/refunds/{case['id']}/approve", json={}, timeout=30,
                            headers={**xiamen, "Idempotency-Key": str(uuid.uuid4())})
    assert refused.status_code == 403, refused.text
    approved = requests.post(f"{api}/v1/refunds/{case['id']}/approve",
                             json={"note": "资料齐全，核实无误"}, timeout=30,
                             headers={**fuzhou, "Idempotency-Key": str(uuid.uuid4())})
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "checked"
    shown = wait_state(api, seller, case["id"], "notified")
    assert [(s["state"], s["by"]) for s in shown["stages"]] == [
        ("submitted", SELLER), ("review", "system:checks"),
        ("checked", "officer:officer-fz-0001"), ("approved", "system:approval"),
        ("paid", "treasury"), ("notified", "system:notify")]
    assert len(payments(aws, stack, case["id"])) == 1
    assert int(payments(aws, stack, case["id"])[0]["amount_fen"]["N"]) == 70_000_00


def test_a_refused_payment_is_dead_lettered_then_redriven_and_paid_once(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    account = f"6228{uuid.uuid4().int % 10**12:012d}"
    treasury = stack["RefundTreasuryTableName"]
    dynamodb = aws("dynamodb")
    dynamodb.put_item(TableName=treasury, Item={"key": {"S": f"frozen#{account}"}})
    applicant = person(2)
    taxpayer = bearer(token(api, "taxpayer", applicant))
    case = apply(api, taxpayer, iit(account))
    assert case["tax_office"] == XIAMEN
    dlq, queue = stack["RefundPaymentDeadLetterQueueUrl"], stack["RefundPaymentQueueUrl"]
    wait_for("the payment's dead letter", lambda: depth(aws, dlq), timeout=180,
             describe=lambda: read(api, taxpayer, case["id"]).json())
    stuck = read(api, taxpayer, case["id"]).json()
    assert stuck["state"] == "approved"
    assert stuck["payment"]["attempts"] >= 3
    assert "frozen" in stuck["payment"]["last_error"]
    assert payments(aws, stack, case["id"]) == []

    dynamodb.delete_item(TableName=treasury, Key={"key": {"S": f"frozen#{account}"}})
    moved = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "redrive.py"), dlq, queue,
         "--endpoint-url", stack["Endpoint"]],
        capture_output=True, text=True, timeout=120,
        env={"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
             "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"})
    assert moved.returncode == 0, moved.stderr
    assert "moved 1 message" in moved.stdout
    shown = wait_state(api, taxpayer, case["id"], "notified")
    assert [s["state"] for s in shown["stages"]] == STATES
    assert len(payments(aws, stack, case["id"])) == 1


def test_a_malformed_message_lands_in_the_dead_letter_queue(api: str, aws: Any,
                                                            stack: dict[str, Any]) -> None:
    aws("sqs").send_message(QueueUrl=stack["RefundChecksQueueUrl"],
                            MessageBody='{"detail-type": "RefundSubmitted", "detail": {}}')
    wait_for("the malformed message's dead letter",
             lambda: depth(aws, stack["RefundChecksDeadLetterQueueUrl"]), timeout=180)
    # the pipeline goes on for everyone else
    taxpayer = bearer(token(api, "taxpayer", person(3)))
    case = apply(api, taxpayer, iit("6217000000009999"))
    wait_state(api, taxpayer, case["id"], "notified")
