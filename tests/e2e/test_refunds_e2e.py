"""The refund pipeline on the local stack over HTTP.

Refunds are due only from the platform's records: an overpayment made through filing
(two payments confirmed by their providers for one liability) is refunded exactly once, to the
fen, while applications race and stage messages are delivered again; the annual
reconciliation's refund is the filed return's, once; the claims that have no record behind
them — an unregistered person, an obligation the ledger shows no overpayment on, a second case
for the same obligation, an IIT refund without a filed return, an export citing an unknown or
someone else's invoice — are refused with the reason, and nothing is paid. Then the pipeline
itself: every stage in the trail (table stream → bus → rule → queue → stage, four times), the
notification in the inbox; a case the automatic check flags, decided by an officer of its
office (another office gets 403); a payment the treasury refuses ends in the dead-letter queue
and, once the cause is lifted, scripts/redrive.py brings it back and it is paid once; a
malformed message lands in its dead-letter queue."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
import requests

from etax.rules import money, resident_id
from etax.simulations.payments import SimulatedProvider
from tests.e2e.app_fixtures import bus_tap
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_notifications_e2e import entries_with
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
PERSON = "350102199003071234"                # demo natural person, Fuzhou (region 3501)
SELLER = "91350100M000100Y43"                # demo company of the Fuzhou tax office (general)
RETAILER = "91350100MA2Y8KXX1B"              # demo company (small-scale), Fuzhou
FUZHOU, XIAMEN = "13501000000", "13502000000"
STATES = ["submitted", "checked", "approved", "paid", "notified"]


def person(n: int) -> str:
    first17 = f"35020319860202{n:03d}"         # Xiamen residents made for these tests
    return first17 + resident_id.check_character(first17)


def account(bank: str = "中国银行") -> dict[str, str]:
    """A fresh account the simulated bank confirms (its last four digits decide)."""
    return {"bank": bank, "number": f"6217{uuid.uuid4().int % 10**8:08d}5678"}


def post(api: str, path: str, who: dict[str, str], body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{api}{path}", json=body, timeout=60,
                         headers={**who, "Idempotency-Key": str(uuid.uuid4())})


def register(api: str, who: dict[str, str], subject: str, office: str) -> None:
    """A natural person registers with the real-name check (201, or 409 if it did before)."""
    answer = post(api, "/v1/registration/natural-persons", who, {
        "resident_id": subject, "name": "陈小明", "bank_card": "622202020011003345",
        "phone": "13800138000", "tax_office_code": office})
    assert answer.status_code in (201, 409), answer.text


def filed_iit(api: str, who: dict[str, str], subject: str, year: int = 2025) -> dict[str, Any]:
    """The annual reconciliation of ``year`` filed: sources.md#iit's example, 885.60 of tax against
    1,500.00 withheld, 614.40 to refund."""
    created = post(api, "/v1/filing/obligations", who,
                   {"taxpayer": subject, "tax_type": "iit_annual", "period": str(year)})
    assert created.status_code == 201, created.text
    filed = post(api, f"/v1/filing/obligations/{created.json()['obligation_id']}/return", who, {
        "kind": "iit_annual", "data": {"income": "120000", "social_insurance": "12480",
                                       "special_additional": {"child_education": "18000"},
                                       "withheld": "1500"}})
    assert filed.status_code == 201, filed.text
    shown: dict[str, Any] = filed.json()
    assert shown["liability"]["refund_due"] == "614.40"
    return shown


@pytest.fixture(scope="module")
def master(aws: Any, stack: dict[str, Any]) -> bytes:
    secret = aws("secretsmanager").get_secret_value(SecretId=stack["PaymentCallbackSecretArn"])
    return str(json.loads(secret["SecretString"])["key"]).encode()


def overpaid(api: str, master: bytes, who: dict[str, str], taxpayer: str, period: str,
             kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """An obligation filed, then paid twice in full (two payments started before either was
    confirmed, both confirmed by their providers): the ledger shows the tax overpaid."""
    created = post(api, "/v1/filing/obligations", who,
                   {"taxpayer": taxpayer, "tax_type": "vat", "period": period})
    assert created.status_code == 201, created.text
    oid = created.json()["obligation_id"]
    filed = post(api, f"/v1/filing/obligations/{oid}/return", who, {"kind": kind, "data": data})
    assert filed.status_code == 201, filed.text
    due = filed.json()["liability"]["outstanding"]
    started = [post(api, f"/v1/filing/obligations/{oid}/payments", who,
                    {"method": method, "amount": due}) for method in ("pos", "third_party")]
    for payment in started:
        assert payment.status_code == 201, payment.text
        body, headers = SimulatedProvider(payment.json()["method"], master).callback(
            payment.json()["payment_id"], money.parse_yuan(due))
        confirmed = requests.post(f"{api}/v1/filing/callbacks/{payment.json()['method']}",
                                  data=body, headers=headers, timeout=60)
        assert confirmed.status_code == 200, confirmed.text
    shown = requests.get(f"{api}/v1/filing/obligations/{oid}", headers=who, timeout=60).json()
    assert shown["liability"]["overpaid"] == due
    result: dict[str, Any] = shown
    return result


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
    with bus_tap(aws, stack, "refund-notified", {"source": ["tax.refunds"],
                                                 "detail-type": ["RefundNotified"]}) as url:
        yield url


def notification_of(aws: Any, queue_url: str, case_id: str) -> dict[str, Any]:
    seen: list[dict[str, Any]] = []

    def probe() -> dict[str, Any] | None:
        answer = aws("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                            WaitTimeSeconds=1)
        for message in answer.get("Messages", []):
            seen.append(json.loads(message["Body"]))
        return next((e for e in seen if e["detail"]["case_id"] == case_id), None)

    return wait_for(f"RefundNotified for {case_id}", probe, timeout=60)


def refused(api: str, who: dict[str, str], body: dict[str, Any], status: int,
            field: str) -> dict[str, Any]:
    answer = requests.post(f"{api}/v1/refunds", json=body, timeout=60,
                           headers={**who, "Idempotency-Key": str(uuid.uuid4())})
    assert (answer.status_code, answer.json().get("field")) == (status, field), answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    return problem


def test_an_overpayment_made_through_filing_is_refunded_exactly_once(
        api: str, aws: Any, stack: dict[str, Any], master: bytes) -> None:
    retailer = bearer(token(api, "taxpayer", RETAILER))
    ledger = overpaid(api, master, retailer, RETAILER, "2024-03", "vat_small_scale",
                      {"sales": "150000.00"})
    oid = ledger["obligation_id"]
    # 150,000 × 1 % = 1,500.00 of tax, plus the surcharge of a 2024 period paid today, twice
    due = ledger["liability"]["overpaid"]
    assert ledger["liability"]["refundable"] == due
    assert money.parse_yuan(due) > 1500_00
    body = {"kind": "general", "obligation_id": oid, "account": account("兴业银行")}
    # five applications at once for the same obligation: one case; each other one finds the
    # obligation held by that case (409) or, handled after the case was already paid (a
    # cold start can take longer than the pipeline), nothing left to refund (422)
    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(lambda _: post(api, "/v1/refunds", retailer, body), range(5)))
    created = [a for a in answers if a.status_code == 201]
    assert len(created) == 1, [a.text for a in answers]
    others = [a for a in answers if a.status_code != 201]
    assert all(a.status_code in (409, 422) for a in others), [a.text for a in others]
    assert all(a.json()["field"] == "obligation_id" for a in others)
    assert all("nothing to refund" in a.json()["detail"] for a in others if a.status_code == 422)
    case = created[0].json()
    assert (case["amount"], case["obligation_id"], case["tax_office"]) == (due, oid, FUZHOU)
    assert case["computation"]["paid"] == money.format_yuan(2 * money.parse_yuan(due))
    shown = wait_state(api, retailer, case["id"], "notified")
    assert shown["approved_amount"] == due
    # the payment stage's message delivered twice more (a redelivery, a redrive): paid once
    approved = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "RefundApproved",
                "source": "tax.refunds", "detail": {"schema_version": 1, "case_id": case["id"]}}
    for _ in range(2):
        aws("sqs").send_message(QueueUrl=stack["RefundPaymentQueueUrl"],
                                MessageBody=json.dumps(approved))
    [payment] = payments(aws, stack, case["id"])
    assert int(payment["amount_fen"]["N"]) == money.parse_yuan(due)  # to the fen
    after = requests.get(f"{api}/v1/filing/obligations/{oid}", headers=retailer,
                         timeout=60).json()["liability"]
    assert (after["refunded"], after["refundable"]) == (due, "0.00")
    nothing = refused(api, retailer, body, 422, "obligation_id")
    assert "nothing to refund" in nothing["detail"]
    wait_for("the redelivered messages to be consumed",
             lambda: True if depth(aws, stack["RefundPaymentQueueUrl"]) is None else None)
    assert len(payments(aws, stack, case["id"])) == 1
    assert read(api, retailer, case["id"]).json()["state"] == "notified"


def test_claims_without_records_are_refused_and_nothing_is_paid(
        api: str, aws: Any, stack: dict[str, Any], master: bytes) -> None:
    # a resident ID never registered
    stranger = person(90)
    refused(api, bearer(token(api, "taxpayer", stranger)),
            {"kind": "iit_annual", "year": 2025, "account": account()}, 422, "applicant")
    # an obligation paid exactly: the ledger shows no overpayment
    retailer = bearer(token(api, "taxpayer", RETAILER))
    created = post(api, "/v1/filing/obligations", retailer,
                   {"taxpayer": RETAILER, "tax_type": "vat", "period": "2024-04"})
    oid = created.json()["obligation_id"]
    post(api, f"/v1/filing/obligations/{oid}/return", retailer,
         {"kind": "vat_small_scale", "data": {"sales": "150000.00"}})
    outstanding = requests.get(f"{api}/v1/filing/obligations/{oid}", headers=retailer,
                               timeout=60).json()["liability"]["outstanding"]
    paid = post(api, f"/v1/filing/obligations/{oid}/payments", retailer,
                {"method": "pos", "amount": outstanding}).json()
    body, headers = SimulatedProvider("pos", master).callback(paid["payment_id"],
                                                              money.parse_yuan(outstanding))
    assert requests.post(f"{api}/v1/filing/callbacks/pos", data=body, headers=headers,
                         timeout=60).status_code == 200
    general = {"kind": "general", "obligation_id": oid, "account": account()}
    assert "nothing to refund" in refused(api, retailer, general, 422, "obligation_id")["detail"]
    # figures stated by the applicant are not read at all
    refused(api, retailer, {**general, "paid": "50000.00", "due": "0.00"}, 422, "paid")
    # someone else's obligation
    refused(api, bearer(token(api, "taxpayer", SELLER)), general, 422, "obligation_id")
    # an IIT refund with no annual return filed for that year
    applicant = person(91)
    who = bearer(token(api, "taxpayer", applicant))
    register(api, who, applicant, XIAMEN)
    refused(api, who, {"kind": "iit_annual", "year": 2024, "account": account()}, 422, "year")
    # an export citing an invoice that does not exist, or one issued to someone else
    seller = bearer(token(api, "taxpayer", SELLER))
    issued = post(api, "/v1/invoices", seller, {
        "buyer": {"name": "陈小明", "id_number": PERSON},
        "items": [{"name": "茶叶", "quantity": "1", "unit_price": "1000.00",
                   "tax_rate": "0.13"}], "channel": "web"})
    assert issued.status_code == 201, issued.text
    for number in ("26352000000099999999", issued.json()["number"]):
        declaration = f"3501202610{uuid.uuid4().int % 10**8:08d}"
        export = {"kind": "export", "declaration_number": declaration,
                  "export_date": "2026-11-01", "account": account("兴业银行"),
                  "lines": [{"product_code": "8471300000", "invoice_number": number}]}
        refused(api, seller, export, 422, "lines[0].invoice_number")
    mine = requests.get(f"{api}/v1/refunds", headers=seller, timeout=60).json()["items"]
    assert all(item["kind"] != "export" for item in mine)


def test_the_annual_reconciliation_is_refunded_once_and_notified(
        api: str, aws: Any, stack: dict[str, Any], notified_events: str) -> None:
    taxpayer = bearer(token(api, "taxpayer", PERSON))
    register(api, taxpayer, PERSON, FUZHOU)
    filed_iit(api, taxpayer, PERSON)
    body = {"kind": "iit_annual", "year": 2025, "account": {"bank": "中国银行",
                                                            "number": "6217000000001234"}}
    case = apply(api, taxpayer, body)
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
    # once: the year's refund is spent
    refused(api, taxpayer, body, 422, "year")
    # the applicant's office may read it, an admin too; another taxpayer may not
    assert read(api, bearer(token(api, "officer", "officer-fz-0001", FUZHOU)),
                case["id"]).status_code == 200
    assert read(api, bearer(token(api, "admin", "admin-0001")), case["id"]).status_code == 200
    stranger = read(api, bearer(token(api, "taxpayer", person(1))), case["id"])
    assert stranger.status_code == 403
    assert stranger.headers["Content-Type"] == "application/problem+json"
    seller = read(api, bearer(token(api, "taxpayer", SELLER)), case["id"])
    assert seller.status_code == 403


def test_a_flagged_case_is_decided_by_an_officer_of_its_office(
        api: str, aws: Any, stack: dict[str, Any], master: bytes) -> None:
    seller = bearer(token(api, "taxpayer", SELLER))
    # 1,000,000 × 13 % − 5,000 = 125,000.00 of tax (and its surcharge), paid twice: the
    # overpayment is above the 50,000 threshold
    ledger = overpaid(api, master, seller, SELLER, "2024-05", "vat_general",
                      {"sales": [{"amount": "1000000", "rate": "0.13"}], "input_tax": "5000"})
    oid, due = ledger["obligation_id"], ledger["liability"]["overpaid"]
    case = apply(api, seller, {"kind": "general", "obligation_id": oid,
                               "account": {"bank": "兴业银行", "number": "117010100100012345"}})
    assert (case["tax_office"], case["amount"]) == (FUZHOU, due)
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
    refused_decision = requests.post(f"{api}/v1/refunds/{case['id']}/approve", json={},
                                     timeout=30,
                                     headers={**xiamen, "Idempotency-Key": str(uuid.uuid4())})
    assert refused_decision.status_code == 403, refused_decision.text
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
    assert int(payments(aws, stack, case["id"])[0]["amount_fen"]["N"]) == money.parse_yuan(due)


def test_a_refused_payment_is_dead_lettered_then_redriven_and_paid_once(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    number = account()["number"]
    treasury = stack["RefundTreasuryTableName"]
    dynamodb = aws("dynamodb")
    dynamodb.put_item(TableName=treasury, Item={"key": {"S": f"frozen#{number}"}})
    applicant = person(2)
    taxpayer = bearer(token(api, "taxpayer", applicant))
    register(api, taxpayer, applicant, XIAMEN)
    filed_iit(api, taxpayer, applicant)
    case = apply(api, taxpayer, {"kind": "iit_annual", "year": 2025,
                                 "account": {"bank": "中国银行", "number": number}})
    assert case["tax_office"] == XIAMEN
    dlq, queue = stack["RefundPaymentDeadLetterQueueUrl"], stack["RefundPaymentQueueUrl"]
    # this case's message (refused on each of its three receives) in the dead-letter queue
    wait_for("the payment's dead letter", lambda: (
        depth(aws, dlq)
        and read(api, taxpayer, case["id"]).json().get("payment", {}).get("attempts", 0) >= 3
    ) or None, timeout=180, describe=lambda: read(api, taxpayer, case["id"]).json())
    stuck = read(api, taxpayer, case["id"]).json()
    assert stuck["state"] == "approved"
    assert stuck["payment"]["attempts"] >= 3
    assert "frozen" in stuck["payment"]["last_error"]
    assert payments(aws, stack, case["id"]) == []

    dynamodb.delete_item(TableName=treasury, Key={"key": {"S": f"frozen#{number}"}})
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
    applicant = person(3)
    taxpayer = bearer(token(api, "taxpayer", applicant))
    register(api, taxpayer, applicant, XIAMEN)
    filed_iit(api, taxpayer, applicant)
    case = apply(api, taxpayer, {"kind": "iit_annual", "year": 2025, "account": account()})
    wait_state(api, taxpayer, case["id"], "notified")
