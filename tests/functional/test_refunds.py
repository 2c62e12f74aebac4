"""The refund pipeline over moto: applying (with the amount rules and their refusals), who may
read a case, each stage consumer moving a case only from its own state, the outbox announcing
every change, officers' review queue and decisions, the treasury paying once even when the
payment stage dies after the treasury accepted, and a poisoned message failing alone."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from etax.filing.deadlines import deadline
from etax.filing.ledger import Ledger
from etax.filing.repository import FilingRepository, Obligation, obligation_id, obligation_key
from etax.platform.events import DomainEvent
from etax.refunds.treasury import (
    Payment,
    TreasuryAdapter,
    TreasuryError,
    TreasuryRejected,
)
from etax.simulations.treasury import SimulatedTreasury
from tests.functional.conftest import LambdaContext, call, load_handler, sample_event
from tests.functional.test_acceptance_registration import OFFICE, SELLER, put_record
from tests.functional.test_invoices import request

PERSON = "350102199003071234"          # resident ID of Fuzhou (region 3501), registered
OTHER_PERSON = "11010519491231002X"    # Beijing, registered too
UNREGISTERED = "350102198001010011"    # a valid resident ID never registered
SMALL = "91350100MA2Y8KXX1B"           # a small-scale taxpayer of the Fuzhou office
BUYER_CO = "91350200MA31BNQ576"        # another company, buyer of someone else's invoices
OTHER_OFFICE = "13502000000"
ACCOUNT = {"bank": "中国银行福州分行", "number": "6217000000001234"}
IIT: dict[str, Any] = {"kind": "iit_annual", "year": 2025, "account": ACCOUNT}
GENERAL: dict[str, Any] = {"kind": "general", "obligation_id": f"{SELLER}:vat:2026-09",
                           "account": ACCOUNT}
INV = [f"2635200000000000{n:04d}" for n in range(101, 110)]
EXPORT: dict[str, Any] = {"kind": "export", "declaration_number": "350120261000012345",
          "export_date": "2026-11-01", "account": ACCOUNT,
          "lines": [{"product_code": "8471300000", "invoice_number": INV[0]},
                    {"product_code": "0902101000", "invoice_number": INV[1]}]}
STAGE_OF = {"RefundSubmitted": "refund_checks", "RefundDocumentsChecked": "refund_approval",
            "RefundApproved": "refund_payment", "RefundPaid": "refund_notify",
            "RefundRejected": "refund_notify"}
OFFICER = ("officer", "officer-fz-0001", OFFICE)
AT = "2026-11-01T00:00:00+00:00"
OTHER_OFFICER = ("officer", "officer-xm-0001", OTHER_OFFICE)


class Pipeline:
    """The deployed wiring in process: the stream → the outbox function → the rules → the
    stage consumers, each called with the SQS message its queue would deliver."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.api = load_handler("refunds")
        self.events = load_handler("refund_events")
        self.stages = {name: load_handler(name) for name in set(STAGE_OF.values())}
        self.published: list[DomainEvent] = []
        self.seen = 0
        monkeypatch.setattr(self.events.publisher, "publish", self.published.extend)

    def announce(self) -> list[DomainEvent]:
        """Run the outbox over the stream records written since the last call."""
        records = stream_records()[self.seen:]
        self.seen += len(records)
        before = len(self.published)
        self.events.handler({"Records": records}, LambdaContext())
        return self.published[before:]

    def deliver(self, event: DomainEvent, receives: int = 1,
                message_id: str = "m-1") -> list[str]:
        """One message to the stage the rules route ``event`` to; the failed message ids."""
        module = self.stages[STAGE_OF[event.detail_type]]
        answer = module.handler({"Records": [message(event, receives, message_id)]},
                                LambdaContext())
        return [f["itemIdentifier"] for f in answer["batchItemFailures"]]

    def drain(self) -> list[str]:
        """Announce and deliver until the pipeline rests; the detail types published."""
        kinds = []
        while events := self.announce():
            for event in events:
                kinds.append(event.detail_type)
                if event.detail_type in STAGE_OF:
                    assert self.deliver(event) == [], event
        return kinds


def stream_records() -> list[dict[str, Any]]:
    """The refunds table's stream records, as Lambda receives them (from moto's backend:
    its in-process Streams API answers "not yet implemented")."""
    from moto.dynamodb.models import dynamodb_backends

    table = dynamodb_backends["123456789012"]["us-east-1"].get_table("refunds")
    assert table.stream_shard is not None
    return [json.loads(json.dumps(r.to_json(), default=str)) for r in table.stream_shard.items]


def message(event: DomainEvent, receives: int = 1, message_id: str = "m-1") -> dict[str, Any]:
    body = {"version": "0", "id": "e-1", "detail-type": event.detail_type,
            "source": "tax.refunds", "detail": {"schema_version": 1, **event.detail}}
    return raw_message(json.dumps(body, ensure_ascii=False), receives, message_id)


def raw_message(body: str, receives: int = 1, message_id: str = "m-1") -> dict[str, Any]:
    return {"messageId": message_id, "receiptHandle": f"rh-{message_id}", "body": body,
            "attributes": {"ApproximateReceiveCount": str(receives), "SentTimestamp": "1",
                           "SenderId": "x", "ApproximateFirstReceiveTimestamp": "1"},
            "messageAttributes": {}, "md5OfBody": "x", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:refunds",
            "awsRegion": "us-east-1"}


def put_person(resident_id: str, office: str = OFFICE, verified: bool = True) -> None:
    """A natural person registered online (as etax.acceptance's register_person stores it)."""
    boto3.resource("dynamodb").Table("acceptance").put_item(Item={
        "pk": f"taxpayer#{resident_id}", "sk": "person", "resident_id": resident_id,
        "name": "陈小明", "bank_card_last4": "1234", "phone": "13800138000",
        "tax_office_code": office, "registered_at": "2026-11-01T00:00:00+00:00",
        "real_name": {"verified": verified, "reference": "SIMBANK-x", "at": "2026-11-01"}})


def put_obligation(taxpayer: str, tax_type: str, period: str, *, tax_fen: int = 0,
                   overpaid_fen: int = 0, refund_due_fen: int = 0, office: str = OFFICE,
                   filed: bool = True) -> str:
    """An obligation of filing with its ledger as filing leaves it: a return filed (its tax
    and any refund it computed) and payments confirmed (``overpaid_fen`` above the tax)."""
    identifier = obligation_id(taxpayer, tax_type, period)
    due = deadline(tax_type, period)
    repository = FilingRepository()
    repository.create_obligation(Obligation(
        obligation_id=identifier, taxpayer=taxpayer, tax_office=office, tax_type=tax_type,
        period=due.period.text, due_date=due.due_date, statutory_due=due.statutory,
        extension=due.how, status="open", version=1, created_by="test", created_at=AT))
    if filed:
        obligation = repository.get_obligation(identifier, consistent=True)
        assert obligation is not None
        kind = "iit_annual" if tax_type == "iit_annual" else "vat_general"
        repository.file_return(obligation, kind=kind, answer={}, filed_at=AT, filed_by="test",
                               ledger=Ledger(due_date=due.due_date, tax_fen=tax_fen,
                                             refund_due_fen=refund_due_fen))
    if overpaid_fen:
        boto3.client("dynamodb").update_item(
            TableName="filing", Key=obligation_key(identifier),
            UpdateExpression="SET tax_paid_fen = :tax, overpaid_fen = :over",
            ExpressionAttributeValues={":tax": {"N": str(tax_fen)},
                                       ":over": {"N": str(overpaid_fen)}})
    return identifier


def put_invoice(number: str, buyer: str, amount_fen: int, tax_fen: int, *,
                status: str = "normal", red_letter_of: str | None = None) -> None:
    """An issued invoice as the invoices table holds it (what an export refund reads)."""
    document = {"number": number, "seller": {"credit_code": BUYER_CO},
                "buyer": {"kind": "enterprise", "credit_code": buyer, "name": "x"},
                "amount_fen": amount_fen, "tax_fen": tax_fen, "total_fen": amount_fen + tax_fen,
                "red_letter_of": red_letter_of}
    boto3.client("dynamodb").put_item(TableName="invoices", Item={
        "number": {"S": number}, "doc": {"S": json.dumps(document)}, "status": {"S": status},
        "signature": {"M": {"alg": {"S": "ES256"}}}})


def ledger_of(identifier: str) -> Ledger:
    obligation = FilingRepository().get_obligation(identifier, consistent=True)
    assert obligation is not None
    assert obligation.ledger is not None
    return obligation.ledger


@pytest.fixture
def pipeline(aws: None, monkeypatch: pytest.MonkeyPatch) -> Pipeline:
    put_record(SELLER)
    put_record(SMALL, taxpayer_type="small_scale")
    put_record(BUYER_CO, tax_office_code=OTHER_OFFICE)
    put_person(PERSON)
    put_person(OTHER_PERSON, office="11101000000")
    # sources.md#iit annual example: 885.60 tax, 1,500.00 withheld → 614.40 to refund
    put_obligation(PERSON, "iit_annual", "2025", refund_due_fen=614_40)
    put_obligation(OTHER_PERSON, "iit_annual", "2025", refund_due_fen=100_00,
                   office="11101000000")
    put_obligation(SELLER, "vat", "2026-09", tax_fen=1_000_00, overpaid_fen=200_00)
    put_invoice(INV[0], SELLER, 10_000_00, 1_300_00)
    put_invoice(INV[1], SELLER, 2_000_00, 180_00)
    return Pipeline(monkeypatch)


def apply(module: Any, body: dict[str, Any], who: tuple[str, ...] = ("taxpayer", PERSON),
          key: str | None = "k-1") -> dict[str, Any]:
    return call(module, request("POST", "/v1/refunds", body=body, who=who, key=key))


def read(module: Any, case_id: str, who: tuple[str, ...] = ("taxpayer", PERSON)
         ) -> dict[str, Any]:
    return call(module, request("GET", f"/v1/refunds/{case_id}", who=who,
                                resource="/v1/refunds/{case_id}", params={"case_id": case_id}))


def decide(module: Any, case_id: str, verdict: str, who: tuple[str, ...] = OFFICER,
           body: dict[str, Any] | None = None, key: str = "d-1") -> dict[str, Any]:
    return call(module, request("POST", f"/v1/refunds/{case_id}/{verdict}", body=body, who=who,
                                key=key, resource=f"/v1/refunds/{{case_id}}/{verdict}",
                                params={"case_id": case_id}))


def queue(module: Any, who: tuple[str, ...] = OFFICER,
          query: dict[str, str] | None = None) -> dict[str, Any]:
    event = request("GET", "/v1/refunds", who=who)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = ({k: [v] for k, v in query.items()}
                                                if query else None)
    return call(module, event)


def treasury_payments() -> list[dict[str, Any]]:
    items = boto3.client("dynamodb").scan(TableName="refund-treasury")["Items"]
    return [i for i in items if i["key"]["S"].startswith("payment#")]


# -- applying --------------------------------------------------------------------------------


def test_an_iit_refund_runs_from_submission_to_notified(pipeline: Pipeline) -> None:
    answer = apply(pipeline.api, IIT)
    assert answer["statusCode"] == 201, answer["json"]
    case = answer["json"]
    assert (case["state"], case["amount"], case["kind"]) == ("submitted", "614.40",
                                                             "iit_annual")
    assert case["tax_office"] == OFFICE  # the office of the filed return's obligation
    assert case["obligation_id"] == f"{PERSON}:iit_annual:2025"
    assert case["computation"]["refund_due"] == "614.40"
    assert case["account"] == {"bank": ACCOUNT["bank"], "number": "************1234"}
    assert [s["state"] for s in case["stages"]] == ["submitted"]
    again = apply(pipeline.api, IIT)  # the same Idempotency-Key: the same case
    assert again["json"]["id"] == case["id"]

    kinds = pipeline.drain()
    assert kinds == ["RefundSubmitted", "RefundDocumentsChecked", "RefundApproved",
                     "RefundPaid", "RefundNotified"]
    shown = read(pipeline.api, case["id"])["json"]
    assert shown["state"] == "notified"
    assert [(s["state"], s["by"]) for s in shown["stages"]] == [
        ("submitted", PERSON), ("checked", "system:checks"), ("approved", "system:approval"),
        ("paid", "treasury"), ("notified", "system:notify")]
    assert all(s["at"] for s in shown["stages"])
    assert shown["approved_amount"] == "614.40"
    assert shown["payment"]["treasury_ref"].startswith("GK")
    [payment] = treasury_payments()
    assert int(payment["amount_fen"]["N"]) == 614_40
    notified = pipeline.published[-1]
    assert notified.detail["notification"] == {
        "id": f"refund:{case['id']}:paid", "recipient": PERSON, "kind": "refund.paid",
        "title": "退税已退付", "body": notified.detail["notification"]["body"],
        "link": f"/v1/refunds/{case['id']}"}
    # everything delivered again: nothing moves, nothing is paid twice
    for event in list(pipeline.published):
        if event.detail_type in STAGE_OF:
            assert pipeline.deliver(event) == []
    assert pipeline.announce() == []
    assert len(treasury_payments()) == 1
    # the ledger recorded the refund: the year is refunded once
    assert ledger_of(f"{PERSON}:iit_annual:2025").refunded_fen == 614_40
    twice = apply(pipeline.api, IIT, key="k-again")
    assert (twice["statusCode"], twice["json"]["field"]) == (422, "year")
    assert "nothing to refund" in twice["json"]["detail"]


def test_export_refund_amounts_and_who_may_claim_what(pipeline: Pipeline) -> None:
    answer = apply(pipeline.api, EXPORT, who=("taxpayer", SELLER))
    assert answer["statusCode"] == 201, answer["json"]
    case = answer["json"]
    assert case["amount"] == "1480.00"  # 10,000 × 13 % + 2,000 × 9 %, from the invoices
    assert case["tax_office"] == OFFICE  # the registry's office of the enterprise
    assert [line["refund"] for line in case["computation"]["lines"]] == ["1300.00", "180.00"]
    assert case["computation"]["lines"][0]["purchase_amount"] == "10000.00"
    put_invoice(INV[2], SELLER, 1_000_00, 130_00)
    unknown = {**EXPORT, "declaration_number": "350120261000099999",
               "lines": [{"product_code": "9999999999", "invoice_number": INV[2]}]}
    refused = apply(pipeline.api, unknown, who=("taxpayer", SELLER), key="k-2")
    assert refused["statusCode"] == 422
    assert refused["json"]["field"] == "lines[0].product_code"
    for body, who in ((EXPORT, ("taxpayer", SMALL)), (EXPORT, ("taxpayer", PERSON)),
                      (IIT, ("taxpayer", SELLER))):
        answer = apply(pipeline.api, body, who=who, key=f"k-{who[1]}-{body['kind']}")
        assert answer["statusCode"] == 422, (body["kind"], who)
        assert answer["json"]["field"] == "kind"
    # an input invoice with less VAT than the refund rate: capped, and an officer looks
    put_invoice(INV[3], SELLER, 10_000_00, 300_00)
    capped = {**EXPORT, "declaration_number": "350120261000012346",
              "lines": [{**EXPORT["lines"][0], "invoice_number": INV[3]}]}
    case = apply(pipeline.api, capped, who=("taxpayer", SELLER), key="k-3")["json"]
    assert case["amount"] == "300.00"
    pipeline.drain()
    shown = read(pipeline.api, case["id"], ("taxpayer", SELLER))["json"]
    assert (shown["state"], shown["flags"]) == ("review", ["input_vat_cap_applied"])


def test_an_export_refund_stands_only_on_real_unused_invoices_of_the_exporter(
        pipeline: Pipeline) -> None:
    put_invoice(INV[4], BUYER_CO, 10_000_00, 1_300_00)            # issued to someone else
    put_invoice(INV[5], SELLER, 10_000_00, 1_300_00, status="voided")
    put_invoice(INV[6], SELLER, 10_000_00, 1_300_00, status="red_flushed")
    put_invoice(INV[7], SELLER, -10_000_00, -1_300_00, red_letter_of=INV[8])
    line = EXPORT["lines"][0]
    for n, (number, says) in enumerate(((INV[2], "no invoice"), (INV[4], "not issued to you"),
                                        (INV[5], "voided"), (INV[6], "red_flushed"),
                                        (INV[7], "red-letter"))):
        body = {**EXPORT, "declaration_number": f"35012026100009{n:04d}",
                "lines": [{**line, "invoice_number": number}]}
        answer = apply(pipeline.api, body, who=("taxpayer", SELLER), key=f"bad-{n}")
        assert answer["statusCode"] == 422, (number, answer["json"])
        assert answer["json"]["field"] == "lines[0].invoice_number"
        assert says in answer["json"]["detail"]
    twice = {**EXPORT, "lines": [line, line]}
    answer = apply(pipeline.api, twice, who=("taxpayer", SELLER), key="twice")
    assert (answer["statusCode"], answer["json"]["field"]) == (422, "lines[1].invoice_number")
    first = apply(pipeline.api, EXPORT, who=("taxpayer", SELLER), key="first")
    assert first["statusCode"] == 201, first["json"]
    # the same declaration again, or the same invoice under another declaration: 409
    again = apply(pipeline.api, {**EXPORT, "lines": [EXPORT["lines"][1]]},
                  who=("taxpayer", SELLER), key="again")
    assert (again["statusCode"], again["json"]["field"]) == (409, "declaration_number")
    assert first["json"]["id"] in again["json"]["detail"]
    put_invoice(INV[2], SELLER, 1_000_00, 130_00)
    reused = {**EXPORT, "declaration_number": "350120261000077777",
              "lines": [{**line, "invoice_number": INV[2]}, EXPORT["lines"][1]]}
    answer = apply(pipeline.api, reused, who=("taxpayer", SELLER), key="reused")
    assert (answer["statusCode"], answer["json"]["field"]) == (409, "lines[1].invoice_number")
    # nothing of the refused applications holds anything: INV[2] is free
    free = {**reused, "lines": [reused["lines"][0]]}
    assert apply(pipeline.api, free, who=("taxpayer", SELLER), key="free")["statusCode"] == 201


@pytest.mark.parametrize(("body", "field", "status"), [
    ({**GENERAL, "kind": "bonus"}, "kind", 422),
    ({k: v for k, v in GENERAL.items() if k != "kind"}, "kind", 422),
    ({**GENERAL, "paid": "1200.00"}, "paid", 422),          # amounts are not the applicant's
    ({**GENERAL, "obligation_id": "x:vat:2026-09"}, "obligation_id", 422),
    ({**GENERAL, "obligation_id": f"{SELLER}:vat:2026-08"}, "obligation_id", 422),
    ({**GENERAL, "obligation_id": f"{SMALL}:vat:2026-09"}, "obligation_id", 422),
    ({**GENERAL, "account": {"bank": "x", "number": "6217"}}, "account.bank", 422),
    ({**GENERAL, "account": {"bank": "中国\u202e银行", "number": "6217000000001234"}},
     "account.bank", 422),
    ({**GENERAL, "note": "退\u200b税"}, "note", 422),
    ({**GENERAL, "account": {"bank": "中国银行", "number": "62 17"}}, "account.number", 422),
    ({**GENERAL, "account": {"bank": "中国银行", "number": "6217000000000000"}},
     "account.number", 422),                                 # the bank: not the applicant's
    ({**EXPORT, "lines": []}, "lines", 422),
    ({**EXPORT, "lines": [{**EXPORT["lines"][0], "input_vat": "1300.00"}]},
     "lines[0].input_vat", 422),
    ({**IIT, "year": 2018}, "year", 422),
    ({**IIT, "year": 2100}, "year", 422),
    ({**IIT, "year": 2024}, "year", 422),                    # no return filed for 2024
    ({**IIT, "withheld": "1500.00"}, "withheld", 422),
    ({**EXPORT, "export_date": "2100-01-01"}, "export_date", 422),
])
def test_bad_applications_name_the_field(pipeline: Pipeline, body: dict[str, Any], field: str,
                                         status: int) -> None:
    who = ("taxpayer", PERSON) if body.get("kind") == "iit_annual" else ("taxpayer", SELLER)
    answer = apply(pipeline.api, body, who=who)
    assert answer["statusCode"] == status, answer["json"]
    assert answer["json"]["field"] == field
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    assert stream_records() == []  # nothing half-written


def test_applying_needs_a_key_and_a_registered_taxpayer(pipeline: Pipeline) -> None:
    answer = apply(pipeline.api, IIT, key=None)
    assert (answer["statusCode"], answer["json"]["field"]) == (400, "Idempotency-Key")
    assert apply(pipeline.api, IIT, who=OFFICER)["statusCode"] == 403
    stranger = apply(pipeline.api, GENERAL, who=("taxpayer", "91350100M000100Y4Z"))
    assert (stranger["statusCode"], stranger["json"]["field"]) == (422, "applicant")
    nobody = apply(pipeline.api, IIT, who=("taxpayer", UNREGISTERED), key="nobody")
    assert (nobody["statusCode"], nobody["json"]["field"]) == (422, "applicant")
    assert "natural-persons" in nobody["json"]["detail"]
    put_person(UNREGISTERED, verified=False)  # a registration without the real-name check
    unverified = apply(pipeline.api, IIT, who=("taxpayer", UNREGISTERED), key="unverified")
    assert (unverified["statusCode"], unverified["json"]["field"]) == (422, "applicant")
    # someone else's obligation is not yours to name
    foreign = apply(pipeline.api, {**GENERAL, "obligation_id": f"{PERSON}:iit_annual:2025"},
                    who=("taxpayer", SELLER), key="foreign")
    assert (foreign["statusCode"], foreign["json"]["field"]) == (422, "obligation_id")
    general_iit = apply(pipeline.api, {**GENERAL, "obligation_id": f"{PERSON}:iit_annual:2025"},
                        key="general-iit")
    assert (general_iit["statusCode"], general_iit["json"]["field"]) == (422, "kind")
    bank_down = {**IIT, "account": {"bank": "中国银行", "number": "6217000000009990"}}
    down = apply(pipeline.api, bank_down, key="down")
    assert (down["statusCode"], down["headers"]["Retry-After"]) == (503, "30")
    assert stream_records() == []  # nothing half-written


def test_one_open_case_per_obligation_and_the_ledger_pays_it_once(pipeline: Pipeline) -> None:
    first = apply(pipeline.api, GENERAL, who=("taxpayer", SELLER), key="g-1")
    assert first["statusCode"] == 201, first["json"]
    assert first["json"]["amount"] == "200.00"
    assert first["json"]["computation"]["overpaid"] == "200.00"
    second = apply(pipeline.api, GENERAL, who=("taxpayer", SELLER), key="g-2")
    assert (second["statusCode"], second["json"]["field"]) == (409, "obligation_id")
    assert first["json"]["id"] in second["json"]["detail"]
    pipeline.drain()
    assert read(pipeline.api, first["json"]["id"], ("taxpayer", SELLER))["json"]["state"] == \
        "notified"
    ledger = ledger_of(f"{SELLER}:vat:2026-09")
    assert (ledger.overpaid_fen, ledger.refunded_fen, ledger.refundable_fen) == (
        200_00, 200_00, 0)
    nothing = apply(pipeline.api, GENERAL, who=("taxpayer", SELLER), key="g-3")
    assert (nothing["statusCode"], nothing["json"]["field"]) == (422, "obligation_id")
    # a new overpayment on the same obligation is refundable again, and only that
    boto3.client("dynamodb").update_item(
        TableName="filing", Key=obligation_key(f"{SELLER}:vat:2026-09"),
        UpdateExpression="SET overpaid_fen = :over", ExpressionAttributeValues={
            ":over": {"N": str(250_00)}})
    more = apply(pipeline.api, GENERAL, who=("taxpayer", SELLER), key="g-4")
    assert (more["statusCode"], more["json"]["amount"]) == (201, "50.00")
    assert sum(int(p["amount_fen"]["N"]) for p in treasury_payments()) == 200_00


@pytest.mark.parametrize(("refunded_meanwhile", "status", "amount"), [
    (200_00, 422, None),  # paid in full by another case meanwhile: nothing left
    (150_00, 201, "50.00"),  # partly: the case is for what is left, not what was read
])
def test_an_application_computed_from_a_ledger_a_refund_moved_is_computed_again(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch, refunded_meanwhile: int,
        status: int, amount: str | None) -> None:
    """Another case of the obligation paid (its claim let go, the ledger's refunded sum moved)
    between this application's read of the ledger and its store: the stored case must not
    stand on the stale read (it would have been a second case for money already refunded)."""
    from etax.filing.refunds import FilingOverpayments

    real = FilingOverpayments.get
    reads: list[int] = []

    def stale_then_real(self: FilingOverpayments, obligation: str) -> Any:
        found = real(self, obligation)
        if not reads:  # the first read is from before the other case's payment
            boto3.client("dynamodb").update_item(
                TableName="filing", Key=obligation_key(obligation),
                UpdateExpression="SET refunded_fen = :r", ExpressionAttributeValues={
                    ":r": {"N": str(refunded_meanwhile)}})
        reads.append(found.refunded_fen if found else -1)
        return found

    monkeypatch.setattr(FilingOverpayments, "get", stale_then_real)
    answer = apply(pipeline.api, GENERAL, who=("taxpayer", SELLER))
    assert answer["statusCode"] == status, answer["json"]
    assert reads == [0, refunded_meanwhile]  # read again after the store was refused
    if amount is None:
        assert answer["json"]["field"] == "obligation_id"
        assert "nothing to refund" in answer["json"]["detail"]
    else:
        assert answer["json"]["amount"] == amount


def test_a_case_the_ledger_no_longer_covers_is_not_paid(pipeline: Pipeline) -> None:
    case_id = apply(pipeline.api, GENERAL, who=("taxpayer", SELLER))["json"]["id"]
    for _ in range(2):
        for event in pipeline.announce():
            pipeline.deliver(event)
    [approved] = pipeline.announce()
    assert approved.detail_type == "RefundApproved"
    boto3.client("dynamodb").update_item(  # something else refunded it meanwhile
        TableName="filing", Key=obligation_key(f"{SELLER}:vat:2026-09"),
        UpdateExpression="SET refunded_fen = :r", ExpressionAttributeValues={
            ":r": {"N": str(150_00)}})
    assert pipeline.deliver(approved, message_id="pay") == ["pay"]
    assert treasury_payments() == []
    shown = read(pipeline.api, case_id, ("taxpayer", SELLER))["json"]
    assert shown["state"] == "approved"
    assert "not paid" in shown["payment"]["last_error"]


def test_a_rejected_case_lets_go_of_its_claims(pipeline: Pipeline) -> None:
    put_obligation(SELLER, "vat", "2026-08", tax_fen=1_000_00, overpaid_fen=70_000_00)
    large = {**GENERAL, "obligation_id": f"{SELLER}:vat:2026-08"}
    first = apply(pipeline.api, large, who=("taxpayer", SELLER), key="l-1")["json"]["id"]
    pipeline.drain()
    assert decide(pipeline.api, first, "reject", body={"reason": "资料不全"})["statusCode"] == 200
    again = apply(pipeline.api, large, who=("taxpayer", SELLER), key="l-2")
    assert again["statusCode"] == 201, again["json"]
    assert again["json"]["amount"] == "70000.00"


def test_the_obligations_office_is_the_cases(pipeline: Pipeline) -> None:
    beijing = apply(pipeline.api, IIT, who=("taxpayer", OTHER_PERSON), key="k-bj")["json"]
    assert (beijing["tax_office"], beijing["amount"]) == ("11101000000", "100.00")


def test_a_taxpayer_lists_its_own_cases_newest_first(pipeline: Pipeline) -> None:
    for year in (2023, 2024):
        put_obligation(PERSON, "iit_annual", str(year), refund_due_fen=614_40)
    ids = [apply(pipeline.api, {**IIT, "year": year}, key=f"k-{year}")["json"]["id"]
           for year in (2023, 2024, 2025)]
    apply(pipeline.api, IIT, who=("taxpayer", OTHER_PERSON), key="other")
    page = queue(pipeline.api, ("taxpayer", PERSON), {"limit": "2"})
    assert page["statusCode"] == 200, page["json"]
    assert [i["id"] for i in page["json"]["items"]] == ids[::-1][:2]
    assert page["json"]["items"][0]["state"] == "submitted"
    assert page["json"]["items"][0]["amount"] == "614.40"
    rest = queue(pipeline.api, ("taxpayer", PERSON), {"cursor": page["json"]["cursor"]})
    assert [i["id"] for i in rest["json"]["items"]] == ids[:1]
    assert rest["json"]["cursor"] is None
    # a cursor of someone else's list, or a filter, is refused
    other = queue(pipeline.api, ("taxpayer", OTHER_PERSON), {"cursor": page["json"]["cursor"]})
    assert (other["statusCode"], other["json"]["field"]) == (400, "cursor")
    assert queue(pipeline.api, ("taxpayer", PERSON), {"cursor": "bm90LWEtY3Vyc29y"})[
        "json"]["field"] == "cursor"
    assert queue(pipeline.api, ("taxpayer", PERSON), {"state": "review"})["statusCode"] == 400
    assert queue(pipeline.api, ("taxpayer", PERSON), {"limit": "0"})["json"]["field"] == "limit"


# -- who may read ----------------------------------------------------------------------------


def test_who_may_read_a_case(pipeline: Pipeline) -> None:
    case_id = apply(pipeline.api, IIT)["json"]["id"]
    assert read(pipeline.api, case_id)["statusCode"] == 200
    assert read(pipeline.api, case_id, OFFICER)["statusCode"] == 200
    assert read(pipeline.api, case_id, ("admin", "admin-0001"))["statusCode"] == 200
    assert read(pipeline.api, case_id, ("taxpayer", OTHER_PERSON))["statusCode"] == 403
    assert read(pipeline.api, case_id, OTHER_OFFICER)["statusCode"] == 403
    missing = read(pipeline.api, "RF20261128FFFFFFFFFF")
    assert (missing["statusCode"], missing["json"]["field"]) == (404, "case_id")
    assert read(pipeline.api, "not-a-case")["statusCode"] == 404


# -- officers --------------------------------------------------------------------------------


def test_officers_list_their_queue_and_decide(pipeline: Pipeline) -> None:
    for month in ("07", "08"):
        put_obligation(SELLER, "vat", f"2026-{month}", tax_fen=10_000_00,
                       overpaid_fen=70_000_00)
    first = apply(pipeline.api, {**GENERAL, "obligation_id": f"{SELLER}:vat:2026-07"},
                  who=("taxpayer", SELLER), key="a")["json"]["id"]
    second = apply(pipeline.api, {**GENERAL, "obligation_id": f"{SELLER}:vat:2026-08"},
                   who=("taxpayer", SELLER), key="b")["json"]["id"]
    pipeline.drain()
    listed = queue(pipeline.api)["json"]
    assert [i["id"] for i in listed["items"]] == [first, second]
    assert listed["items"][0]["flags"] == ["amount_above_review_threshold"]
    page = queue(pipeline.api, query={"limit": "1"})["json"]
    assert [i["id"] for i in page["items"]] == [first]
    rest = queue(pipeline.api, query={"limit": "1", "cursor": page["cursor"]})["json"]
    assert [i["id"] for i in rest["items"]] == [second]
    assert queue(pipeline.api, OTHER_OFFICER)["json"]["items"] == []
    assert queue(pipeline.api, OTHER_OFFICER, {"tax_office": OFFICE})["statusCode"] == 403
    assert queue(pipeline.api, ("partner", "bank-minjiang-demo"))["statusCode"] == 403
    assert queue(pipeline.api, query={"state": "paid"})["json"]["field"] == "state"
    admin = queue(pipeline.api, ("admin", "admin-0001"), {"tax_office": OFFICE})["json"]
    assert len(admin["items"]) == 2

    # another office, the taxpayer itself: 403; the right officer approves
    assert decide(pipeline.api, first, "approve", OTHER_OFFICER)["statusCode"] == 403
    assert decide(pipeline.api, first, "approve", ("taxpayer", SELLER))["statusCode"] == 403
    approved = decide(pipeline.api, first, "approve", body={"note": "资料齐全"})
    assert approved["statusCode"] == 200, approved["json"]
    assert approved["json"]["state"] == "checked"
    assert approved["json"]["stages"][-1]["by"] == "officer:officer-fz-0001"
    again = decide(pipeline.api, first, "approve", key="d-2")
    assert (again["statusCode"], again["json"]["field"]) == (409, "case_id")
    no_reason = decide(pipeline.api, second, "reject", body={}, key="d-3")
    assert (no_reason["statusCode"], no_reason["json"]["field"]) == (422, "reason")
    rejected = decide(pipeline.api, second, "reject", body={"reason": "申报期未缴税款"},
                      key="d-4")
    assert rejected["json"]["state"] == "rejected"
    kinds = pipeline.drain()
    assert sorted(kinds) == sorted(["RefundDocumentsChecked", "RefundApproved", "RefundPaid",
                                    "RefundNotified", "RefundRejected", "RefundNotified"])
    assert queue(pipeline.api)["json"]["items"] == []
    assert read(pipeline.api, first, ("taxpayer", SELLER))["json"]["state"] == "notified"
    ended = read(pipeline.api, second, ("taxpayer", SELLER))["json"]
    assert (ended["state"], ended["reason"]) == ("notified", "申报期未缴税款")
    assert ended["notification"]["kind"] == "refund.rejected"
    assert [s["state"] for s in ended["stages"]] == ["submitted", "review", "rejected",
                                                     "notified"]
    assert len(treasury_payments()) == 1
    assert ledger_of(f"{SELLER}:vat:2026-07").refunded_fen == 70_000_00
    assert ledger_of(f"{SELLER}:vat:2026-08").refunded_fen == 0


# -- the stages ------------------------------------------------------------------------------


def test_each_stage_moves_a_case_only_from_its_own_state(pipeline: Pipeline) -> None:
    case_id = apply(pipeline.api, IIT)["json"]["id"]
    [submitted] = pipeline.announce()
    for detail_type in ("RefundApproved", "RefundDocumentsChecked", "RefundPaid"):
        early = DomainEvent(detail_type, submitted.detail)
        assert pipeline.deliver(early) == []  # out of order: acknowledged, nothing moves
    assert pipeline.announce() == []
    assert treasury_payments() == []
    assert pipeline.deliver(submitted) == []
    assert pipeline.deliver(submitted) == []  # repeated: moved once
    [checked] = pipeline.announce()
    assert checked.detail_type == "RefundDocumentsChecked"
    repository = pipeline.stages["refund_checks"].pipeline.repository
    stale = repository.get(case_id)
    assert stale is not None
    assert stale.state == "checked"
    assert repository.transition(stale, "approved", stale.trail[-1]) is not None
    assert repository.transition(stale, "approved", stale.trail[-1]) is None  # state moved on


def test_a_payment_stage_dying_after_the_treasury_paid_pays_once(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    """Crash injection: the treasury accepts the payment, then the stage dies before the case
    records it. The message is redelivered: the case is paid, once."""
    case_id = apply(pipeline.api, IIT)["json"]["id"]
    for event in pipeline.announce():
        pipeline.deliver(event)
    [checked] = pipeline.announce()
    pipeline.deliver(checked)
    [approved] = pipeline.announce()
    assert approved.detail_type == "RefundApproved"
    stage = pipeline.stages["refund_payment"].pipeline
    real = stage.repository.transition

    def dies(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("process killed after the treasury accepted")

    monkeypatch.setattr(stage.repository, "transition", dies)
    assert pipeline.deliver(approved, message_id="pay") == ["pay"]
    assert len(treasury_payments()) == 1  # the treasury did pay …
    assert read(pipeline.api, case_id)["json"]["state"] == "approved"  # … the case lost it
    monkeypatch.setattr(stage.repository, "transition", real)
    assert pipeline.deliver(approved, receives=2, message_id="pay") == []
    assert pipeline.deliver(approved, receives=3, message_id="pay") == []
    assert len(treasury_payments()) == 1
    shown = read(pipeline.api, case_id)["json"]
    assert shown["state"] == "paid"
    assert shown["payment"]["treasury_ref"] == treasury_payments()[0]["reference"]["S"]
    assert pipeline.drain() == ["RefundPaid", "RefundNotified"]
    assert ledger_of(f"{PERSON}:iit_annual:2025").refunded_fen == 614_40  # recorded once


def test_a_frozen_account_fails_alone_and_is_paid_once_lifted(pipeline: Pipeline) -> None:
    dynamodb = boto3.client("dynamodb")
    dynamodb.put_item(TableName="refund-treasury",
                      Item={"key": {"S": f"frozen#{ACCOUNT['number']}"}})
    put_obligation(PERSON, "iit_annual", "2024", refund_due_fen=300_00)
    good = {**IIT, "year": 2024, "account": {"bank": "工商银行", "number": "6222000000005678"}}
    frozen_id = apply(pipeline.api, IIT)["json"]["id"]
    good_id = apply(pipeline.api, good, key="k-2")["json"]["id"]
    for _ in range(2):
        for event in pipeline.announce():
            pipeline.deliver(event)
    approved = {e.detail["case_id"]: e for e in pipeline.announce()}
    module = pipeline.stages["refund_payment"]
    answer = module.handler({"Records": [message(approved[frozen_id], message_id="frozen"),
                                         message(approved[good_id], message_id="good")]},
                            LambdaContext())
    assert [f["itemIdentifier"] for f in answer["batchItemFailures"]] == ["frozen"]
    shown = read(pipeline.api, frozen_id)["json"]
    assert shown["state"] == "approved"
    assert shown["payment"]["attempts"] == 1
    assert "frozen" in shown["payment"]["last_error"]
    assert read(pipeline.api, good_id)["json"]["state"] == "paid"
    dynamodb.delete_item(TableName="refund-treasury",
                         Key={"key": {"S": f"frozen#{ACCOUNT['number']}"}})
    assert pipeline.deliver(approved[frozen_id], receives=4) == []  # redriven
    assert read(pipeline.api, frozen_id)["json"]["state"] == "paid"
    assert len(treasury_payments()) == 2


def test_a_poisoned_message_fails_alone(pipeline: Pipeline) -> None:
    apply(pipeline.api, IIT)
    [submitted] = pipeline.announce()
    module = pipeline.stages["refund_checks"]
    answer = module.handler({"Records": [raw_message("not json", message_id="bad"),
                                         raw_message('{"detail": {}}', message_id="empty"),
                                         message(DomainEvent("RefundSubmitted", {
                                             "case_id": "RF20261128FFFFFFFFFF"}),
                                             message_id="unknown"),
                                         message(submitted, message_id="good")]},
                            LambdaContext())
    assert sorted(f["itemIdentifier"] for f in answer["batchItemFailures"]) == [
        "bad", "empty", "unknown"]
    [checked] = pipeline.announce()
    assert checked.detail_type == "RefundDocumentsChecked"


def test_the_simulated_treasury_pays_a_key_once(aws: None) -> None:
    treasury = TreasuryAdapter(SimulatedTreasury(boto3.client("dynamodb"), "refund-treasury"))
    first = treasury.pay("RF1", "6217000000001234", 100_00)
    assert treasury.pay("RF1", "6217000000001234", 100_00) == first  # found, not paid again
    with pytest.raises(TreasuryRejected, match="another account or amount"):
        treasury.pay("RF1", "6217000000001234", 200_00)
    with pytest.raises(TreasuryRejected, match="positive"):
        treasury.pay("RF2", "6217000000001234", 0)
    assert len(treasury_payments()) == 1

    class Down:
        def pay(self, key: str, account: str, amount_fen: int) -> Payment:
            raise ConnectionError("treasury front end unreachable")

    with pytest.raises(TreasuryError, match="unavailable"):
        TreasuryAdapter(Down()).pay("RF3", "6217000000001234", 1)


def test_sample_events(pipeline: Pipeline) -> None:
    """The sample events under events/ run through their handlers."""
    answer = call(pipeline.api, sample_event("refunds/apply.json"))
    assert answer["statusCode"] == 201, answer["json"]
    assert answer["json"]["amount"] == "614.40"
    pipeline.events.handler(sample_event("refund_events/stream.json"), LambdaContext())
    assert [e.detail_type for e in pipeline.published] == ["RefundSubmitted",
                                                           "RefundDocumentsChecked"]
    # stage messages for a case this table does not hold fail (and would be dead-lettered)
    for name, sample in (("refund_checks", "refund_submitted"),
                         ("refund_approval", "refund_documents_checked"),
                         ("refund_payment", "refund_approved"),
                         ("refund_notify", "refund_paid")):
        answer = pipeline.stages[name].handler(sample_event(f"{name}/{sample}.json"),
                                               LambdaContext())
        assert len(answer["batchItemFailures"]) == 1, name
