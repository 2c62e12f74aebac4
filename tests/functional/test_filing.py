"""Filing and payment over moto: obligations, a return with the tax computed, payments in parts
confirmed by signed callbacks (bad signatures, replays), the surcharge, receipts, who may see
what, and the reminder run over 1,000+ obligations with Queries only."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from etax.documents.signing import verify_envelope
from etax.filing import deadlines
from etax.filing.repository import FilingRepository
from etax.rules import money, uscc
from etax.rules.dates import business_date
from etax.simulations.payments import SimulatedProvider
from tests.functional.conftest import (
    DigestKms,
    LambdaContext,
    business_metrics,
    call,
    load_handler,
    sample_event,
)
from tests.functional.test_acceptance_registration import OFFICE, put_record
from tests.functional.test_invoices import as_principal

RETAILER = "91350100MA2Y8KXX1B"  # small-scale, Fuzhou office
OTHER = "91350100M000100Y43"
TAXPAYER = ("taxpayer", RETAILER)
MASTER = b"functional-master-key"


def event(name: str, *, path: str, resource: str, body: Any = None, key: str | None = None,
          params: dict[str, str] | None = None, who: tuple[str, ...] | None = TAXPAYER,
          method: str = "POST", query: dict[str, str] | None = None) -> dict[str, Any]:
    built = sample_event(name)
    built.update(path=path, resource=resource, httpMethod=method, pathParameters=params,
                 queryStringParameters=query,
                 body=json.dumps(body, ensure_ascii=False) if body is not None else None)
    for headers in (built["headers"], built["multiValueHeaders"]):
        headers.pop("Idempotency-Key", None)
    if key:
        built["headers"]["Idempotency-Key"] = key
        built["multiValueHeaders"]["Idempotency-Key"] = [key]
    if who is None:
        built["requestContext"].pop("authorizer", None)
    else:
        as_principal(built, *who)
    return built


@pytest.fixture
def filing(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("SIGNING_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab")
    put_record(RETAILER, taxpayer_type="small_scale", name="福州三坊七巷示例百货有限公司")
    put_record(OTHER)
    module = load_handler("filing")
    module.signer.kms = DigestKms()
    return module


@pytest.fixture
def callbacks(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    arn = boto3.client("secretsmanager").create_secret(
        Name="callbacks", SecretString=json.dumps({"key": MASTER.decode()}))["ARN"]
    monkeypatch.setenv("PAYMENT_CALLBACK_SECRET", arn)
    return load_handler("filing_callbacks")


def create(filing: Any, period: str, *, taxpayer: str = RETAILER, tax_type: str = "vat",
           who: tuple[str, ...] = TAXPAYER, key: str | None = None) -> dict[str, Any]:
    return call(filing, event(
        "filing/create_obligation.json", path="/v1/filing/obligations",
        resource="/v1/filing/obligations", who=who,
        body={"taxpayer": taxpayer, "tax_type": tax_type, "period": period},
        key=key or f"create-{taxpayer}-{tax_type}-{period}"))


def file_return(filing: Any, oid: str, data: dict[str, Any], *, kind: str = "vat_small_scale",
                who: tuple[str, ...] = TAXPAYER, key: str | None = None) -> dict[str, Any]:
    return call(filing, event(
        "filing/file_return.json", path=f"/v1/filing/obligations/{oid}/return",
        resource="/v1/filing/obligations/{obligation_id}/return", params={"obligation_id": oid},
        body={"kind": kind, "data": data}, key=key or f"return-{oid}", who=who))


def start_payment(filing: Any, oid: str, method: str, amount: str, *,
                  key: str | None = None) -> dict[str, Any]:
    return call(filing, event(
        "filing/start_payment.json", path=f"/v1/filing/obligations/{oid}/payments",
        resource="/v1/filing/obligations/{obligation_id}/payments",
        params={"obligation_id": oid}, body={"method": method, "amount": amount},
        key=key or f"pay-{oid}-{method}-{amount}"))


def get(filing: Any, path: str, resource: str, params: dict[str, str],
        who: tuple[str, ...] = TAXPAYER) -> dict[str, Any]:
    return call(filing, event("filing/create_obligation.json", path=path, resource=resource,
                              params=params, who=who, method="GET"))


def obligation(filing: Any, oid: str, who: tuple[str, ...] = TAXPAYER) -> dict[str, Any]:
    return get(filing, f"/v1/filing/obligations/{oid}", "/v1/filing/obligations/{obligation_id}",
               {"obligation_id": oid}, who)


def send_callback(callbacks: Any, method: str, body: bytes,
                  signature: str | None) -> dict[str, Any]:
    built = sample_event("filing_callbacks/callback.json")
    built.update(path=f"/v1/filing/callbacks/{method}", pathParameters={"method": method},
                 body=body.decode())
    for headers in (built["headers"], built["multiValueHeaders"]):
        headers.pop("X-Signature", None)
    if signature is not None:
        built["headers"]["X-Signature"] = signature
        built["multiValueHeaders"]["X-Signature"] = [signature]
    return call(callbacks, built)


def confirm(callbacks: Any, payment: dict[str, Any], *,
            at: datetime | None = None) -> dict[str, Any]:
    provider = SimulatedProvider(payment["method"], MASTER)
    body, headers = provider.callback(payment["payment_id"], money.parse_yuan(payment["amount"]),
                                      confirmed_at=at)
    return send_callback(callbacks, payment["method"], body, headers["X-Signature"])


def test_sample_obligation_event_creates_the_obligation(filing: Any) -> None:
    answer = call(filing, sample_event("filing/create_obligation.json"))
    assert answer["statusCode"] == 201, answer["json"]
    created = answer["json"]
    assert created["obligation_id"] == f"{RETAILER}:vat:2026-10"
    assert created["tax_office"] == OFFICE
    assert created["due_date"] == deadlines.deadline("vat", "2026-10").due_date.isoformat()
    assert created["status"] == "open"
    # the same key again: the same answer, not a second obligation; another key: 409
    again = call(filing, sample_event("filing/create_obligation.json"))
    assert (again["statusCode"], again["json"]) == (201, created)
    duplicate = create(filing, "2026-10", key="another-key")
    assert duplicate["statusCode"] == 409
    assert duplicate["json"]["field"] == "period"


@pytest.mark.parametrize(("body", "field"), [
    ({"taxpayer": RETAILER, "tax_type": "vat", "period": "2026-13"}, "period"),
    ({"taxpayer": RETAILER, "tax_type": "salt", "period": "2026-10"}, "tax_type"),
    ({"taxpayer": RETAILER, "tax_type": "iit_annual", "period": "2026-10"}, "period"),
    ({"taxpayer": "91350100MA2Y8KXX1C", "tax_type": "vat", "period": "2026-10"}, "taxpayer"),
    ({"taxpayer": RETAILER, "tax_type": "vat"}, "period"),
])
def test_bad_obligations_are_422_naming_the_field(filing: Any, body: dict[str, Any],
                                                  field: str) -> None:
    answer = call(filing, event("filing/create_obligation.json", path="/v1/filing/obligations",
                                resource="/v1/filing/obligations", body=body, key="bad"))
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field


def test_who_may_create_an_obligation(filing: Any) -> None:
    # a taxpayer only for itself; an officer of its office; an admin for anyone
    assert create(filing, "2026-09", taxpayer=OTHER)["statusCode"] == 403
    assert create(filing, "2026-09", who=("officer", "officer-xm", "13502000000"))[
        "statusCode"] == 403
    officer = create(filing, "2026-09", who=("officer", "officer-fz", OFFICE))
    assert officer["statusCode"] == 201
    person = "350102199003071234"
    admin = create(filing, "2025", taxpayer=person, tax_type="iit_annual",
                   who=("admin", "admin-0001"))
    assert admin["statusCode"] == 201, admin["json"]
    assert admin["json"]["due_date"] == "2026-06-30"
    assert admin["json"]["tax_office"] == "13501000000"  # the prefecture of the resident ID


def test_a_taxpayer_never_chooses_its_tax_office(filing: Any) -> None:
    unregistered = uscc.complete("91350100MA2YUNRE9")
    own = create(filing, "2026-09", taxpayer=unregistered, who=("taxpayer", unregistered))
    assert own["statusCode"] == 422
    assert own["json"]["field"] == "taxpayer"
    person = "350102199003071234"
    mine = create(filing, "2026-09", taxpayer=person, who=("taxpayer", person))
    assert mine["statusCode"] == 201, mine["json"]
    assert mine["json"]["tax_office"] == "13501000000"
    opened = create(filing, "2026-09", taxpayer=unregistered,
                    who=("officer", "officer-fz", OFFICE))
    assert (opened["statusCode"], opened["json"]["tax_office"]) == (201, OFFICE)


def current_period() -> str:
    """This month: due next month, so nothing is late today."""
    return business_date(datetime.now(UTC)).strftime("%Y-%m")


def test_a_return_computes_the_tax_and_creates_a_liability(filing: Any) -> None:
    oid = create(filing, current_period())["json"]["obligation_id"]
    bad = file_return(filing, oid, {"sales": "12,000"}, key="bad-1")
    assert bad["statusCode"] == 422
    assert bad["json"]["field"] == "data.sales"
    unknown = file_return(filing, oid, {"sales": "1.00"}, kind="vat_general_x", key="bad-2")
    assert (unknown["statusCode"], unknown["json"]["field"]) == (422, "kind")
    regime = file_return(filing, oid, {"sales": [{"amount": "1.00", "rate": "0.13"}]},
                         kind="vat_general", key="bad-3")
    assert (regime["statusCode"], regime["json"]["field"]) == (422, "kind")
    assert "小规模纳税人" in regime["json"]["detail"]
    filed = file_return(filing, oid, {"sales": "150000.00"})
    assert filed["statusCode"] == 201, filed["json"]
    shown = filed["json"]
    assert shown["status"] == "filed"
    assert shown["return"]["kind"] == "vat_small_scale"
    assert shown["return"]["computation"]["tax_due"] == "1500.00"  # 150,000 × 1 % (2023 No.19)
    assert shown["return"]["computation"]["steps"]
    assert shown["liability"]["tax"] == "1500.00"
    assert shown["liability"]["outstanding"] == "1500.00"
    # filing again (another key) is a conflict; the same key is the same answer
    assert file_return(filing, oid, {"sales": "1.00"}, key="again")["statusCode"] == 409
    assert file_return(filing, oid, {"sales": "150000.00"})["json"] == shown


def test_a_return_under_the_threshold_is_settled_at_once(filing: Any) -> None:
    oid = create(filing, "2026-Q3")["json"]["obligation_id"]
    filed = file_return(filing, oid, {"sales": "280000.00"})["json"]  # ≤ 300,000 a quarter
    assert filed["return"]["computation"]["exempt"] is True
    assert (filed["status"], filed["liability"]["tax"]) == ("paid", "0.00")


def test_another_taxpayer_cannot_read_or_file_and_officers_only_in_their_office(
        filing: Any) -> None:
    oid = create(filing, "2026-10")["json"]["obligation_id"]
    assert obligation(filing, oid, ("taxpayer", OTHER))["statusCode"] == 403
    assert file_return(filing, oid, {"sales": "1.00"}, who=("taxpayer", OTHER),
                       key="x")["statusCode"] == 403
    assert obligation(filing, oid, ("officer", "officer-xm", "13502000000"))["statusCode"] == 403
    assert obligation(filing, oid, ("officer", "officer-fz", OFFICE))["statusCode"] == 200
    listed = call(filing, event("filing/create_obligation.json", path="/v1/filing/obligations",
                                resource="/v1/filing/obligations", method="GET"))
    assert [o["obligation_id"] for o in listed["json"]["obligations"]] == [oid]
    stranger = call(filing, event("filing/create_obligation.json",
                                  path="/v1/filing/obligations",
                                  resource="/v1/filing/obligations", method="GET",
                                  query={"taxpayer": RETAILER}, who=("taxpayer", OTHER)))
    assert stranger["statusCode"] == 403


def test_paid_in_two_parts_by_two_methods_through_signed_callbacks(
        filing: Any, callbacks: Any) -> None:
    oid = create(filing, current_period())["json"]["obligation_id"]
    file_return(filing, oid, {"sales": "150000.00"})
    too_much = start_payment(filing, oid, "pos", "1500.01")
    assert (too_much["statusCode"], too_much["json"]["field"]) == (422, "amount")
    for bad in ("0", "-5.00", "12.345", "ten"):
        refused = start_payment(filing, oid, "pos", bad)
        assert (refused["statusCode"], refused["json"]["field"]) == (422, "amount"), bad
    unknown = start_payment(filing, oid, "cheque", "1.00")
    assert (unknown["statusCode"], unknown["json"]["field"]) == (422, "method")
    first = start_payment(filing, oid, "bank_transfer", "1000.00")
    assert first["statusCode"] == 201, first["json"]
    assert first["json"]["status"] == "pending"
    assert first["json"]["instruction"]["reference"] == first["json"]["payment_id"]
    second = start_payment(filing, oid, "third_party", "500.00")["json"]
    assert second["instruction"]["qr"].endswith(second["payment_id"])

    # a bad signature is refused and changes nothing
    body, headers = SimulatedProvider("bank_transfer", MASTER).callback(
        first["json"]["payment_id"], 100_000)
    forged = send_callback(callbacks, "bank_transfer", body, "0" * 64)
    assert (forged["statusCode"], forged["json"]["field"]) == (403, "X-Signature")
    assert send_callback(callbacks, "bank_transfer", body, None)["statusCode"] == 403
    assert send_callback(callbacks, "pos", body, headers["X-Signature"])["statusCode"] == 403
    assert obligation(filing, oid)["json"]["liability"]["tax_paid"] == "0.00"

    confirmed = send_callback(callbacks, "bank_transfer", body, headers["X-Signature"])
    assert confirmed["statusCode"] == 200, confirmed["json"]
    assert confirmed["json"] == {"payment_id": first["json"]["payment_id"],
                                 "status": "confirmed", "changed": True}
    replay = send_callback(callbacks, "bank_transfer", body, headers["X-Signature"])
    assert replay["json"]["changed"] is False
    shown = obligation(filing, oid)["json"]
    assert (shown["status"], shown["liability"]["tax_paid"],
            shown["liability"]["outstanding"]) == ("filed", "1000.00", "500.00")

    assert confirm(callbacks, second)["json"]["changed"] is True
    shown = obligation(filing, oid)["json"]
    assert (shown["status"], shown["liability"]["outstanding"]) == ("paid", "0.00")
    assert shown["liability"]["paid_at"]
    # nothing left to pay
    assert start_payment(filing, oid, "pos", "1.00")["statusCode"] == 409

    receipt = get(filing, f"/v1/filing/payments/{second['payment_id']}/receipt",
                  "/v1/filing/payments/{payment_id}/receipt",
                  {"payment_id": second["payment_id"]})
    assert receipt["statusCode"] == 200, receipt["json"]
    document = receipt["json"]["document"]
    assert (document["amount"], document["allocated"]["tax"], document["method"]) == (
        "500.00", "500.00", "third_party")
    verify_envelope(receipt["json"], filing.signer.public_key()["public_key_pem"])
    assert get(filing, f"/v1/filing/payments/{second['payment_id']}/receipt",
               "/v1/filing/payments/{payment_id}/receipt",
               {"payment_id": second["payment_id"]}, ("taxpayer", OTHER))["statusCode"] == 403

    # what a tax payment certificate is issued from
    today = business_date(datetime.now(UTC))
    paid = FilingRepository().confirmed_payments(RETAILER, today - timedelta(days=1), today)
    assert sorted(p.payment_id for p in paid) == sorted([first["json"]["payment_id"],
                                                         second["payment_id"]])
    assert FilingRepository().confirmed_payments(OTHER, today, today) == []


def test_a_late_payment_carries_the_surcharge(filing: Any, callbacks: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    oid = create(filing, "2026-08")["json"]["obligation_id"]  # due 2026-09-15
    file_return(filing, oid, {"sales": "1000000.00"})  # tax 10,000.00
    paid_at = datetime(2026, 9, 25, 2, 0, tzinfo=UTC)  # 10 days late (Shanghai: 25 Sep)
    with monkeypatch.context() as then:  # the payment is made and confirmed on that day
        for module in (filing, callbacks):
            then.setattr(module.service, "now", lambda: paid_at)
        payment = start_payment(filing, oid, "mobile_banking", "6000.00")["json"]
        assert confirm(callbacks, payment, at=paid_at)["json"]["changed"] is True
    shown = get(filing, f"/v1/filing/payments/{payment['payment_id']}",
                "/v1/filing/payments/{payment_id}", {"payment_id": payment["payment_id"]})
    assert shown["json"]["allocation"] == {"tax": "6000.00", "surcharge": "0.00",
                                           "overpaid": "0.00", "days_late": 10}
    liability = obligation(filing, oid)["json"]["liability"]
    today = date.fromisoformat(liability["as_of"])
    # 10,000.00 × 0.05 % × 10 days, then 4,000.00 × 0.05 % a day since 25 September
    expected = 5_000 + (400_000 * 5 * (today - date(2026, 9, 25)).days + 5_000) // 10_000
    assert liability["surcharge"] == f"{expected // 100}.{expected % 100:02d}"
    assert liability["tax_outstanding"] == "4000.00"


def test_a_confirmation_time_outside_the_payments_life_is_refused(
        filing: Any, callbacks: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """A signed callback dated before the payment existed (it would wipe the surcharge of a
    late payment) or in the future (printed on the signed receipt) is refused, alarmed (the
    metric) and changes nothing; the payment is confirmed by an honest callback after."""
    oid = create(filing, "2026-08")["json"]["obligation_id"]  # due 2026-09-15: late now
    file_return(filing, oid, {"sales": "1000000.00"})
    payment = start_payment(filing, oid, "bank_transfer", "10000.00")["json"]
    capsys.readouterr()
    for at in (datetime(2026, 9, 10, 2, 0, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC),
               datetime.now(UTC) - timedelta(days=1)):
        refused = confirm(callbacks, payment, at=at)
        assert (refused["statusCode"], refused["json"]["field"]) == (422, "confirmed_at")
    logged = capsys.readouterr().out
    assert logged.count('"PaymentCallbackTimeRefused":[1.0]') + logged.count(
        '"PaymentCallbackTimeRefused":1') >= 3, logged[-2000:]
    shown = obligation(filing, oid)["json"]
    assert shown["liability"]["tax_paid"] == "0.00"
    late = confirm(callbacks, payment)
    assert late["json"]["changed"] is True
    receipt = get(filing, f"/v1/filing/payments/{payment['payment_id']}/receipt",
                  "/v1/filing/payments/{payment_id}/receipt",
                  {"payment_id": payment["payment_id"]})["json"]["document"]
    assert receipt["days_late"] > 0
    assert receipt["allocated"]["surcharge"] != "0.00" or receipt["allocated"]["tax"] == \
        "10000.00"


def test_an_unknown_payment_or_method_in_a_callback(callbacks: Any) -> None:
    body, headers = SimulatedProvider("pos", MASTER).callback("pay-nope", 100)
    assert send_callback(callbacks, "pos", body, headers["X-Signature"])["statusCode"] == 404
    assert send_callback(callbacks, "cash", body, headers["X-Signature"])["statusCode"] == 404
    sample = call(callbacks, sample_event("filing_callbacks/callback.json"))
    assert sample["statusCode"] == 403  # the sample's signature is zeros


def test_reminders_for_1050_obligations_with_queries_only_once_a_day(
        filing: Any, api_calls: Any) -> None:
    """1,050 obligations due on one day, in pages of 20: every one is reminded once, with
    Queries on the due index (never a Scan) and ten events per PutEvents; a second run the
    same day publishes nothing."""
    repository = FilingRepository()
    from etax.filing.repository import Obligation

    due = date(2026, 9, 15)
    client = boto3.client("dynamodb")
    for n in range(1050):
        code = uscc.complete(f"91350100MA{n:07d}")
        identifier = f"{code}:vat:2026-08"
        repository.create_obligation(Obligation(
            obligation_id=identifier, taxpayer=code, tax_office=OFFICE, tax_type="vat",
            period="2026-08", due_date=due, statutory_due=due, extension="statutory",
            status="open", version=1, created_by="admin:admin-0001",
            created_at="2026-08-01T00:00:00+00:00"))
    # a settled one and one due today are not reminded
    client.update_item(TableName="filing", Key={"pk": {"S": "taxpayer#" + uscc.complete(
        "91350100MA0000000")}, "sk": {"S": "obligation#vat#2026-08"}},
        UpdateExpression="REMOVE open_shard")
    today_code = uscc.complete("91350100MB0000001")
    repository.create_obligation(Obligation(
        obligation_id=f"{today_code}:vat:2026-08", taxpayer=today_code, tax_office=OFFICE,
        tax_type="vat", period="2026-08", due_date=date(2026, 9, 20),
        statutory_due=date(2026, 9, 20), extension="statutory", status="open", version=1,
        created_by="admin:admin-0001", created_at="2026-08-01T00:00:00+00:00"))
    api_calls.clear()
    reminders = load_handler("filing_reminders")
    reminders.service.page_size = 20
    summary = reminders.handler({"date": "2026-09-20"}, LambdaContext())
    assert summary == {"date": "2026-09-20", "due": 1049, "reminded": 1049,
                       "already_reminded": 0}
    dynamodb_ops = api_calls.of("dynamodb")
    assert "Scan" not in dynamodb_ops
    assert set(dynamodb_ops) == {"Query", "UpdateItem"}
    queries = [p for s, op, p in api_calls.calls if op == "Query"]
    assert all(q["IndexName"] == "by_due" for q in queries)
    assert len(queries) >= 1049 // 20  # every shard, page after page
    assert sum("ExclusiveStartKey" in q for q in queries) >= 1049 // 20 - 16
    assert dynamodb_ops.count("UpdateItem") == 1049
    puts = [p for s, op, p in api_calls.calls if op == "PutEvents"]
    assert len(puts) == 105
    assert all(len(p["Entries"]) <= 10 for p in puts)
    ids = [json.loads(e["Detail"])["notification"]["id"] for p in puts for e in p["Entries"]]
    assert len(set(ids)) == 1049
    assert all(i.endswith(":2026-09-20") and i.startswith("reminder:") for i in ids)

    api_calls.clear()
    again = reminders.handler({"date": "2026-09-20"}, LambdaContext())
    assert (again["reminded"], again["already_reminded"]) == (0, 1049)
    assert "PutEvents" not in [op for _, op, _ in api_calls.calls]
    assert set(api_calls.of("dynamodb")) == {"Query"}


def test_the_scheduled_event_runs_for_today(filing: Any) -> None:
    reminders = load_handler("filing_reminders")
    summary = reminders.handler(sample_event("filing_reminders/schedule.json"), LambdaContext())
    assert summary["date"] == business_date(datetime.now(UTC)).isoformat()


def test_a_payment_started_twice_with_one_key_is_one_payment(filing: Any) -> None:
    oid = create(filing, current_period())["json"]["obligation_id"]
    file_return(filing, oid, {"sales": "150000.00"})
    first = start_payment(filing, oid, "pos", "100.00", key="same-key")
    again = start_payment(filing, oid, "pos", "100.00", key="same-key")
    assert first["statusCode"] == again["statusCode"] == 201
    assert first["json"]["payment_id"] == again["json"]["payment_id"]
    other_body = start_payment(filing, oid, "pos", "200.00", key="same-key")
    assert (other_body["statusCode"], other_body["json"]["field"]) == (422, "Idempotency-Key")
    missing = call(filing, event(
        "filing/start_payment.json", path=f"/v1/filing/obligations/{oid}/payments",
        resource="/v1/filing/obligations/{obligation_id}/payments",
        params={"obligation_id": oid}, body={"method": "pos", "amount": "1.00"}))
    assert (missing["statusCode"], missing["json"]["field"]) == (400, "Idempotency-Key")


def test_a_failed_payment_changes_no_liability(filing: Any, callbacks: Any) -> None:
    oid = create(filing, current_period())["json"]["obligation_id"]
    file_return(filing, oid, {"sales": "150000.00"})
    payment = start_payment(filing, oid, "online_banking", "1500.00")["json"]
    body, headers = SimulatedProvider("online_banking", MASTER).callback(
        payment["payment_id"], 150_000, status="failed")
    answer = send_callback(callbacks, "online_banking", body, headers["X-Signature"])
    assert answer["json"] == {"payment_id": payment["payment_id"], "status": "failed",
                              "changed": True}
    # a success arriving after the failure changes nothing either
    assert confirm(callbacks, payment)["json"] == {"payment_id": payment["payment_id"],
                                                    "status": "failed", "changed": False}
    shown = obligation(filing, oid)["json"]
    assert (shown["status"], shown["liability"]["outstanding"]) == ("filed", "1500.00")
    assert get(filing, f"/v1/filing/payments/{payment['payment_id']}/receipt",
               "/v1/filing/payments/{payment_id}/receipt",
               {"payment_id": payment["payment_id"]})["statusCode"] == 409


def test_two_callbacks_racing_on_one_liability_both_count(
        filing: Any, callbacks: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second payment's callback lands between the first one's read and its write: the
    first finds the obligation moved (version), reads again and applies on top."""
    oid = create(filing, current_period())["json"]["obligation_id"]
    file_return(filing, oid, {"sales": "150000.00"})
    first = start_payment(filing, oid, "pos", "1000.00")["json"]
    second = start_payment(filing, oid, "third_party", "500.00")["json"]
    repository = callbacks.service.repository
    original = repository.confirm_payment
    raced: list[str] = []

    def racing(payment: Any, *args: Any, **kwargs: Any) -> None:
        if not raced:
            raced.append(payment.payment_id)
            assert confirm(callbacks, second)["json"]["changed"] is True
        original(payment, *args, **kwargs)

    monkeypatch.setattr(repository, "confirm_payment", racing)
    assert confirm(callbacks, first)["json"]["changed"] is True
    assert raced == [first["payment_id"]]
    shown = obligation(filing, oid)["json"]
    assert (shown["status"], shown["liability"]["tax_paid"]) == ("paid", "1500.00")


def test_every_return_kind_computes_through_its_calculator(filing: Any) -> None:
    """General VAT, the annual IIT reconciliation and vehicle and vessel tax, each computed by
    the toolbox's calculator (the examples of sources.md#iit, sources.md#vat)."""
    general = create(filing, "2026-11", taxpayer=OTHER, who=("taxpayer", OTHER))
    filed = file_return(filing, general["json"]["obligation_id"], {
        "sales": [{"amount": "100000", "rate": "0.13"}], "input_tax": "5000"},
        kind="vat_general", who=("taxpayer", OTHER))
    assert filed["statusCode"] == 201, filed["json"]
    assert filed["json"]["liability"]["tax"] == "8000.00"
    assert filed["json"]["return"]["computation"]["rules"]

    person = "350102199003071234"
    iit = create(filing, "2025", taxpayer=person, tax_type="iit_annual",
                 who=("taxpayer", person))["json"]["obligation_id"]
    figures = {"income": "240000", "social_insurance": "12480",
               "special_additional": {"child_education": "18000"}, "withheld": "0"}
    filed = file_return(filing, iit, figures, kind="iit_annual", who=("taxpayer", person))
    assert filed["statusCode"] == 201, filed["json"]
    # 240,000 − 60,000 − 12,480 − 18,000 = 149,520 → × 20 % − 16,920 = 12,984.00
    assert filed["json"]["liability"]["tax"] == "12984.00"
    refund_year = create(filing, "2024", taxpayer=person, tax_type="iit_annual",
                         who=("taxpayer", person))["json"]["obligation_id"]
    figures = {"income": "120000", "social_insurance": "12480",
               "special_additional": {"child_education": "18000"}, "withheld": "1500"}
    refund = file_return(filing, refund_year, figures, kind="iit_annual",
                         who=("taxpayer", person))["json"]
    # sources.md#iit: 885.60 of tax, 1,500.00 withheld: 614.40 due back, kept for the refund
    assert (refund["status"], refund["liability"]["refund_due"],
            refund["liability"]["refundable"]) == ("paid", "614.40", "614.40")
    assert filed["json"]["return"]["computation"]["date"] == "2025-12-31"

    vehicles = create(filing, "2026", tax_type="vehicle_vessel")["json"]["obligation_id"]
    bad = file_return(filing, vehicles, {"vehicles": [
        {"province": "35", "vehicle_class": "passenger_car", "displacement_l": "1.8"},
        {"province": "35", "vehicle_class": "passenger_car"}]}, kind="vehicle_vessel",
        key="bad-vehicles")
    assert (bad["statusCode"], bad["json"]["field"]) == (422, "data.vehicles[1].displacement_l")
    empty = file_return(filing, vehicles, {"vehicles": []}, kind="vehicle_vessel", key="empty")
    assert (empty["statusCode"], empty["json"]["field"]) == (422, "data.vehicles")
    filed = file_return(filing, vehicles, {"vehicles": [
        {"province": "35", "vehicle_class": "passenger_car", "displacement_l": "1.8"},
        {"province": "35", "vehicle_class": "passenger_car", "displacement_l": "1.0"}]},
        kind="vehicle_vessel")
    assert filed["statusCode"] == 201, filed["json"]
    answers = filed["json"]["return"]["computation"]["vehicles"]
    total = sum(money.parse_yuan(a["annual_tax"]) for a in answers)
    assert filed["json"]["liability"]["tax"] == money.format_yuan(total)
    assert answers[0]["annual_tax"] == "480.00"

    wrong = file_return(filing, vehicles, {"sales": "1"}, kind="vat_small_scale", key="wrong")
    assert (wrong["statusCode"], wrong["json"]["field"]) == (422, "kind")


def test_a_tax_payment_certificate_lists_the_confirmed_payments(
        filing: Any, callbacks: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The certificates function reads confirmed payments from filing (FilingPaymentRecords):
    the late payment's tax and surcharge, in one record per payment."""
    from tests.functional.test_certificates import issue

    oid = create(filing, "2026-08")["json"]["obligation_id"]
    file_return(filing, oid, {"sales": "1000000.00"})  # 10,000.00, due 2026-09-15
    paid_at = datetime(2026, 9, 25, 2, 0, tzinfo=UTC)  # 10 days late
    with monkeypatch.context() as then:  # paid and confirmed on that day
        for module in (filing, callbacks):
            then.setattr(module.service, "now", lambda: paid_at)
        payment = start_payment(filing, oid, "third_party", "10050.00")["json"]
        pending = start_payment(filing, oid, "pos", "1.00")["json"]  # never confirmed
        confirm(callbacks, payment, at=paid_at)

    certificates = load_handler("certificates")
    certificates.signer.kms = DigestKms()
    body = {"kind": "tax_payment", "from": "2026-09-01", "to": "2026-09-30"}
    answer = issue(certificates, body, who=TAXPAYER, key="tp-1")
    assert answer["statusCode"] == 201, answer["json"]
    [line] = answer["json"]["content"]["payments"]
    assert line["payment_id"] == payment["payment_id"] != pending["payment_id"]
    assert (line["amount_fen"], line["tax_kind"], line["period"], line["paid_on"]) == (
        10_050_00, "vat", "2026-08-01/2026-08-31", "2026-09-25")
    assert answer["json"]["total"] == "10050.00"
    other = issue(certificates, body, who=("taxpayer", OTHER), key="tp-2")
    assert (other["statusCode"], other["json"]["field"]) == (422, "from")


def test_returns_filed_and_payments_confirmed_are_counted_once(
        filing: Any, callbacks: Any, capsys: pytest.CaptureFixture[str]) -> None:
    """A return filed and a payment confirmed are counted when written (by method); the same
    request or callback again is not counted again."""
    oid = create(filing, "2026-10")["json"]["obligation_id"]
    capsys.readouterr()
    assert file_return(filing, oid, {"sales": "1000000.00"})["statusCode"] == 201
    file_return(filing, oid, {"sales": "1000000.00"})  # the same key: the stored answer
    assert business_metrics(capsys.readouterr().out) == [("ReturnsFiled", 1.0, {})]
    payment = start_payment(filing, oid, "pos", "10000.00")["json"]
    capsys.readouterr()
    assert confirm(callbacks, payment)["json"]["changed"] is True
    assert confirm(callbacks, payment)["json"]["changed"] is False  # a replay
    assert business_metrics(capsys.readouterr().out) == [("PaymentsConfirmed", 1.0,
                                                          {"method": "pos"})]


def test_the_obligations_list_shows_each_payment_with_its_receipt_once_confirmed(
        filing: Any, callbacks: Any) -> None:
    oid = create(filing, current_period())["json"]["obligation_id"]
    other = create(filing, "2026-01", key="other-period")["json"]["obligation_id"]
    file_return(filing, oid, {"sales": "150000.00"})
    confirmed = start_payment(filing, oid, "online_banking", "1000.00")["json"]
    pending = start_payment(filing, oid, "pos", "500.00")["json"]
    assert confirm(callbacks, confirmed)["json"]["status"] == "confirmed"
    listed = call(filing, event("filing/create_obligation.json", path="/v1/filing/obligations",
                                resource="/v1/filing/obligations", method="GET"))["json"]
    shown = {o["obligation_id"]: o for o in listed["obligations"]}
    assert shown[other]["payments"] == []
    assert shown[oid]["return"]["kind"] == "vat_small_scale"
    assert shown[oid]["liability"]["tax"] == "1500.00"
    lines = {p["payment_id"]: p for p in shown[oid]["payments"]}
    assert set(lines) == {confirmed["payment_id"], pending["payment_id"]}
    paid = lines[confirmed["payment_id"]]
    assert (paid["status"], paid["method"], paid["amount"]) == (
        "confirmed", "online_banking", "1000.00")
    assert paid["receipt"] == f"/v1/filing/payments/{confirmed['payment_id']}/receipt"
    assert paid["confirmed_at"]
    waiting = lines[pending["payment_id"]]
    assert (waiting["status"], waiting["amount"], waiting["receipt"]) == ("pending", "500.00",
                                                                          None)
    assert obligation(filing, oid)["json"]["payments"] == shown[oid]["payments"]
    # another taxpayer's payments are never in the list
    theirs = create(filing, current_period(), taxpayer=OTHER, who=("taxpayer", OTHER))
    assert theirs["statusCode"] == 201, theirs["json"]
    mine = call(filing, event("filing/create_obligation.json", path="/v1/filing/obligations",
                              resource="/v1/filing/obligations", method="GET",
                              who=("taxpayer", OTHER)))["json"]["obligations"]
    assert [o["payments"] for o in mine] == [[]]


def stream_records() -> list[dict[str, Any]]:
    """The filing table's stream records so far, as Lambda receives them (from moto's backend:
    its in-process Streams API answers "not yet implemented")."""
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends["123456789012"]["us-east-1"].get_table("filing")
    assert table.stream_shard is not None
    return [json.loads(json.dumps(r.to_json(), default=str)) for r in table.stream_shard.items]


class Captured:
    def __init__(self) -> None:
        self.events: list[Any] = []

    def publish(self, events: Any) -> None:
        self.events.extend(events)


def test_returns_filed_and_payments_confirmed_are_announced_from_the_stream(
        filing: Any, callbacks: Any) -> None:
    """The table's stream is the outbox: a return filed (taxed, or settled at once with nothing
    payable) and a payment confirmed are announced with their amounts in fen; a payment
    started or failed, a reminder's claim and the ledger moving announce nothing, and the event
    source's filter lets through exactly the records that announce."""
    from etax.filing.outbox import ANNOUNCING
    from tests.unit.test_outbox import wakes

    oid = create(filing, current_period())["json"]["obligation_id"]
    taxed = file_return(filing, oid, {"sales": "150000.00"})["json"]
    exempt = create(filing, "2026-Q3")["json"]["obligation_id"]
    assert file_return(filing, exempt, {"sales": "280000.00"})["json"]["status"] == "paid"
    paid = start_payment(filing, oid, "bank_transfer", "1000.00")["json"]
    assert confirm(callbacks, paid)["json"]["changed"] is True
    assert confirm(callbacks, paid)["json"]["changed"] is False  # a replay: no write
    failed = start_payment(filing, oid, "pos", "500.00")["json"]
    body, headers = SimulatedProvider("pos", MASTER).callback(
        failed["payment_id"], 50_000, status="failed")
    assert send_callback(callbacks, "pos", body, headers["X-Signature"])["json"]["changed"]
    FilingRepository().claim_reminder(oid, date(2099, 1, 1))

    records = stream_records()
    events_fn = load_handler("filing_events")
    events_fn.outbox.publisher = Captured()
    events_fn.handler({"Records": records}, LambdaContext())
    announced = events_fn.outbox.publisher.events
    assert [e.detail_type for e in announced] == ["ReturnFiled", "ReturnFiled",
                                                  "PaymentConfirmed"]
    filed_event, exempt_event, confirmed_event = announced
    assert filed_event.detail == {
        "obligation_id": oid, "taxpayer": RETAILER, "tax_type": "vat",
        "period": current_period(), "kind": "vat_small_scale",
        "filed_at": taxed["return"]["filed_at"], "tax_due_fen": 150_000,
        "sales_fen": 15_000_000, "office": OFFICE}
    assert filed_event.resources == (f"obligation/{oid}",)
    assert (exempt_event.detail["obligation_id"], exempt_event.detail["tax_due_fen"],
            exempt_event.detail["sales_fen"]) == (exempt, 0, 28_000_000)
    shown = get(filing, f"/v1/filing/payments/{paid['payment_id']}",
                "/v1/filing/payments/{payment_id}", {"payment_id": paid["payment_id"]})["json"]
    assert confirmed_event.detail == {
        "payment_id": paid["payment_id"], "obligation_id": oid, "taxpayer": RETAILER,
        "tax_type": "vat", "period": current_period(), "amount_fen": 100_000,
        "method": "bank_transfer", "confirmed_at": shown["confirmed_at"], "office": OFFICE}
    assert type(confirmed_event.detail["amount_fen"]) is int
    assert confirmed_event.resources == (f"payment/{paid['payment_id']}",)

    woken = [r for r in records if wakes(ANNOUNCING, r)]
    assert len(woken) == 3 < len(records)
    events_fn.outbox.publisher = Captured()
    events_fn.handler({"Records": woken}, LambdaContext())
    assert [(e.detail_type, e.detail, e.resources) for e in events_fn.outbox.publisher.events
            ] == [(e.detail_type, e.detail, e.resources) for e in announced]
