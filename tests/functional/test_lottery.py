"""The instant invoice lottery over moto: campaigns, the scan and its refusals, sold-outs,
the export a replay accepts, and the payout pipeline (stream → PrizeWon → worker → paid)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest

from etax.lottery import audit, campaign_codec, campaigns
from etax.lottery import draw as lottery_draw
from etax.rules.dates import business_date
from tests.functional.conftest import (
    LambdaContext,
    business_metrics,
    call,
    load_handler,
    sample_event,
)
from tests.functional.test_invoices import ISSUE, issue, request

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import lottery_replay  # noqa: E402

BUYER_ID = "350102199003071234"
OTHER_PERSON = "11010519491231002X"
ADMIN = ("admin", "admin-0001")
FZ_OFFICER = ("officer", "officer-fz-0001", "13501000000")   # the buyer's office (3501…)
XM_OFFICER = ("officer", "officer-xm-0001", "13502000000")   # Xiamen: another office
BUYER = ("taxpayer", BUYER_ID)
WALLET = {"method": "wechat", "account": "wx-openid-0001"}


def today() -> date:
    return business_date(datetime.now(UTC))


def campaign_body(campaign_id: str = "fz-test", *, tiers: list[tuple[str, str, int]] | None = None,
                  expected: int = 1000, opens: date | None = None, closes: date | None = None,
                  daily: int = 2, monthly: int = 20, types: tuple[str, ...] = ("32",),
                  minimum: str = "100.00", periods: list[dict[str, Any]] | None = None
                  ) -> dict[str, Any]:
    tiers = tiers or [("800-yuan", "800.00", 5), ("50-yuan", "50.00", 195)]
    return {
        "id": campaign_id, "name": "福建有奖发票测试", "region": "35",
        "min_amount_yuan": minimum, "eligible_types": list(types),
        "per_person_daily": daily, "per_person_monthly": monthly,
        "periods": periods or [{
            "index": 1, "opens": (opens or today()).isoformat(),
            "closes": (closes or today() + timedelta(days=6)).isoformat(),
            "expected_entries": expected,
            "tiers": [{"name": n, "amount_yuan": a, "count": c} for n, a, c in tiers]}],
    }


def seed_for(campaign_id: str, period: campaigns.Period, outcomes: dict[str, str | None]) -> bytes:
    """A seed under which each invoice number falls in the wanted tier (None: no prize)."""
    for i in range(1, 100_000):
        seed = i.to_bytes(32, "big")
        if all(
            (tier.name if (tier := lottery_draw.tier_for(lottery_draw.draw_value(
                seed, campaign_id, period.index, number), period)) else None)
            == wanted for number, wanted in outcomes.items()
        ):
            return seed
    raise AssertionError("no seed found")


@pytest.fixture
def lottery_env(aws: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    key = boto3.client("kms").create_key(Description="lottery seeds")["KeyMetadata"]["KeyId"]
    monkeypatch.setenv("LOTTERY_SEED_KEY_ID", key)
    queue_url = boto3.client("sqs").create_queue(QueueName="payouts")["QueueUrl"]
    monkeypatch.setenv("PAYOUT_QUEUE_URL", queue_url)
    monkeypatch.setenv("PAYOUT_TIMEOUT_SECONDS", "0.3")
    monkeypatch.setenv("PAYOUT_SIMULATED_SLOW_SECONDS", "0.6")
    monkeypatch.setenv("PAYOUT_BACKOFF_SECONDS", "2")
    return {"key": key, "queue_url": queue_url}


@pytest.fixture
def lottery_fn(invoicing: Any, lottery_env: dict[str, str]) -> Any:
    return load_handler("lottery")


@pytest.fixture
def events_fn(lottery_env: dict[str, str]) -> Any:
    return load_handler("lottery_events")


@pytest.fixture
def payout_fn(lottery_env: dict[str, str]) -> Any:
    return load_handler("lottery_payout")


def create(module: Any, body: dict[str, Any], seed: bytes | None = None,
           monkeypatch: pytest.MonkeyPatch | None = None) -> dict[str, Any]:
    if seed is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(lottery_draw, "new_seed", lambda: seed)
    return call(module, request("POST", "/v1/lottery/campaigns", body=body, who=ADMIN,
                                key=f"create-{body['id']}"))


def new_invoice(invoicing: Any, key: str, *, buyer: str = BUYER_ID,
                price: str = "1000.00") -> dict[str, Any]:
    body = {**ISSUE, "buyer": {"name": "陈小明", "id_number": buyer},
            "items": [{"name": "茶叶", "quantity": "1", "unit_price": price, "tax_rate": "0.09"}]}
    answer = issue(invoicing, body, key=key)
    assert answer["statusCode"] == 201, answer["json"]
    summary: dict[str, Any] = answer["json"]
    return summary


def scan(module: Any, invoice: dict[str, Any], *, who: tuple[str, str] = BUYER,
         key: str | None = None, payout: dict[str, str] | None = None) -> dict[str, Any]:
    body = {"number": invoice["number"], "issue_date": invoice["issue_date"],
            "total": invoice["total"], "payout": payout or WALLET}
    return call(module, request("POST", "/v1/lottery/scan", body=body, who=who,
                                key=key or f"scan-{invoice['number']}-{who[1]}"))


def stream_records() -> list[dict[str, Any]]:
    """The draws table's stream records so far, as Lambda receives them. Read from moto's
    backend: this moto's in-process DynamoDB Streams API answers "not yet implemented"."""
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends["123456789012"]["us-east-1"].get_table("lottery-draws")
    assert table.stream_shard is not None
    return [json.loads(json.dumps(r.to_json(), default=str)) for r in table.stream_shard.items]


def announced(events_fn: Any, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The domain events the stream function publishes for every stream record so far."""
    published: list[Any] = []
    monkeypatch.setattr(events_fn.publisher, "publish", published.extend)
    events_fn.handler({"Records": stream_records()}, LambdaContext())
    return published


def sqs_message(detail: dict[str, Any], receives: int = 1,
                message_id: str = "m-1") -> dict[str, Any]:
    body = {"version": "0", "id": "e-1", "detail-type": "PrizeWon", "source": "tax.lottery",
            "detail": detail}
    return {"messageId": message_id, "receiptHandle": f"rh-{message_id}",
            "body": json.dumps(body),
            "attributes": {"ApproximateReceiveCount": str(receives), "SentTimestamp": "1",
                           "SenderId": "x", "ApproximateFirstReceiveTimestamp": "1"},
            "messageAttributes": {}, "md5OfBody": "x", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:payouts",
            "awsRegion": "us-east-1"}


def pay(payout_fn: Any, *messages: dict[str, Any]) -> list[str]:
    answer = payout_fn.handler({"Records": list(messages)}, LambdaContext())
    return [f["itemIdentifier"] for f in answer["batchItemFailures"]]


def draw_of(module: Any, number: str, who: tuple[str, ...] = BUYER) -> dict[str, Any]:
    return call(module, request("GET", f"/v1/lottery/draws/{number}", who=who,
                                resource="/v1/lottery/draws/{number}",
                                params={"number": number}))


def ledger() -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName="lottery-ledger")["Items"]
    return [i for i in items if i["key"]["S"].startswith("payment#")]


@pytest.fixture
def won(lottery_fn: Any, invoicing: Any, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A campaign whose seed makes the first invoice win the 50-yuan tier."""
    invoice = new_invoice(invoicing, "inv-1")
    campaign = campaign_codec.campaign_from_dict(campaign_body())
    seed = seed_for("fz-test", campaign.period(1), {invoice["number"]: "50-yuan"})
    assert create(lottery_fn, campaign_body(), seed, monkeypatch)["statusCode"] == 201
    return invoice


# -- campaigns ------------------------------------------------------------------------------


def test_admin_creates_a_campaign_with_committed_sealed_seeds(lottery_fn: Any,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    seed = bytes(range(32))
    answer = create(lottery_fn, campaign_body(), seed, monkeypatch)
    assert answer["statusCode"] == 201, answer["json"]
    [period] = answer["json"]["periods"]
    assert period["commitment"] == lottery_draw.commitment(seed)
    assert period["seed_hex"] is None  # not revealed before the period closes
    assert answer["json"]["campaign"] == campaign_body()
    stored = boto3.client("dynamodb").get_item(
        TableName="lottery", Key={"pk": {"S": "campaign#fz-test"}, "sk": {"S": "period#0001"}}
    )["Item"]
    assert seed not in stored["seed_ct"]["B"]  # sealed by KMS, not stored in clear
    public = call(lottery_fn, request("GET", "/v1/lottery/campaigns/fz-test",
                                      resource="/v1/lottery/campaigns/{campaign_id}",
                                      params={"campaign_id": "fz-test"}))
    assert public["json"]["periods"][0]["commitment"] == lottery_draw.commitment(seed)
    # inventory split exactly over shards: 5 → 5 shards of 1; 195 → 8 shards (25,…,24)
    total = 0
    for shard in range(8):
        item = boto3.client("dynamodb").get_item(TableName="lottery", Key={
            "pk": {"S": f"stock#fz-test#1#50-yuan#{shard}"}, "sk": {"S": "stock"}})["Item"]
        total += int(item["remaining"]["N"])
    assert total == 195


def test_campaign_creation_refusals(lottery_fn: Any) -> None:
    taxpayer = call(lottery_fn, request("POST", "/v1/lottery/campaigns", body=campaign_body(),
                                        who=BUYER, key="k"))
    assert taxpayer["statusCode"] == 403
    bad = call(lottery_fn, request("POST", "/v1/lottery/campaigns", who=ADMIN, key="k2",
                                   body=campaign_body(minimum="50.00")))
    assert bad["statusCode"] == 422
    assert "below the national floor" in bad["json"]["detail"]
    region = call(lottery_fn, request("POST", "/v1/lottery/campaigns", who=ADMIN, key="k3",
                                      body={**campaign_body(), "region": "Fujian"}))
    assert (region["statusCode"], region["json"]["field"]) == (422, "region")
    assert create(lottery_fn, campaign_body())["statusCode"] == 201
    overlapping = create(lottery_fn, campaign_body("fz-other"))
    assert (overlapping["statusCode"], overlapping["json"]["field"]) == (409, "region")


def test_campaign_errors_name_the_real_field(lottery_fn: Any) -> None:
    body = campaign_body(tiers=[("800-yuan", "800.00", 5), ("50-yuan", "fifty", 195)])
    answer = call(lottery_fn, request("POST", "/v1/lottery/campaigns", who=ADMIN, key="t1",
                                      body=body))
    assert answer["statusCode"] == 422
    assert answer["json"]["field"] == "periods[0].tiers[1].amount_yuan"
    over_cap = campaign_body(tiers=[("900-yuan", "900.00", 5)])
    answer = call(lottery_fn, request("POST", "/v1/lottery/campaigns", who=ADMIN, key="t2",
                                      body=over_cap))
    assert answer["json"]["field"] == "periods[0].tiers[0].amount_yuan"
    late = campaign_body()
    late["periods"][0]["expected_entries"] = "1000"
    answer = call(lottery_fn, request("POST", "/v1/lottery/campaigns", who=ADMIN, key="t3",
                                      body=late))
    assert (answer["statusCode"], answer["json"]["field"]) == (
        422, "periods[0].expected_entries")


@pytest.mark.parametrize("where", ["opens", "id", "region", "name", "period", "tax_type"])
def test_a_50_kb_campaign_value_comes_back_short(lottery_fn: Any, where: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    huge = "2" * 50_000  # under the platform's 64 kB body limit: the campaign's own bound
    body = campaign_body()
    if where == "opens":
        body["periods"][0]["opens"] = huge
    else:
        body[where] = huge
    answer = call(lottery_fn, request("POST", "/v1/lottery/campaigns", who=ADMIN,
                                      key=f"huge-{where}", body=body))
    assert answer["statusCode"] == 422
    assert answer["json"]["field"] == ("periods[0].opens" if where == "opens" else where)
    assert len(answer["body"]) < 400, answer["body"][:400]
    assert huge[:1000] not in capsys.readouterr().out   # nor in the log line of the problem


# -- the scan -------------------------------------------------------------------------------


def test_scan_wins_then_a_second_scan_is_refused(lottery_fn: Any, won: dict[str, Any]) -> None:
    answer = scan(lottery_fn, won)
    assert answer["statusCode"] == 201, answer["json"]
    result = answer["json"]
    assert (result["result"], result["tier"], result["prize"]) == ("won", "50-yuan", "50.00")
    assert result["payout"] == {"state": "pending", "method": "wechat", "account": "**********0001"}
    assert result["draw_id"] == f"fz-test-1-{won['number']}"
    # the same request again (same Idempotency-Key) answers the same draw
    assert scan(lottery_fn, won)["json"] == result
    again = scan(lottery_fn, won, key="another-key")
    assert again["statusCode"] == 409
    assert "drawn already" in again["json"]["detail"]


def test_scan_without_a_prize(lottery_fn: Any, invoicing: Any,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    invoice = new_invoice(invoicing, "inv-1")
    period = campaign_codec.campaign_from_dict(campaign_body()).period(1)
    create(lottery_fn, campaign_body(), seed_for("fz-test", period, {invoice["number"]: None}),
           monkeypatch)
    result = scan(lottery_fn, invoice)["json"]
    assert (result["result"], result["tier"], result["prize"]) == ("no_prize", None, None)
    assert result["payout"] == {"state": "none"}


def test_by_qr_payload(lottery_fn: Any, won: dict[str, Any]) -> None:
    answer = call(lottery_fn, request("POST", "/v1/lottery/scan", who=BUYER, key="q",
                                      body={"qr": won["qr"], "payout": WALLET}))
    assert answer["json"]["result"] == "won"


def test_only_the_buyer_may_scan(lottery_fn: Any, won: dict[str, Any]) -> None:
    other = scan(lottery_fn, won, who=("taxpayer", OTHER_PERSON))
    assert other["statusCode"] == 403
    company = scan(lottery_fn, won, who=("taxpayer", "91350100M000100Y43"))
    assert company["statusCode"] == 403
    assert "natural persons" in company["json"]["detail"]


def test_scan_request_errors_name_the_field(lottery_fn: Any, won: dict[str, Any]) -> None:
    wrong_total = scan(lottery_fn, {**won, "total": "1.00"})
    assert (wrong_total["statusCode"], wrong_total["json"]["field"]) == (422, "total")
    missing = scan(lottery_fn, {**won, "number": "26352000000000099999"})
    assert missing["statusCode"] == 404
    bad_account = scan(lottery_fn, won, payout={"method": "wechat", "account": "x"})
    assert (bad_account["statusCode"], bad_account["json"]["field"]) == (422, "payout.account")
    bad_method = scan(lottery_fn, won, payout={"method": "cash", "account": "abcd"})
    assert (bad_method["statusCode"], bad_method["json"]["field"]) == (422, "payout.method")


@pytest.mark.parametrize("case", ["amount", "type", "voided", "red_flushed", "between_periods"])
def test_ineligible_invoices_are_refused_with_the_reason(lottery_fn: Any, invoicing: Any,
                                                         case: str) -> None:
    day = today()
    body = campaign_body()
    invoice = new_invoice(invoicing, "inv-1", price="90.00" if case == "amount" else "1000.00")
    if case == "type":
        body = campaign_body(types=("31",))
    elif case == "voided":
        call(invoicing, request("POST", f"/v1/invoices/{invoice['number']}/void",
                                who=("taxpayer", "91350100M000100Y43"), key="void"))
    elif case == "red_flushed":
        call(invoicing, request("POST", f"/v1/invoices/{invoice['number']}/red-letter",
                                who=("taxpayer", "91350100M000100Y43"), key="red",
                                body={"reason": "退货"}))
    elif case == "between_periods":
        tiers = [{"name": "50-yuan", "amount_yuan": "50.00", "count": 10}]
        body = campaign_body(periods=[
            {"index": 1, "opens": (day - timedelta(days=5)).isoformat(),
             "closes": (day - timedelta(days=1)).isoformat(), "expected_entries": 100,
             "tiers": tiers},
            {"index": 2, "opens": (day + timedelta(days=1)).isoformat(),
             "closes": (day + timedelta(days=5)).isoformat(), "expected_entries": 100,
             "tiers": tiers}])
    assert create(lottery_fn, body)["statusCode"] == 201
    answer = scan(lottery_fn, invoice)
    assert answer["statusCode"] == 422, answer["json"]
    expected = {
        "amount": "below the campaign minimum of 100.00 yuan",
        "type": "invoice type '32' is not eligible",
        "voided": "the invoice is voided",
        "red_flushed": "the invoice is red-flushed",
        "between_periods": "no draw period of this campaign is open",
    }[case]
    assert expected in answer["json"]["detail"]


def test_a_red_letter_invoice_does_not_take_part(lottery_fn: Any, invoicing: Any) -> None:
    invoice = new_invoice(invoicing, "inv-1")
    red = call(invoicing, request("POST", f"/v1/invoices/{invoice['number']}/red-letter",
                                  who=("taxpayer", "91350100M000100Y43"), key="red",
                                  body={"reason": "退货"}))["json"]
    assert red["total"].startswith("-")
    assert create(lottery_fn, campaign_body())["statusCode"] == 201
    by_qr = call(lottery_fn, request("POST", "/v1/lottery/scan", who=BUYER, key="q",
                                     body={"qr": red["qr"], "payout": WALLET}))
    assert (by_qr["statusCode"], by_qr["json"]["field"]) == (422, "qr"), by_qr["json"]
    assert "red-letter" in by_qr["json"]["detail"]
    by_fields = scan(lottery_fn, red)
    assert (by_fields["statusCode"], by_fields["json"]["field"]) == (422, "total")
    assert "red-letter" in by_fields["json"]["detail"]


def test_no_campaign_in_the_region(lottery_fn: Any, invoicing: Any) -> None:
    answer = scan(lottery_fn, new_invoice(invoicing, "inv-1"))
    assert answer["statusCode"] == 422
    assert "no lottery campaign is open in region 35" in answer["json"]["detail"]


def test_person_limits_answer_429_with_retry_after(lottery_fn: Any, invoicing: Any) -> None:
    invoices = [new_invoice(invoicing, f"inv-{i}") for i in range(4)]
    create(lottery_fn, campaign_body(daily=2, monthly=3))
    assert [scan(lottery_fn, i)["statusCode"] for i in invoices[:2]] == [201, 201]
    third = scan(lottery_fn, invoices[2])
    assert third["statusCode"] == 429
    retry_after = int(third["headers"]["Retry-After"])
    assert 0 < retry_after <= 24 * 3600 + 1
    assert "2 invoices today" in third["json"]["detail"]
    # the next day: the daily count starts again, the monthly one does not
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    lottery_fn.service.now = lambda: tomorrow
    assert scan(lottery_fn, invoices[2], key="next-day")["statusCode"] == 201
    month = scan(lottery_fn, invoices[3], key="next-day-2")
    if business_date(tomorrow).month == today().month:
        assert month["statusCode"] == 429
        assert "the limit" in month["json"]["detail"]
        assert int(month["headers"]["Retry-After"]) > 0
    # the refused scans were not drawn and wrote nothing
    assert draw_of(lottery_fn, invoices[3]["number"])["statusCode"] in (200, 404)


def test_sold_out_never_oversells(lottery_fn: Any, invoicing: Any,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Fifteen invoices that all fall in a tier of ten prizes: ten win, five are sold out."""
    invoices = [new_invoice(invoicing, f"inv-{i}") for i in range(15)]
    tiers = [("50-yuan", "50.00", 10)]
    body = campaign_body(tiers=tiers, expected=11, daily=20, monthly=20)
    period = campaign_codec.campaign_from_dict(body).period(1)
    seed = seed_for("fz-test", period, {i["number"]: "50-yuan" for i in invoices})
    create(lottery_fn, body, seed, monkeypatch)
    results = [scan(lottery_fn, i)["json"] for i in invoices]
    assert [r["result"] for r in results] == ["won"] * 10 + ["sold_out"] * 5
    assert all(r["prize"] is None and r["tier"] == "50-yuan" for r in results[10:])
    left = 0
    for shard in range(8):
        item = boto3.client("dynamodb").get_item(TableName="lottery", Key={
            "pk": {"S": f"stock#fz-test#1#50-yuan#{shard}"}, "sk": {"S": "stock"}})["Item"]
        left += int(item["remaining"]["N"])
    assert left == 0


def test_closed_period_is_exported_and_replays(lottery_fn: Any, invoicing: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    invoices = [new_invoice(invoicing, f"inv-{i}") for i in range(3)]
    body = campaign_body(daily=5, closes=today())
    create(lottery_fn, body, bytes(range(1, 33)), monkeypatch)
    for invoice in invoices:
        assert scan(lottery_fn, invoice)["statusCode"] == 201
    path = "/v1/lottery/campaigns/fz-test/periods/1/export"
    params = {"campaign_id": "fz-test", "index": "1"}
    resource = "/v1/lottery/campaigns/{campaign_id}/periods/{index}/export"
    early = call(lottery_fn, request("GET", path, resource=resource, params=params))
    assert early["statusCode"] == 409
    later = datetime.now(UTC) + timedelta(days=1)
    lottery_fn.service.now = lambda: later
    export = call(lottery_fn, request("GET", path, resource=resource, params=params))["json"]
    assert export["seed_hex"] == bytes(range(1, 33)).hex()
    assert len(export["records"]) == 3
    period, campaign_id, seed, commitment, records = lottery_replay.load(json.dumps(export))
    report = audit.replay(seed, commitment, period, campaign_id, records)
    assert report.ok, report.discrepancies
    public = call(lottery_fn, request("GET", "/v1/lottery/campaigns/fz-test",
                                      resource="/v1/lottery/campaigns/{campaign_id}",
                                      params={"campaign_id": "fz-test"}))["json"]
    assert public["periods"][0]["seed_hex"] == bytes(range(1, 33)).hex()
    assert lottery_draw.verify_reveal(bytes.fromhex(public["periods"][0]["seed_hex"]),
                                 public["periods"][0]["commitment"])


def test_seed_is_decrypted_once_per_environment(lottery_fn: Any, invoicing: Any) -> None:
    invoices = [new_invoice(invoicing, f"inv-{i}") for i in range(2)]
    create(lottery_fn, campaign_body())
    for invoice in invoices:
        scan(lottery_fn, invoice)
    assert lottery_fn.vault.decrypt_calls == 1


# -- the payout pipeline --------------------------------------------------------------------


def test_a_win_is_announced_paid_once_and_shown(lottery_fn: Any, events_fn: Any,
                                                payout_fn: Any, won: dict[str, Any],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    scan(lottery_fn, won)
    [prize_won] = announced(events_fn, monkeypatch)
    assert prize_won.detail_type == "PrizeWon"
    assert prize_won.detail["invoice_number"] == won["number"]
    assert prize_won.detail["prize_fen"] == 50_00
    assert "payout_account" not in prize_won.detail
    message = sqs_message(prize_won.detail)
    assert pay(payout_fn, message) == []
    assert pay(payout_fn, message) == []  # the same message again: nothing more is paid
    assert len(ledger()) == 1
    shown = draw_of(lottery_fn, won["number"])["json"]
    assert shown["payout"]["state"] == "paid"
    assert shown["payout"]["paid_at"]
    assert shown["payout"]["provider_ref"].startswith("WX")
    assert shown["payout"]["amount"] == "50.00"
    kinds = [e.detail_type for e in announced(events_fn, monkeypatch)]
    assert kinds == ["PrizeWon", "PrizePaid"]
    # an officer of the buyer's office and an admin may look; another person is told there
    # is no such draw
    assert draw_of(lottery_fn, won["number"], FZ_OFFICER)["statusCode"] == 200
    assert draw_of(lottery_fn, won["number"], ADMIN)["statusCode"] == 200
    assert draw_of(lottery_fn, won["number"], ("taxpayer", OTHER_PERSON))["statusCode"] == 404


def test_officers_read_the_draws_of_their_own_office_only(lottery_fn: Any,
                                                         won: dict[str, Any]) -> None:
    assert scan(lottery_fn, won)["statusCode"] == 201
    item = boto3.client("dynamodb").get_item(TableName="lottery-draws",
                                             Key={"number": {"S": won["number"]}})["Item"]
    assert item["tax_office"] == {"S": "13501000000"}   # written at scan time
    assert draw_of(lottery_fn, won["number"], FZ_OFFICER)["statusCode"] == 200
    other = draw_of(lottery_fn, won["number"], XM_OFFICER)
    assert other["statusCode"] == 403, other["json"]
    assert draw_of(lottery_fn, won["number"], ("officer", "o-no-office"))["statusCode"] == 403
    assert draw_of(lottery_fn, won["number"], ("partner", "bank-1"))["statusCode"] == 404
    # a draw written before draws carried their office is read with the same rule
    boto3.client("dynamodb").update_item(TableName="lottery-draws",
                                         Key={"number": {"S": won["number"]}},
                                         UpdateExpression="REMOVE tax_office")
    assert draw_of(lottery_fn, won["number"], FZ_OFFICER)["statusCode"] == 200
    assert draw_of(lottery_fn, won["number"], XM_OFFICER)["statusCode"] == 403
    assert draw_of(lottery_fn, won["number"])["statusCode"] == 200


def test_a_long_draw_number_is_not_repeated(lottery_fn: Any) -> None:
    answer = draw_of(lottery_fn, "9" * 100_000)
    assert answer["statusCode"] == 404
    assert len(answer["body"]) < 400


def won_draws(lottery_fn: Any, invoicing: Any, monkeypatch: pytest.MonkeyPatch,
              accounts: list[str]) -> list[dict[str, Any]]:
    """One won draw per account (all invoices fall in the 50-yuan tier)."""
    invoices = [new_invoice(invoicing, f"inv-{i}") for i in range(len(accounts))]
    body = campaign_body(daily=10)
    period = campaign_codec.campaign_from_dict(body).period(1)
    create(lottery_fn, body, seed_for("fz-test", period,
                                      {i["number"]: "50-yuan" for i in invoices}), monkeypatch)
    details = []
    for invoice, account in zip(invoices, accounts, strict=True):
        answer = scan(lottery_fn, invoice, payout={"method": "alipay", "account": account})
        assert answer["json"]["result"] == "won"
        details.append({"invoice_number": invoice["number"], "draw_id": answer["json"]["draw_id"]})
    return details


def test_a_failing_account_fails_alone_then_goes_to_failed(lottery_fn: Any, payout_fn: Any,
                                                           invoicing: Any,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    good, bad = won_draws(lottery_fn, invoicing, monkeypatch, ["alice@example.org",
                                                               "FAIL-1234"])
    failures = pay(payout_fn, sqs_message(good, message_id="good"),
                   sqs_message(bad, message_id="bad"))
    assert failures == ["bad"]
    assert draw_of(lottery_fn, good["invoice_number"])["json"]["payout"]["state"] == "paid"
    shown = draw_of(lottery_fn, bad["invoice_number"])["json"]["payout"]
    assert (shown["state"], shown["attempts"]) == ("pending", 1)
    assert "cannot receive" in shown["last_error"]
    assert pay(payout_fn, sqs_message(bad, receives=2, message_id="bad")) == ["bad"]
    assert pay(payout_fn, sqs_message(bad, receives=3, message_id="bad")) == ["bad"]
    shown = draw_of(lottery_fn, bad["invoice_number"])["json"]["payout"]
    assert (shown["state"], shown["attempts"]) == ("failed", 3)
    assert shown["failed_at"]
    assert len(ledger()) == 1


def test_flaky_and_slow_providers_pay_exactly_once(lottery_fn: Any, payout_fn: Any,
                                                   invoicing: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    flaky, slow = won_draws(lottery_fn, invoicing, monkeypatch, ["FLAKY-0001", "SLOW-0002"])
    assert pay(payout_fn, sqs_message(flaky, message_id="f")) == ["f"]
    assert pay(payout_fn, sqs_message(slow, message_id="s")) == ["s"]  # timed out…
    assert len(ledger()) == 1  # …but the slow provider did pay
    assert draw_of(lottery_fn, slow["invoice_number"])["json"]["payout"]["state"] == "pending"
    assert pay(payout_fn, sqs_message(flaky, receives=2, message_id="f"),
               sqs_message(slow, receives=2, message_id="s")) == []
    assert len(ledger()) == 2  # the retry found the slow payment instead of paying again
    for draw in (flaky, slow):
        assert draw_of(lottery_fn, draw["invoice_number"])["json"]["payout"]["state"] == "paid"


def test_retries_back_off_with_the_receive_count(lottery_fn: Any, payout_fn: Any,
                                                 invoicing: Any, lottery_env: dict[str, str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    [bad] = won_draws(lottery_fn, invoicing, monkeypatch, ["FAIL-0001"])
    delays: list[int] = []
    monkeypatch.setattr(payout_fn.sqs, "change_message_visibility",
                        lambda **kw: delays.append(kw["VisibilityTimeout"]))
    for receives in (1, 2, 3):
        pay(payout_fn, sqs_message(bad, receives=receives))
    assert delays == [2, 4, 8]


def test_a_redriven_message_pays_a_failed_draw_once(lottery_fn: Any, payout_fn: Any,
                                                    invoicing: Any,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    [draw] = won_draws(lottery_fn, invoicing, monkeypatch, ["FLAKY-0009"])
    repository = payout_fn.service.repository
    assert repository.mark_failed(draw["invoice_number"], at="2026-11-28T00:00:00+00:00")
    assert pay(payout_fn, sqs_message(draw)) == ["m-1"]  # FLAKY: the first attempt fails
    assert pay(payout_fn, sqs_message(draw)) == []
    assert draw_of(lottery_fn, draw["invoice_number"])["json"]["payout"]["state"] == "paid"
    # paid is final: no transition moves it again
    assert not repository.mark_failed(draw["invoice_number"], at="x")
    assert not repository.mark_paid(draw["invoice_number"], provider_ref="again", paid_at="x")
    assert len(ledger()) == 1


def test_sample_events(lottery_fn: Any, events_fn: Any, payout_fn: Any,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample events under events/ run through their handlers."""
    published: list[Any] = []
    monkeypatch.setattr(events_fn.publisher, "publish", published.extend)
    events_fn.handler(sample_event("lottery_events/stream.json"), LambdaContext())
    assert [e.detail_type for e in published] == ["PrizeWon", "PrizePaid"]
    # a PrizeWon for a draw this table does not hold is settled as nothing to pay
    assert payout_fn.handler(sample_event("lottery_payout/prize_won.json"),
                             LambdaContext()) == {"batchItemFailures": []}
    answer = call(lottery_fn, sample_event("lottery/scan.json"))
    assert answer["statusCode"] == 404  # the sample's invoice is not issued here
    assert answer["json"]["field"] == "number"


def test_the_transaction_holds_when_two_scans_race_past_the_precheck(
        lottery_fn: Any, invoicing: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-read answers the usual repeats; when two scans race past it, the
    transaction's conditions still refuse the second draw and a passed limit."""
    invoices = [new_invoice(invoicing, f"inv-{i}") for i in range(3)]
    create(lottery_fn, campaign_body(daily=2))
    monkeypatch.setattr(lottery_fn.service.repository, "precheck",
                        lambda number, counters: (False, 0, 0))
    assert scan(lottery_fn, invoices[0])["statusCode"] == 201
    assert scan(lottery_fn, invoices[0], key="race")["statusCode"] == 409
    assert scan(lottery_fn, invoices[1])["statusCode"] == 201
    assert scan(lottery_fn, invoices[2])["statusCode"] == 429


def test_draws_and_payouts_are_counted_once_written(
        lottery_fn: Any, events_fn: Any, payout_fn: Any, won: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A scan's draw is counted by its result (a replay of its key is not); a prize is
    counted paid, with its fen, when the draws table announces it paid."""
    capsys.readouterr()
    scan(lottery_fn, won)
    scan(lottery_fn, won)  # the same key again: the stored answer, no second draw
    assert business_metrics(capsys.readouterr().out) == [("LotteryDraws", 1.0,
                                                          {"result": "won"})]
    [prize_won] = announced(events_fn, monkeypatch)
    assert pay(payout_fn, sqs_message(prize_won.detail)) == []
    capsys.readouterr()
    announced(events_fn, monkeypatch)
    assert business_metrics(capsys.readouterr().out) == [("PrizesPaid", 1.0, {}),
                                                         ("PrizesPaidFen", 5000.0, {})]
