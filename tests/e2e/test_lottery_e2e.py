"""The instant invoice lottery on the local stack over HTTP: an admin creates campaigns, a
buyer scans an invoice and is drawn at once, a win is paid exactly once through the payout
pipeline (draws stream → PrizeWon → rule → queue → worker → provider), a failing account
ends in the dead-letter queue with the draw ``failed`` and is redriven, and 50 scans fired
concurrently at 10 prizes never pay more than 10."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from etax.rules import resident_id, uscc
from etax.rules.dates import business_date
from tests.e2e.app_fixtures import function_errors
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
BUYER_ID = "350102199003071234"
FLOW_SELLER = uscc.complete("91330100MA27XK0Q1")   # Hangzhou: invoices of region 33
RUSH_SELLER = uscc.complete("91440100MA59C3RX2")   # Guangzhou: invoices of region 44


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


def register_seller(aws: Any, stack: dict[str, Any], code: str, name: str) -> None:
    """A registered seller with an issuing quota, through the registration feed as in seed."""
    record = {"credit_code": code, "name": name, "status": "active",
              "registration_date": "2020-01-01", "tax_office_code": f"1{code[2:6]}0000000"[:11],
              "tax_office_name": "国家税务总局示例税务局", "taxpayer_type": "general",
              "legal_representative": "王五", "address": "示例路1号", "industry": "零售业",
              "revision": 1}
    aws("sqs").send_message(QueueUrl=stack["RegistrationFeedQueueUrl"],
                            MessageBody=json.dumps(record, ensure_ascii=False))
    dynamodb = aws("dynamodb")
    wait_for(f"registration of {code}", lambda: dynamodb.get_item(
        TableName=stack["RegistryTableName"], Key={"credit_code": {"S": code}}).get("Item"))
    dynamodb.put_item(TableName=stack["IssuingQuotaTableName"], Item={
        "key": {"S": f"quota#{code}"}, "monthly_fen": {"N": str(100_000_000_00)}})


def campaign_body(campaign_id: str, region: str, *, count: int, expected: int,
                  daily: int) -> dict[str, Any]:
    today = business_date(datetime.now(UTC))
    return {
        "id": campaign_id, "name": f"端到端测试 {region}", "region": region,
        "min_amount_yuan": "100.00", "eligible_types": ["32"],
        "per_person_daily": daily, "per_person_monthly": daily * 10,
        "periods": [{"index": 1, "opens": today.isoformat(),
                     "closes": (today + timedelta(days=3)).isoformat(),
                     "expected_entries": expected,
                     "tiers": [{"name": "50-yuan", "amount_yuan": "50.00", "count": count}]}],
    }


def create_campaign(api: str, body: dict[str, Any]) -> dict[str, Any]:
    admin = bearer(token(api, "admin", "admin-0001"))
    answer = requests.post(f"{api}/v1/lottery/campaigns", json=body, timeout=60,
                           headers={**admin, "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


def issue(api: str, seller: dict[str, str], buyer_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {"buyer": {"name": "陈小明", "id_number": buyer_id},
            "items": [{"name": "茶叶", "quantity": "1", "unit_price": "200.00",
                       "tax_rate": "0.09"}],
            "channel": "mobile"}
    answer = requests.post(f"{api}/v1/invoices", json=body, timeout=60,
                           headers={**seller, "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    summary: dict[str, Any] = answer.json()
    return summary


def scan(api: str, person: dict[str, str], invoice: dict[str, Any],
         account: str) -> requests.Response:
    body = {"number": invoice["number"], "issue_date": invoice["issue_date"],
            "total": invoice["total"], "payout": {"method": "wechat", "account": account}}
    return requests.post(f"{api}/v1/lottery/scan", json=body, timeout=60,
                         headers={**person, "Idempotency-Key": str(uuid.uuid4())})


def draw_of(api: str, person: dict[str, str], number: str) -> dict[str, Any]:
    answer = requests.get(f"{api}/v1/lottery/draws/{number}", headers=person, timeout=30)
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


def payments(aws: Any, stack: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The simulated providers' ledger: payment id → item (a test may scan; requests don't)."""
    items = aws("dynamodb").scan(TableName=stack["LotteryLedgerTableName"])["Items"]
    return {i["key"]["S"].split("#", 2)[2]: i for i in items
            if i["key"]["S"].startswith("payment#")}


@pytest.fixture(scope="module")
def flow(api: str, aws: Any, stack: dict[str, Any]) -> dict[str, Any]:
    register_seller(aws, stack, FLOW_SELLER, "杭州西湖示例茶叶有限公司")
    campaign = create_campaign(api, campaign_body(f"e2e-flow-{uuid.uuid4().hex[:6]}", "33",
                                                  count=990, expected=1000, daily=20))
    return {"campaign": campaign, "seller": bearer(token(api, "taxpayer", FLOW_SELLER)),
            "buyer": bearer(token(api, "taxpayer", BUYER_ID))}


def won_scan(api: str, flow: dict[str, Any], account: str) -> dict[str, Any]:
    """Scan fresh invoices until one wins (each wins with odds 990/1000)."""
    for _ in range(5):
        invoice = issue(api, flow["seller"], BUYER_ID)
        answer = scan(api, flow["buyer"], invoice, account)
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        assert result["result"] in ("won", "no_prize")
        assert len(result["value_hex"]) == 64
        assert result["commitment"] == flow["campaign"]["periods"][0]["commitment"]
        if result["result"] == "won":
            return {**result, "invoice": invoice}
    raise AssertionError("five scans at 99 % odds and no win")


def test_campaign_page_publishes_commitments(api: str, flow: dict[str, Any]) -> None:
    campaign_id = flow["campaign"]["campaign"]["id"]
    page = requests.get(f"{api}/v1/lottery/campaigns/{campaign_id}", timeout=30).json()
    [period] = page["periods"]
    assert len(period["commitment"]) == 64
    assert period["seed_hex"] is None  # revealed only after the period closes
    assert period["odds"] == {"50-yuan": "990/1000"}
    early = requests.get(f"{api}/v1/lottery/campaigns/{campaign_id}/periods/1/export",
                         timeout=30)
    assert early.status_code == 409


def test_a_red_letter_invoice_verifies_and_does_not_take_part(api: str,
                                                              flow: dict[str, Any]) -> None:
    invoice = issue(api, flow["seller"], BUYER_ID)
    red = requests.post(f"{api}/v1/invoices/{invoice['number']}/red-letter", timeout=60,
                        json={"reason": "退货"},
                        headers={**flow["seller"], "Idempotency-Key": str(uuid.uuid4())})
    assert red.status_code == 201, red.text
    credit = red.json()
    assert credit["total"] == "-" + invoice["total"]
    checked = requests.post(f"{api}/v1/invoices/verify", json={"qr": credit["qr"]}, timeout=30)
    assert checked.json()["result_code"] == "001", checked.text
    answer = requests.post(f"{api}/v1/lottery/scan", timeout=60, json={
        "qr": credit["qr"], "payout": {"method": "wechat", "account": "wx-e2e-red1"}},
        headers={**flow["buyer"], "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["field"] == "qr"
    assert "red-letter" in answer.json()["detail"]


def test_a_win_is_paid_exactly_once(api: str, aws: Any, stack: dict[str, Any],
                                    flow: dict[str, Any]) -> None:
    result = won_scan(api, flow, "wx-e2e-0001")
    assert (result["prize"], result["tier"]) == ("50.00", "50-yuan")
    assert result["payout"]["state"] == "pending"
    number = result["invoice_number"]
    again = scan(api, flow["buyer"], result["invoice"], "wx-e2e-0001")
    assert again.status_code == 409
    shown = wait_for("the payout", lambda: (
        d if (d := draw_of(api, flow["buyer"], number))["payout"]["state"] == "paid"
        else None))
    assert shown["payout"]["paid_at"]
    assert shown["payout"]["provider_ref"].startswith("WX")
    assert shown["draw_id"] == result["draw_id"]
    paid = payments(aws, stack)
    assert result["draw_id"] in paid
    assert int(paid[result["draw_id"]]["amount_fen"]["N"]) == 50_00
    # someone else cannot see the draw
    stranger = bearer(token(api, "taxpayer", "11010519491231002X"))
    assert requests.get(f"{api}/v1/lottery/draws/{number}", headers=stranger,
                        timeout=30).status_code == 404


def test_a_failing_account_is_dead_lettered_failed_and_redriven(
        api: str, aws: Any, stack: dict[str, Any], flow: dict[str, Any]) -> None:
    result = won_scan(api, flow, "FAIL-e2e-0001")
    number = result["invoice_number"]
    failed = wait_for("the draw to fail", lambda: (
        d if (d := draw_of(api, flow["buyer"], number))["payout"]["state"] == "failed"
        else None), timeout=120, describe=lambda: (
            draw_of(api, flow["buyer"], number),
            aws("sqs").get_queue_attributes(QueueUrl=stack["PayoutQueueUrl"],
                                            AttributeNames=["All"])["Attributes"]))
    assert failed["payout"]["attempts"] >= 3
    assert "cannot receive" in failed["payout"]["last_error"]
    sqs = aws("sqs")
    dlq = stack["PayoutDeadLetterQueueUrl"]

    def dead_letters() -> int | None:
        count = int(sqs.get_queue_attributes(
            QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"])
        return count or None

    wait_for("the dead-letter queue", dead_letters, timeout=120)
    moved = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "redrive.py"), dlq, stack["PayoutQueueUrl"],
         "--endpoint-url", stack["Endpoint"]],
        capture_output=True, text=True, timeout=120,
        env={"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
             "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"})
    assert moved.returncode == 0, moved.stderr
    assert "moved 1 message" in moved.stdout
    # the redriven message is delivered again: another attempt, still failed, never paid
    wait_for("the redriven attempt", lambda: (
        True if draw_of(api, flow["buyer"], number)["payout"]["attempts"] > failed["payout"][
            "attempts"] else None), timeout=60)
    assert draw_of(api, flow["buyer"], number)["payout"]["state"] == "failed"
    assert result["draw_id"] not in payments(aws, stack)


def test_fifty_concurrent_scans_never_pay_more_than_ten_prizes(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    register_seller(aws, stack, RUSH_SELLER, "广州示例百货有限公司")
    campaign_id = f"e2e-rush-{uuid.uuid4().hex[:6]}"
    create_campaign(api, campaign_body(campaign_id, "44", count=10, expected=11, daily=5))
    seller = bearer(token(api, "taxpayer", RUSH_SELLER))
    buyers = []
    for n in range(50):
        first17 = f"44010119900101{n:03d}"
        buyers.append(first17 + resident_id.check_character(first17))
    people = [bearer(token(api, "taxpayer", b)) for b in buyers]
    invoices = [issue(api, seller, b) for b in buyers]

    def fire(i: int) -> requests.Response:
        return scan(api, people[i], invoices[i], f"wx-rush-{i:04d}")

    started = time.time()
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(fire, range(50)))
    assert all(a.status_code == 201 for a in answers), (
        [a.text for a in answers if a.status_code != 201],
        function_errors(aws, "lottery", started))
    results = [a.json()["result"] for a in answers]
    won = [a.json() for a in answers if a.json()["result"] == "won"]
    assert len(won) <= 10
    assert results.count("sold_out") + len(won) == 50 - results.count("no_prize")

    dynamodb = aws("dynamodb")
    stored = [dynamodb.get_item(TableName=stack["LotteryDrawsTableName"],
                                Key={"number": {"S": i["number"]}}).get("Item")
              for i in invoices]
    stored_won = [s for s in stored if s and s["result"]["S"] == "won"]
    left = sum(int(dynamodb.get_item(TableName=stack["LotteryTableName"], Key={
        "pk": {"S": f"stock#{campaign_id}#1#50-yuan#{shard}"}, "sk": {"S": "stock"}})[
        "Item"]["remaining"]["N"]) for shard in range(8))
    assert len(stored_won) <= 10
    assert len(stored_won) + left == 10  # every prize is either won or still in stock
    if results.count("sold_out"):
        assert left == 0  # sold out only when every shard is empty

    # every draw of the rush announced to the payout worker (twice, on top of what the
    # stream sends): only the winners are paid, each once
    ids = {s["draw_id"]["S"] for s in stored_won}
    for item in [s for s in stored if s] * 2:
        detail = {"invoice_number": item["number"]["S"], "draw_id": item["draw_id"]["S"]}
        aws("sqs").send_message(QueueUrl=stack["PayoutQueueUrl"], MessageBody=json.dumps(
            {"detail-type": "PrizeWon", "source": "tax.lottery", "detail": detail}))
    wait_for("the winners' payments", lambda: (
        True if ids <= set(payments(aws, stack)) else None), timeout=120)
    time.sleep(5)  # let any duplicate still in flight be handled
    paid = {k for k in payments(aws, stack) if k.startswith(campaign_id)}
    assert paid == ids
    assert len(paid) <= 10


def test_officers_read_only_the_draws_of_the_buyers_office(api: str,
                                                          flow: dict[str, Any]) -> None:
    invoice = issue(api, flow["seller"], BUYER_ID)
    answer = scan(api, flow["buyer"], invoice, "wx-e2e-0003")
    assert answer.status_code == 201, answer.text
    number = answer.json()["invoice_number"]
    # the buyer's resident ID is of Fuzhou (3501…): the draw belongs to the Fuzhou office
    fuzhou = bearer(token(api, "officer", "officer-fz-0001", "13501000000"))
    assert draw_of(api, fuzhou, number)["draw_id"] == answer.json()["draw_id"]
    # the seller's office (Hangzhou) and any other office are refused
    for office in ("13301000000", "13502000000"):
        other = bearer(token(api, "officer", f"officer-{office}", office))
        refused = requests.get(f"{api}/v1/lottery/draws/{number}", headers=other, timeout=30)
        assert refused.status_code == 403, refused.text
        assert refused.headers["Content-Type"].startswith("application/problem+json")
    admin = bearer(token(api, "admin", "admin-0001"))
    assert draw_of(api, admin, number)["draw_id"] == answer.json()["draw_id"]


def test_campaign_errors_name_the_field_and_never_repeat_long_input(api: str) -> None:
    admin = bearer(token(api, "admin", "admin-0001"))

    def post(body: dict[str, Any]) -> requests.Response:
        return requests.post(f"{api}/v1/lottery/campaigns", json=body, timeout=60,
                             headers={**admin, "Idempotency-Key": str(uuid.uuid4())})

    body = campaign_body(f"e2e-bad-{uuid.uuid4().hex[:6]}", "36", count=10, expected=100,
                         daily=2)
    body["periods"][0]["tiers"][0]["amount_yuan"] = "fifty"
    bad_prize = post(body)
    assert bad_prize.status_code == 422, bad_prize.text
    assert bad_prize.json()["field"] == "periods[0].tiers[0].amount_yuan"

    huge = "2" * 50_000  # under the 64 kB body limit: the campaign's own bound
    for where, field in (("period", "period"), ("tax_type", "tax_type"),
                         ("opens", "periods[0].opens")):
        body = campaign_body(f"e2e-huge-{uuid.uuid4().hex[:6]}", "36", count=10,
                             expected=100, daily=2)
        if where == "opens":
            body["periods"][0]["opens"] = huge
        else:
            body[where] = huge
        answer = post(body)
        assert answer.status_code == 422, answer.text[:500]
        assert answer.json()["field"] == field
        assert len(answer.content) < 500, answer.text[:500]
