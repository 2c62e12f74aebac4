"""Invoice supply (B7) over moto: apply → the stream's events → the worker (验旧, decision,
delivery or quota) → tracked to delivered; officers' review; bad input; who may see what.

The pipeline is pumped by hand: the supply table's stream records (read from moto's backend)
go through the ``supply_events`` function (its publisher captured), and the events the rule
routes to the worker's queue are handed to ``supply_worker`` as SQS messages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from etax.invoices.legacy import legacy_item
from tests.functional.conftest import LambdaContext, call, load_handler, sample_event
from tests.functional.test_acceptance_registration import put_record
from tests.functional.test_invoices import ISSUE, request

SELLER = "91350100M000100Y43"
RETAILER = "91350100MA2Y8KXX1B"  # small-scale, no issuing quota
FUZHOU = "13501000000"
OFFICER = ("officer", "officer-fz-0001", FUZHOU)
XIAMEN_OFFICER = ("officer", "officer-xm-0001", "13502000000")
DELIVERY = {"recipient": "林晓明", "phone": "13800000000",
            "address": "福建省福州市鼓楼区五四路示例大厦18层"}
PAPER = {"kind": "paper", "invoice_type": "04", "quantity": 5, "delivery": DELIVERY}
WORKER_EVENTS = {"InvoiceSupplyApplied", "InvoiceSupplyApproved", "InvoiceSupplyShipped"}
START = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def supply_env(aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    put_record(SELLER)
    put_record(RETAILER, name="福州三坊七巷示例百货有限公司", taxpayer_type="small_scale")
    queue_url: str = boto3.client("sqs").create_queue(QueueName="supply-steps")["QueueUrl"]
    monkeypatch.setenv("SUPPLY_QUEUE_URL", queue_url)
    monkeypatch.setenv("LOGISTICS_STEP_SECONDS", "60")
    monkeypatch.setenv("LOGISTICS_POLL_SECONDS", "60")
    return queue_url


def _clocked(module: Any, clock: Clock) -> Any:
    module.service.now = clock
    module.service.carrier.now = clock
    return module


@pytest.fixture
def api(supply_env: str, clock: Clock) -> Any:
    return _clocked(load_handler("supply"), clock)


@pytest.fixture
def worker(supply_env: str, clock: Clock) -> Any:
    return _clocked(load_handler("supply_worker"), clock)


@pytest.fixture
def events_fn(supply_env: str) -> Any:
    return load_handler("supply_events")


class Pipeline:
    """Moves every stream record not yet seen through the events function and the worker."""

    def __init__(self, events_fn: Any, worker: Any, queue_url: str,
                 monkeypatch: pytest.MonkeyPatch) -> None:
        self.events_fn = events_fn
        self.worker = worker
        self.queue_url = queue_url
        self.seen = 0
        self.published: list[Any] = []
        self.delayed: list[dict[str, Any]] = []
        monkeypatch.setattr(events_fn.publisher, "publish", self.published.extend)
        # moto holds a delayed message for real seconds: the tests take it as sent
        monkeypatch.setattr(worker.sqs, "send_message",
                            lambda **message: self.delayed.append(message))

    def records(self) -> list[dict[str, Any]]:
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends["123456789012"]["us-east-1"].get_table("supply")
        assert table.stream_shard is not None
        return [json.loads(json.dumps(r.to_json(), default=str))
                for r in table.stream_shard.items]

    def pump(self, *, failing: int = 0) -> list[str]:
        """Run until quiet; the detail types published, in order. ``failing``: how many
        worker messages are expected to be reported failed."""
        types: list[str] = []
        while True:
            records = self.records()[self.seen:]
            if not records:
                assert failing == 0, f"{failing} more failure(s) expected"
                return types
            self.seen += len(records)
            before = len(self.published)
            self.events_fn.handler({"Records": records}, LambdaContext())
            new = self.published[before:]
            types.extend(e.detail_type for e in new)
            messages = [sqs_message({"detail-type": e.detail_type, "source": "tax.supply",
                                     "detail": e.detail}, f"m-{i}")
                        for i, e in enumerate(new) if e.detail_type in WORKER_EVENTS]
            if messages:
                answer = self.worker.handler({"Records": messages}, LambdaContext())
                failing -= len(answer["batchItemFailures"])

    def track(self) -> None:
        """Deliver the worker's delayed tracking messages (to its own queue, 60 s later)."""
        sent, self.delayed = self.delayed, []
        assert all(m["QueueUrl"] == self.queue_url and m["DelaySeconds"] == 60 for m in sent)
        messages = [{**sqs_message({}, f"t-{i}"), "body": m["MessageBody"]}
                    for i, m in enumerate(sent)]
        if messages:
            answer = self.worker.handler({"Records": messages}, LambdaContext())
            assert answer["batchItemFailures"] == []


def sqs_message(body: dict[str, Any], message_id: str) -> dict[str, Any]:
    return {"messageId": message_id, "receiptHandle": f"rh-{message_id}",
            "body": json.dumps(body, ensure_ascii=False),
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1",
                           "SenderId": "x", "ApproximateFirstReceiveTimestamp": "1"},
            "messageAttributes": {}, "md5OfBody": "x", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:supply-steps",
            "awsRegion": "us-east-1"}


@pytest.fixture
def pipeline(events_fn: Any, worker: Any, supply_env: str,
             monkeypatch: pytest.MonkeyPatch) -> Pipeline:
    return Pipeline(events_fn, worker, supply_env, monkeypatch)


def apply(api: Any, body: dict[str, Any], *, who: tuple[str, ...] = ("taxpayer", SELLER),
          key: str = "apply-1") -> dict[str, Any]:
    return call(api, request("POST", "/v1/invoice-supplies", body=body, who=who, key=key))


def view(api: Any, application_id: str,
         who: tuple[str, ...] = ("taxpayer", SELLER)) -> dict[str, Any]:
    return call(api, request("GET", f"/v1/invoice-supplies/{application_id}", who=who,
                             resource="/v1/invoice-supplies/{application_id}",
                             params={"application_id": application_id}))


def decide(api: Any, application_id: str, body: dict[str, Any],
           who: tuple[str, ...] = OFFICER, key: str = "decide-1") -> dict[str, Any]:
    return call(api, request("POST", f"/v1/invoice-supplies/{application_id}/decision",
                             body=body, who=who, key=key,
                             resource="/v1/invoice-supplies/{application_id}/decision",
                             params={"application_id": application_id}))


def test_a_paper_supply_is_verified_approved_posted_and_delivered(
        api: Any, pipeline: Pipeline, clock: Clock) -> None:
    answer = apply(api, PAPER)
    assert answer["statusCode"] == 201, answer["json"]
    application = answer["json"]
    assert application["state"] == "submitted"
    assert application["invoice_type_name"] == "增值税普通发票"
    again = apply(api, PAPER)  # the same Idempotency-Key: the same application
    assert again["json"]["id"] == application["id"]

    assert pipeline.pump() == ["InvoiceSupplyApplied", "InvoiceSupplyApproved",
                               "InvoiceSupplyShipped"]
    shown = view(api, application["id"])["json"]
    assert shown["state"] == "shipped"
    assert [c["name"] for c in shown["checks"]] == ["previous_batch_accounted"]
    assert shown["batch"] == {"code": "035012600104", "first": "00000001",
                              "last": "00000005", "count": 5}
    assert shown["shipment"]["tracking_no"].endswith("CN")
    assert [e["status"] for e in shown["shipment"]["tracking"]] == ["accepted"]

    clock.now += timedelta(minutes=5)
    pipeline.track()
    assert pipeline.pump() == ["InvoiceSupplyDelivered"]
    delivered = view(api, application["id"])["json"]
    assert delivered["state"] == "delivered"
    assert [t["stage"] for t in delivered["trail"]] == [
        "submitted", "approved", "shipped", "delivered"]
    assert delivered["trail"][1]["by"] == "system"
    assert [e["status"] for e in delivered["shipment"]["tracking"]][-1] == "delivered"
    notices = {e.detail_type: e.detail["notification"] for e in pipeline.published
               if "notification" in e.detail}
    assert set(notices) == {"InvoiceSupplyApproved", "InvoiceSupplyShipped",
                            "InvoiceSupplyDelivered"}
    assert notices["InvoiceSupplyDelivered"]["recipient"] == SELLER
    assert notices["InvoiceSupplyDelivered"]["id"] == (
        f"invoice-supply:{application['id']}:delivered")

    # a repeated Applied or Approved message moves nothing (conditional transitions)
    assert pipeline.worker.service.verify(application["id"]) == "delivered"
    assert pipeline.worker.service.fulfil(application["id"]) == "delivered"


def deliver(api: Any, pipeline: Pipeline, clock: Clock, body: dict[str, Any],
            key: str) -> dict[str, Any]:
    application = apply(api, body, key=key)["json"]
    pipeline.pump()
    clock.now += timedelta(minutes=5)
    pipeline.track()
    pipeline.pump()
    shown: dict[str, Any] = view(api, application["id"])["json"]
    assert shown["state"] == "delivered", shown
    return shown


def import_issued(code: str, number: str, seller: str = SELLER) -> None:
    item = legacy_item({
        "code": code, "number": number, "issue_date": "2026-11-20", "amount": "100.00",
        "tax": "13.00", "total": "113.00", "check_code": "12345678901234567890",
        "seller": {"credit_code": seller, "name": "卖方"}, "buyer": {"name": "买方"}})
    boto3.client("dynamodb").put_item(TableName="invoices", Item=item)


def test_the_next_paper_supply_accounts_for_the_previous_batch(
        api: Any, pipeline: Pipeline, clock: Clock) -> None:
    first = deliver(api, pipeline, clock, PAPER, "first")
    code = first["batch"]["code"]
    for number in ("00000001", "00000002", "00000003"):
        import_issued(code, number)

    # two numbers neither issued nor handed back: an officer decides
    clock.now += timedelta(minutes=1)
    unaccounted = apply(api, PAPER, key="second")["json"]
    pipeline.pump()
    shown = view(api, unaccounted["id"])["json"]
    assert shown["state"] == "review"
    assert "2 number(s)" in shown["review_reasons"][0]
    assert decide(api, unaccounted["id"], {"decision": "approve"},
                  who=XIAMEN_OFFICER)["statusCode"] == 403
    assert decide(api, unaccounted["id"], {"decision": "reject"})["json"]["field"] == "reason"
    rejected = decide(api, unaccounted["id"], {"decision": "reject", "reason": "先缴销"},
                      key="d-2")
    assert rejected["statusCode"] == 200, rejected["json"]
    assert rejected["json"]["state"] == "rejected"
    again = decide(api, unaccounted["id"], {"decision": "approve"}, key="d-3")
    assert again["statusCode"] == 409
    assert pipeline.pump() == ["InvoiceSupplyRejected"]

    # the unused two handed back: accounted for, approved automatically
    clock.now += timedelta(minutes=1)
    accounted = deliver(api, pipeline, clock,
                        {**PAPER, "returned_numbers": ["00000004", "00000005"]}, "third")
    assert all(c["passed"] for c in accounted["checks"])
    assert accounted["batch"]["first"] == "00000006"  # numbers never reused


def test_an_officer_approves_what_is_over_the_automatic_limit(
        api: Any, pipeline: Pipeline) -> None:
    big = apply(api, {**PAPER, "quantity": 60})["json"]
    assert pipeline.pump() == ["InvoiceSupplyApplied", "InvoiceSupplyReviewRequested"]
    officer_view = view(api, big["id"], who=OFFICER)
    assert officer_view["statusCode"] == 200
    assert "more than the 50" in officer_view["json"]["review_reasons"][0]
    approved = decide(api, big["id"], {"decision": "approve"})
    assert approved["json"]["state"] == "approved"
    assert approved["json"]["trail"][-1]["by"] == "officer-fz-0001"
    assert pipeline.pump() == ["InvoiceSupplyApproved", "InvoiceSupplyShipped"]


def test_a_d_credit_rating_is_never_approved_automatically(api: Any, pipeline: Pipeline) -> None:
    from etax.credit.repository import CreditRepository
    from etax.credit.results import Rating

    CreditRepository().put_rating(Rating(
        credit_code=SELLER, name="福州闽江示例科技有限公司", year=2026, level="D", score="93.0",
        start=93, provisional=True, as_of="2026-11-28", deductions=[], direct_d=[], no_a=[],
        evaluated_at="2026-11-28T02:00:00+00:00"), FUZHOU)
    small = apply(api, PAPER)["json"]  # within the automatic limit, every check passing
    assert pipeline.pump() == ["InvoiceSupplyApplied", "InvoiceSupplyReviewRequested"]
    reasons = view(api, small["id"], who=OFFICER)["json"]["review_reasons"]
    assert reasons == ["the taxpayer's credit rating is D (纳税缴费信用 D 级): invoice supply is "
                       "restricted, an officer decides"]


def test_a_digital_supply_raises_the_quota_that_issuing_then_uses(
        api: Any, pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    retailer = ("taxpayer", RETAILER)
    answer = apply(api, {"kind": "digital", "monthly_quota": "50000.00"}, who=retailer)
    assert answer["statusCode"] == 201, answer["json"]
    assert answer["json"]["quota_before"] is None
    assert pipeline.pump() == ["InvoiceSupplyApplied", "InvoiceSupplyApproved",
                               "InvoiceQuotaRaised"]
    raised = view(api, answer["json"]["id"], who=retailer)["json"]
    assert raised["state"] == "quota_raised"
    assert {c["name"] for c in raised["checks"]} == {"numbers_accounted", "void_share",
                                                     "quota_used"}
    quota = boto3.client("dynamodb").get_item(TableName="quotas",
                                              Key={"key": {"S": f"quota#{RETAILER}"}})["Item"]
    assert quota["monthly_fen"]["N"] == "5000000"

    # the retailer can issue now
    monkeypatch.setenv("SIGNING_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab")
    from tests.functional.conftest import DigestKms

    invoices = load_handler("invoices")
    invoices.signer.kms = DigestKms()
    issued = call(invoices, request("POST", "/v1/invoices", body=ISSUE,
                                    who=("taxpayer", RETAILER), key="inv-1"))
    assert issued["statusCode"] == 201, issued["json"]

    # a raise above the small-scale automatic limit, with a quota barely used: an officer
    more = apply(api, {"kind": "digital", "monthly_quota": "200000.00"}, who=retailer,
                 key="more")
    assert more["json"]["quota_before"] == "50000.00"
    pipeline.pump()
    shown = view(api, more["json"]["id"], who=retailer)["json"]
    assert shown["state"] == "review"
    assert any("quota_used" in r for r in shown["review_reasons"])
    assert any("automatic limit" in r for r in shown["review_reasons"])


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "paper", "quantity": 5, "delivery": DELIVERY}, "invoice_type"),
    ({"kind": "paper", "invoice_type": "04", "delivery": DELIVERY}, "quantity"),
    ({"kind": "paper", "invoice_type": "04", "quantity": 5}, "delivery"),
    ({**PAPER, "quantity": 251}, "quantity"),
    ({**PAPER, "quantity": 0}, "quantity"),
    ({**PAPER, "invoice_type": "32"}, "invoice_type"),
    ({**PAPER, "delivery": {**DELIVERY, "phone": "12"}}, "delivery.phone"),
    ({**PAPER, "delivery": {**DELIVERY, "recipient": "林\u202e晓明"}}, "delivery.recipient"),
    ({**PAPER, "delivery": {**DELIVERY, "address": DELIVERY["address"] + "\u200b"}},
     "delivery.address"),
    ({**PAPER, "returned_numbers": ["123"]}, "returned_numbers[0]"),
    ({"kind": "digital"}, "monthly_quota"),
    ({"kind": "digital", "monthly_quota": "12.345"}, "monthly_quota"),
    ({"kind": "digital", "monthly_quota": "-5"}, "monthly_quota"),
    ({"kind": "digital", "monthly_quota": "100.00", "quantity": 3}, "quantity"),
    ({"kind": "digital", "monthly_quota": "100000.00"}, "monthly_quota"),  # not above 1,000,000
    ({"kind": "stamps"}, "kind"),
])
def test_bad_applications_name_the_field(api: Any, body: dict[str, Any], field: str) -> None:
    boto3.client("dynamodb").put_item(TableName="quotas", Item={
        "key": {"S": f"quota#{SELLER}"}, "monthly_fen": {"N": "100000000"}})
    answer = apply(api, body)
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field
    assert boto3.client("dynamodb").scan(TableName="supply")["Count"] == 0


def test_who_may_apply_and_see(api: Any) -> None:
    assert apply(api, PAPER, who=("taxpayer", "350102199003071234"))["statusCode"] == 403
    put_record("91350200MA31BNQ576", status="cancelled")
    assert apply(api, PAPER, who=("taxpayer", "91350200MA31BNQ576"))["statusCode"] == 403
    assert apply(api, PAPER, who=OFFICER)["statusCode"] == 403
    application = apply(api, PAPER)["json"]
    assert view(api, application["id"], who=("taxpayer", RETAILER))["statusCode"] == 403
    assert view(api, application["id"], who=XIAMEN_OFFICER)["statusCode"] == 403
    assert view(api, application["id"], who=("admin", "admin-0001"))["statusCode"] == 200
    assert view(api, "S20261128NOSUCHTHING")["statusCode"] == 404
    assert decide(api, application["id"], {"decision": "approve"})["statusCode"] == 409
    listed = call(api, request("GET", "/v1/invoice-supplies", who=("taxpayer", SELLER)))
    assert [a["id"] for a in listed["json"]["applications"]] == [application["id"]]


def test_the_sample_events_run(api: Any, worker: Any, events_fn: Any,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    assert call(api, sample_event("supply/apply.json"))["statusCode"] == 201
    answer = worker.handler(sample_event("supply_worker/applied.json"), LambdaContext())
    assert answer == {"batchItemFailures": []}  # an unknown application: nothing to do
    published: list[Any] = []
    monkeypatch.setattr(events_fn.publisher, "publish", published.extend)
    events_fn.handler(sample_event("supply_events/stream.json"), LambdaContext())
    assert [e.detail_type for e in published] == ["InvoiceSupplyApproved"]


def test_a_worker_failing_midway_posts_one_batch_once(
        api: Any, pipeline: Pipeline, worker: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The carrier fails after the batch was allotted: the message is reported failed, its
    redelivery posts the same batch once (the counter moved once, one waybill)."""
    application = apply(api, PAPER)["json"]
    real_ship = worker.service.carrier.ship
    calls: list[str] = []

    def flaky(shipment_id: str, parcel: Any) -> Any:
        calls.append(shipment_id)
        if len(calls) == 1:
            raise ConnectionError("carrier unreachable")
        return real_ship(shipment_id, parcel)

    monkeypatch.setattr(worker.service.carrier, "ship", flaky)
    approved = {"detail-type": "InvoiceSupplyApproved", "source": "tax.supply",
                "detail": {"application_id": application["id"]}}
    pipeline.pump(failing=1)  # Applied → approved; the Approved message fails at the carrier
    assert view(api, application["id"])["json"]["state"] == "approved"
    assert view(api, application["id"])["json"]["batch"]["last"] == "00000005"
    for attempt in ("redelivery", "duplicate"):
        answer = worker.handler({"Records": [sqs_message(approved, attempt)]}, LambdaContext())
        assert answer["batchItemFailures"] == []
    shown = view(api, application["id"])["json"]
    assert shown["state"] == "shipped"
    assert shown["batch"] == {"code": "035012600104", "first": "00000001",
                              "last": "00000005", "count": 5}
    counter = boto3.client("dynamodb").get_item(
        TableName="supply", Key={"id": {"S": "counter#035012600104"}})["Item"]
    assert counter["last_number"]["N"] == "5"
    assert calls == [application["id"], application["id"]]  # the duplicate found it shipped
    assert [t["stage"] for t in shown["trail"]].count("shipped") == 1


def test_a_second_application_of_the_same_id_is_a_conflict_not_a_crash(aws: None) -> None:
    """An id taken already is the domain's AlreadyExists (answered 409), never a 500."""
    from etax.errors import AlreadyExists
    from etax.supply.repository import Application, SupplyRepository

    application = Application(
        id="app-0001", applicant="91350100M000100Y43", applicant_name="福州示例", kind="digital",
        tax_office="13501000000", taxpayer_type="general", state="submitted",
        applied_at="2026-12-03T00:00:00Z", updated_at="2026-12-03T00:00:00Z",
        request={"monthly_quota": "100000.00"}, trail=[], checks=None, review_reasons=None,
        batch=None, shipment=None)
    repository = SupplyRepository()
    repository.create(application, by="91350100M000100Y43")
    with pytest.raises(AlreadyExists, match="application app-0001 exists already"):
        repository.create(application, by="91350100M000100Y43")


def queue(api: Any, who: tuple[str, ...] = OFFICER,
          params: dict[str, str] | None = None) -> dict[str, Any]:
    event = request("GET", "/v1/invoice-supplies", who=who)
    event["queryStringParameters"] = params
    return call(api, event)


def test_an_officer_lists_the_review_queue_of_its_own_office_only(
        api: Any, pipeline: Pipeline) -> None:
    automatic = apply(api, PAPER, key="small")["json"]
    big = apply(api, {**PAPER, "quantity": 60}, key="big")["json"]
    pipeline.pump()
    listed = queue(api)
    assert listed["statusCode"] == 200, listed["json"]
    assert listed["json"]["tax_office"] == FUZHOU
    [waiting] = listed["json"]["applications"]
    assert waiting["id"] == big["id"] != automatic["id"]
    assert waiting["applicant"] == SELLER
    assert waiting["state"] == "review"
    assert "more than the 50" in waiting["review_reasons"][0]
    assert queue(api, params={"state": "review"})["json"]["applications"] == [waiting]
    # another office sees none of them and cannot decide them
    assert queue(api, who=XIAMEN_OFFICER)["json"] == {"tax_office": "13502000000",
                                                      "applications": []}
    assert queue(api, who=XIAMEN_OFFICER,
                 params={"tax_office": FUZHOU})["statusCode"] == 403
    assert decide(api, big["id"], {"decision": "approve"},
                  who=XIAMEN_OFFICER)["statusCode"] == 403
    admin = ("admin", "admin-0001")
    assert queue(api, who=admin, params={"tax_office": FUZHOU})["json"]["applications"] \
        == [waiting]
    assert queue(api, who=admin)["json"]["field"] == "tax_office"
    # decided, it leaves the queue
    rejected = decide(api, big["id"], {"decision": "reject", "reason": "库存不足"})
    assert rejected["json"]["state"] == "rejected"
    assert queue(api)["json"]["applications"] == []


@pytest.mark.parametrize(("who", "params", "status", "field"), [
    (OFFICER, {"state": "approved"}, 422, "state"),
    (("taxpayer", SELLER), {"state": "review"}, 400, "state"),
    (("taxpayer", SELLER), {"tax_office": FUZHOU}, 400, "tax_office"),
])
def test_the_queue_names_a_bad_filter(api: Any, who: tuple[str, ...], params: dict[str, str],
                                      status: int, field: str) -> None:
    answer = queue(api, who=who, params=params)
    assert (answer["statusCode"], answer["json"]["field"]) == (status, field)
