"""Filing and payment (B5) on the local stack over HTTP: an obligation filed with the tax
computed, paid in two parts through two methods confirmed by signed provider callbacks, with a
signed receipt, the return and the payments announced on the bus from the table's stream; a
late payment with the surcharge; the reminder run invoked twice for a day after the deadline
publishing exactly one reminder per obligation (seen through a rule and a queue the test owns);
another taxpayer refused."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from etax.documents.signing import verify_envelope
from etax.filing import deadlines
from etax.rules import money, uscc
from etax.rules.dates import business_date
from etax.simulations.payments import SimulatedProvider
from tests.e2e.app_fixtures import bus_tap
from tests.e2e.test_notifications_e2e import entries_with, inbox
from tests.e2e.test_platform_e2e import bearer, token
from tests.e2e.test_supply_e2e import events_seen

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
RETAILER = "91350100MA2Y8KXX1B"  # demo data: small-scale, Fuzhou tax office
FUZHOU = "13501000000"
OTHER = "91350100M000100Y43"


def today() -> date:
    return business_date(datetime.now(UTC))


def months_back(n: int) -> str:
    """The period ``n`` months before this one (``2026-08`` when n = 3 in November 2026)."""
    index = today().year * 12 + today().month - 1 - n
    return f"{index // 12}-{index % 12 + 1:02d}"


def wait_for[T](what: str, probe: Callable[[], T | None], timeout: float = 90.0,
                describe: Callable[[], object] | None = None) -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value is not None:
            return value
        time.sleep(1.0)
    seen = f"; last seen: {describe()}" if describe is not None else ""
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{seen}")


def post(api: str, path: str, who: dict[str, str], body: dict[str, Any]) -> requests.Response:
    return requests.post(f"{api}{path}", json=body, timeout=60,
                         headers={**who, "Idempotency-Key": str(uuid.uuid4())})


def obligation(api: str, who: dict[str, str], oid: str) -> requests.Response:
    return requests.get(f"{api}/v1/filing/obligations/{oid}", headers=who, timeout=60)


def open_obligation(api: str, who: dict[str, str], taxpayer: str, period: str,
                    sales: str | None, opened_by: dict[str, str] | None = None
                    ) -> dict[str, Any]:
    """Opened by the taxpayer (``who``) or by ``opened_by`` (an admin naming the office of a
    code the registry does not hold), then filed by the taxpayer if ``sales`` is given."""
    body = {"taxpayer": taxpayer, "tax_type": "vat", "period": period}
    if opened_by is not None:
        body["tax_office"] = FUZHOU
    created = post(api, "/v1/filing/obligations", opened_by or who, body)
    assert created.status_code == 201, created.text
    shown: dict[str, Any] = created.json()
    if sales is None:
        return shown
    filed = post(api, f"/v1/filing/obligations/{shown['obligation_id']}/return", who,
                 {"kind": "vat_small_scale", "data": {"sales": sales}})
    assert filed.status_code == 201, filed.text
    result: dict[str, Any] = filed.json()
    return result


@pytest.fixture(scope="module")
def master(aws: Any, stack: dict[str, Any]) -> bytes:
    secret = aws("secretsmanager").get_secret_value(SecretId=stack["PaymentCallbackSecretArn"])
    return str(json.loads(secret["SecretString"])["key"]).encode()


@pytest.fixture(scope="module")
def announced(stack: dict[str, Any], aws: Callable[[str], Any]) -> Iterator[str]:
    """A queue receiving the filing facts the table's stream announces on the bus."""
    with bus_tap(aws, stack, "filing", {"source": ["tax.filing"],
                                        "detail-type": ["ReturnFiled", "PaymentConfirmed"]}) as url:
        yield url


def provider_confirms(api: str, master: bytes, payment: dict[str, Any], *,
                      signature: str | None = None) -> requests.Response:
    """The simulated provider of the payment's method POSTs its signed callback."""
    body, headers = SimulatedProvider(payment["method"], master).callback(
        payment["payment_id"], money.parse_yuan(payment["amount"]))
    if signature is not None:
        headers["X-Signature"] = signature
    return requests.post(f"{api}/v1/filing/callbacks/{payment['method']}", data=body,
                         headers=headers, timeout=60)


def test_filed_with_the_tax_computed_paid_in_two_parts_with_a_receipt(
        api: str, master: bytes, aws: Callable[[str], Any], announced: str) -> None:
    taxpayer = bearer(token(api, "taxpayer", RETAILER))
    period = months_back(0)  # due next month: nothing late
    filed = open_obligation(api, taxpayer, RETAILER, period, "150000.00")
    oid = filed["obligation_id"]
    assert filed["tax_office"] == FUZHOU
    assert filed["due_date"] == deadlines.deadline("vat", period).due_date.isoformat()
    assert filed["status"] == "filed"
    assert filed["return"]["computation"]["tax_due"] == "1500.00"  # 150,000 × 1 %
    assert filed["liability"]["outstanding"] == "1500.00"
    bad = post(api, f"/v1/filing/obligations/{oid}/payments", taxpayer,
               {"method": "cheque", "amount": "1.00"})
    assert (bad.status_code, bad.json()["field"]) == (422, "method")

    first = post(api, f"/v1/filing/obligations/{oid}/payments", taxpayer,
                 {"method": "bank_transfer", "amount": "1000.00"})
    assert first.status_code == 201, first.text
    second = post(api, f"/v1/filing/obligations/{oid}/payments", taxpayer,
                  {"method": "mobile_banking", "amount": "500.00"})
    assert second.status_code == 201, second.text
    assert first.json()["status"] == second.json()["status"] == "pending"

    forged = provider_confirms(api, master, first.json(), signature="0" * 64)
    assert forged.status_code == 403, forged.text
    confirmed = provider_confirms(api, master, first.json())
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["changed"] is True
    replayed = provider_confirms(api, master, first.json())
    assert (replayed.status_code, replayed.json()["changed"]) == (200, False)
    halfway = obligation(api, taxpayer, oid).json()
    assert (halfway["status"], halfway["liability"]["outstanding"]) == ("filed", "500.00")

    assert provider_confirms(api, master, second.json()).json()["changed"] is True
    paid = obligation(api, taxpayer, oid).json()
    assert (paid["status"], paid["liability"]["tax_paid"],
            paid["liability"]["outstanding"]) == ("paid", "1500.00", "0.00")

    # the return filed and both payments confirmed, announced on the bus (amounts in fen); a
    # consumer dedupes on the fact's id (a retried stream batch may announce twice)
    seen: list[dict[str, Any]] = []

    def facts() -> dict[str, dict[str, Any]] | None:
        found = {e["detail"].get("payment_id") or e["detail"]["obligation_id"]: e
                 for e in events_seen(aws, announced, seen)
                 if e["detail"]["obligation_id"] == oid}
        return found if len(found) == 3 else None

    def fields(event: dict[str, Any]) -> dict[str, Any]:
        assert event["detail"]["schema_version"] == 1
        return {k: v for k, v in event["detail"].items()
                if k not in ("schema_version", "occurred_at")}

    paid_ids = [first.json()["payment_id"], second.json()["payment_id"]]
    facts_seen = wait_for("ReturnFiled and two PaymentConfirmed", facts, timeout=120,
                          describe=lambda: [(e["detail-type"], e["detail"].get("obligation_id"))
                                            for e in seen])
    return_filed = facts_seen[oid]
    assert return_filed["detail-type"] == "ReturnFiled"
    assert return_filed["resources"] == [f"obligation/{oid}"]
    assert fields(return_filed) == {
        "obligation_id": oid, "taxpayer": RETAILER, "tax_type": "vat", "period": period,
        "kind": "vat_small_scale", "filed_at": filed["return"]["filed_at"],
        "tax_due_fen": 150_000, "sales_fen": 15_000_000, "office": FUZHOU}
    for payment_id, method, amount_fen in zip(paid_ids, ("bank_transfer", "mobile_banking"),
                                              (100_000, 50_000), strict=True):
        confirmed_at = requests.get(f"{api}/v1/filing/payments/{payment_id}", headers=taxpayer,
                                    timeout=60).json()["confirmed_at"]
        assert facts_seen[payment_id]["detail-type"] == "PaymentConfirmed"
        assert facts_seen[payment_id]["resources"] == [f"payment/{payment_id}"]
        assert fields(facts_seen[payment_id]) == {
            "payment_id": payment_id, "obligation_id": oid, "taxpayer": RETAILER,
            "tax_type": "vat", "period": period, "amount_fen": amount_fen, "method": method,
            "confirmed_at": confirmed_at, "office": FUZHOU}

    receipt = requests.get(f"{api}/v1/filing/payments/{second.json()['payment_id']}/receipt",
                           headers=taxpayer, timeout=60)
    assert receipt.status_code == 200, receipt.text
    envelope = receipt.json()
    assert envelope["document"]["amount"] == "500.00"
    assert envelope["document"]["method"] == "mobile_banking"
    [key] = requests.get(f"{api}/v1/keys", timeout=60).json()["keys"]
    assert envelope["signature"]["key_id"] == key["key_id"]
    verify_envelope(envelope, key["public_key_pem"])

    # the tax payment certificate lists both payments (read from filing's confirmed payments)
    day = today().isoformat()
    certificate = post(api, "/v1/certificates", taxpayer,
                       {"kind": "tax_payment", "from": day, "to": day})
    assert certificate.status_code == 201, certificate.text
    listed = {p["payment_id"] for p in certificate.json()["content"]["payments"]}
    assert {first.json()["payment_id"], second.json()["payment_id"]} <= listed

    # another taxpayer gets 403; an officer only in its own tax office
    other = bearer(token(api, "taxpayer", OTHER))
    assert obligation(api, other, oid).status_code == 403
    assert requests.get(f"{api}/v1/filing/payments/{first.json()['payment_id']}/receipt",
                        headers=other, timeout=60).status_code == 403
    xiamen = bearer(token(api, "officer", "officer-xm-0001", "13502000000"))
    assert obligation(api, xiamen, oid).status_code == 403
    fuzhou = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    assert obligation(api, fuzhou, oid).status_code == 200


def test_a_late_payment_carries_the_surcharge(api: str, stack: dict[str, Any],
                                             tmp_path: Path) -> None:
    taxpayer = bearer(token(api, "taxpayer", RETAILER))
    filed = open_obligation(api, taxpayer, RETAILER, months_back(3), "1000000.00")
    oid = filed["obligation_id"]
    liability = filed["liability"]
    days = (date.fromisoformat(liability["as_of"]) - date.fromisoformat(filed["due_date"])).days
    assert days > 0
    expected = (1_000_000 * 5 * days + 5_000) // 10_000  # 10,000.00 × 0.05 % × days, half up
    assert liability["tax"] == "10000.00"
    assert liability["surcharge"] == money.format_yuan(expected)
    assert liability["outstanding"] == money.format_yuan(1_000_000 + expected)
    assert liability["days_late"] == days

    payment = post(api, f"/v1/filing/obligations/{oid}/payments", taxpayer,
                   {"method": "pos", "amount": liability["outstanding"]})
    assert payment.status_code == 201, payment.text
    # the provider confirms through the script that plays the simulated providers
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(stack))
    confirmed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "simulate_payment.py"),
         payment.json()["payment_id"], "pos", liability["outstanding"], "--outputs",
         str(outputs)], capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "AWS_DEFAULT_REGION": "us-east-1"})
    assert confirmed.returncode == 0, confirmed.stderr
    assert json.loads(confirmed.stdout)["changed"] is True
    shown = requests.get(f"{api}/v1/filing/payments/{payment.json()['payment_id']}",
                         headers=taxpayer, timeout=60).json()
    assert shown["status"] == "confirmed"
    assert shown["allocation"] == {"tax": "10000.00", "surcharge": money.format_yuan(expected),
                                   "overpaid": "0.00", "days_late": days}
    assert obligation(api, taxpayer, oid).json()["status"] == "paid"


def test_reminders_once_per_obligation_per_day_even_when_run_twice(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    admin = bearer(token(api, "admin", "admin-0001"))
    run = uuid.uuid4().hex[:6].upper()  # 0-9 A-F: all in the credit-code alphabet
    codes = [uscc.complete(f"91350100MA{run}{n}") for n in range(3)]
    period = months_back(2)
    not_filed = open_obligation(api, admin, codes[0], period, None, opened_by=admin)
    not_paid = open_obligation(api, bearer(token(api, "taxpayer", codes[1])), codes[1], period,
                               "200000.00", opened_by=admin)
    settled = open_obligation(api, bearer(token(api, "taxpayer", codes[2])), codes[2], period,
                              "50000.00", opened_by=admin)
    assert (not_filed["status"], not_paid["status"], settled["status"]) == (
        "open", "filed", "paid")

    # a rule and a queue of this test's own on the platform bus
    sqs, events = aws("sqs"), aws("events")
    queue_url = sqs.create_queue(QueueName=f"e2e-reminders-{run}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    rule = f"e2e-reminders-{run}"
    events.put_rule(Name=rule, EventBusName=stack["EventBusName"], EventPattern=json.dumps({
        "source": ["tax.filing", "tax.e2e"],
        "detail-type": ["FilingReminderIssued", "Sentinel"],  # not the returns filed
        "detail": {"taxpayer": [*codes, f"sentinel-{run}"]}}))
    events.put_targets(Rule=rule, EventBusName=stack["EventBusName"],
                       Targets=[{"Id": "queue", "Arn": queue_arn}])

    day = today().isoformat()
    lambda_ = aws("lambda")
    summaries = []
    for _ in range(2):
        answer = lambda_.invoke(FunctionName=stack["FilingRemindersFunctionName"],
                                Payload=json.dumps({"date": day}).encode())
        assert "FunctionError" not in answer, answer["Payload"].read()
        summaries.append(json.loads(answer["Payload"].read()))
    assert summaries[0]["date"] == summaries[1]["date"] == day
    assert summaries[0]["reminded"] >= 2
    assert summaries[1]["reminded"] == 0
    # a sentinel sent after both runs: once it arrives, the runs' events have been delivered
    events.put_events(Entries=[{"EventBusName": stack["EventBusName"], "Source": "tax.e2e",
                                "DetailType": "Sentinel",
                                "Detail": json.dumps({"taxpayer": f"sentinel-{run}"})}])
    received: list[dict[str, Any]] = []

    def drained() -> bool | None:
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10,
                                           WaitTimeSeconds=1).get("Messages", []):
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        return True if any(e["source"] == "tax.e2e" for e in received) else None

    wait_for("the reminders and the sentinel", drained, timeout=120)
    reminders = [e for e in received if e["source"] == "tax.filing"]
    assert sorted(e["detail"]["taxpayer"] for e in reminders) == sorted(codes[:2])
    by_taxpayer = {e["detail"]["taxpayer"]: e for e in reminders}
    assert by_taxpayer[codes[0]]["detail-type"] == "FilingReminderIssued"
    assert by_taxpayer[codes[0]]["detail"]["reason"] == "not_filed"
    assert by_taxpayer[codes[1]]["detail"]["reason"] == "not_paid"
    notification = by_taxpayer[codes[0]]["detail"]["notification"]
    assert notification == {
        "id": f"reminder:{not_filed['obligation_id']}:{day}",
        "recipient": codes[0], "kind": "filing.reminder",
        "title": notification["title"], "body": notification["body"],
        "link": f"/v1/filing/obligations/{not_filed['obligation_id']}"}
    assert "逾期未申报" in notification["title"]
    # the missed deadline ends as exactly one reminder in each taxpayer's inbox, none for the
    # settled one (the push fan-out, deduplicated by the reminder's id)
    def arrived(me: dict[str, str], nid: str) -> list[dict[str, Any]] | None:
        return entries_with(api, me, nid) or None

    for code, obligation in ((codes[0], not_filed), (codes[1], not_paid)):
        me = bearer(token(api, "taxpayer", code))
        nid = f"reminder:{obligation['obligation_id']}:{day}"
        wait_for(f"the reminder in {code}'s inbox", functools.partial(arrived, me, nid))
        entries = inbox(api, me, limit="100")["items"]
        assert [e["id"] for e in entries if e["kind"] == "filing.reminder"] == [nid]
    settled_inbox = inbox(api, bearer(token(api, "taxpayer", codes[2])), limit="100")["items"]
    assert [e for e in settled_inbox if e["kind"] == "filing.reminder"] == []
    events.remove_targets(Rule=rule, EventBusName=stack["EventBusName"], Ids=["queue"])
    events.delete_rule(Name=rule, EventBusName=stack["EventBusName"])


def test_a_backdated_or_future_confirmation_time_is_refused(api: str, master: bytes) -> None:
    """A provider's signed callback may not move the day of payment: dated before the payment
    existed it would wipe a late payment's surcharge, dated in the future it would be printed
    on the signed receipt. Both are refused; the honest callback then confirms."""
    taxpayer = bearer(token(api, "taxpayer", RETAILER))
    filed = open_obligation(api, taxpayer, RETAILER, "2024-09", "150000.00")  # late now
    oid = filed["obligation_id"]
    outstanding = filed["liability"]["outstanding"]
    assert money.parse_yuan(outstanding) > 1500_00  # the tax and the surcharge
    payment = post(api, f"/v1/filing/obligations/{oid}/payments", taxpayer,
                   {"method": "online_banking", "amount": outstanding}).json()
    provider = SimulatedProvider("online_banking", master)
    url = f"{api}/v1/filing/callbacks/online_banking"
    for at in (datetime(2024, 10, 10, 2, 0, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)):
        body, headers = provider.callback(payment["payment_id"], money.parse_yuan(outstanding),
                                          confirmed_at=at)
        answer = requests.post(url, data=body, headers=headers, timeout=60)
        assert (answer.status_code, answer.json()["field"]) == (422, "confirmed_at"), answer.text
    pending = requests.get(f"{api}/v1/filing/payments/{payment['payment_id']}",
                           headers=taxpayer, timeout=60).json()
    assert (pending["status"], pending["confirmed_at"]) == ("pending", None)
    body, headers = provider.callback(payment["payment_id"], money.parse_yuan(outstanding))
    assert requests.post(url, data=body, headers=headers, timeout=60).json()["changed"] is True
    receipt = requests.get(f"{api}/v1/filing/payments/{payment['payment_id']}/receipt",
                           headers=taxpayer, timeout=60).json()["document"]
    assert receipt["paid_on"] == today().isoformat()
    assert receipt["days_late"] > 700
    assert receipt["allocated"]["surcharge"] != "0.00"
