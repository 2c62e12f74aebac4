"""The SQS consumer kit with fakes: which records fail, the backoff, the logging shape, the
"once" step, the batch form; and the supply worker's dispatch and the route's once step."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.exceptions import BatchProcessingError

from etax.platform.consumer import (
    Backoff,
    PoisonedMessage,
    batch_consumer,
    consumer,
    detail_of,
    event_detail,
    json_body,
    message_key,
)
from etax.platform.once import Once
from etax.refunds.stages import case_id_of, stage_consumer
from etax.supply.worker import SupplyWorker, describe


def record(body: Any, message_id: str = "m-1", receives: int = 1) -> dict[str, Any]:
    return {"messageId": message_id, "receiptHandle": f"rh-{message_id}",
            "body": body if isinstance(body, str) else json.dumps(body),
            "attributes": {"ApproximateReceiveCount": str(receives), "SentTimestamp": "1",
                           "SenderId": "x", "ApproximateFirstReceiveTimestamp": "1"},
            "messageAttributes": {}, "md5OfBody": "x", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q", "awsRegion": "us-east-1"}


def event(detail: dict[str, Any], event_id: str = "e-1") -> dict[str, Any]:
    return {"id": event_id, "detail-type": "Thing", "source": "tax.x", "detail": detail}


def failed(answer: Any) -> list[str]:
    return [f["itemIdentifier"] for f in answer["batchItemFailures"]]


class Refused(Exception):
    pass


class FakeSqs:
    def __init__(self) -> None:
        self.hidden: list[dict[str, Any]] = []
        self.sent: list[dict[str, Any]] = []

    def change_message_visibility(self, **call: Any) -> None:
        self.hidden.append(call)

    def send_message(self, **call: Any) -> None:
        self.sent.append(call)


def step_failing_for(bad: set[str]) -> Callable[[str, int], str]:
    def step(key: str, receives: int) -> str:
        if key in bad:
            raise Refused(f"{key} refused on receive {receives}")
        return "done"
    return step


def test_only_the_failed_records_are_reported() -> None:
    handle = consumer("thing", lambda body: event_detail(body, "key"), step_failing_for({"b"}))
    answer = handle({"Records": [record(event({"key": "a"}), "1"),
                                 record(event({"key": "b"}), "2"),
                                 record("not json", "3"),
                                 record(event({"key": 7}), "4")]}, None)
    assert failed(answer) == ["2", "3", "4"]


def test_a_batch_failing_entirely_is_still_a_partial_response_unless_asked() -> None:
    records = {"Records": [record(event({"key": "b"}), "1")]}
    step = step_failing_for({"b"})
    assert failed(consumer("t", lambda b: event_detail(b, "key"), step)(records, None)) == ["1"]
    with pytest.raises(BatchProcessingError):
        consumer("t", lambda b: event_detail(b, "key"), step,
                 raise_on_entire_batch_failure=True)(records, None)


def test_an_expected_failure_is_hidden_for_the_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("THING_QUEUE_URL", "https://sqs/q")
    sqs = FakeSqs()

    def step(key: str, receives: int) -> str:
        raise Refused("no") if key == "b" else ValueError("a bug")

    handle = consumer("thing", lambda body: event_detail(body, "key"), step,
                      expected=(Refused,), backoff=Backoff(sqs, "THING_QUEUE_URL",
                                                           lambda n: 10 * 2 ** (n - 1)))
    answer = handle({"Records": [record(event({"key": "b"}), "1", receives=3),
                                 record(event({"key": "x"}), "2")]}, None)
    assert failed(answer) == ["1", "2"]
    # only the expected failure backs off, by its receive count
    assert sqs.hidden == [{"QueueUrl": "https://sqs/q", "ReceiptHandle": "rh-1",
                           "VisibilityTimeout": 40}]


def test_one_logging_shape(caplog: pytest.LogCaptureFixture) -> None:
    handle = consumer("thing", lambda body: event_detail(body, "key"), step_failing_for({"b"}),
                      describe=lambda key: {"key": key})
    with caplog.at_level(logging.INFO):
        handle({"Records": [record(event({"key": "a"}), "1", receives=2),
                            record(event({"key": "b"}), "2")]}, None)
    lines = {r.getMessage(): r.__dict__ for r in caplog.records
             if r.getMessage().startswith("thing ")}
    ran, fell = lines["thing ran"], lines["thing failed"]
    assert (ran["consumer"], ran["key"], ran["receives"], ran["state"]) == ("thing", "a", 2,
                                                                            "done")
    assert (fell["consumer"], fell["key"], fell["receives"]) == ("thing", "b", 1)
    assert fell["error"] == "b refused on receive 1"


class FakeOnce:
    """An idempotency store in memory: the first result per key is kept."""

    def __init__(self) -> None:
        self.done: dict[tuple[str, str | None], dict[str, Any]] = {}

    def run(self, *, key: str | None, scope: str, principal: str, payload: Any,
            operation: Callable[[], dict[str, Any]], lambda_context: Any = None
            ) -> dict[str, Any]:
        if (scope, key) not in self.done:
            self.done[scope, key] = operation()
        return self.done[scope, key]


def test_the_once_step_runs_a_message_delivered_again_once() -> None:
    ran: list[str] = []

    def step(key: str, _: int) -> str:
        ran.append(key)
        return "done"

    store = FakeOnce()
    handle = consumer("thing", lambda body: event_detail(body, "key"), step, once=store)
    same = event({"key": "a"}, event_id="e-7")
    for message_id in ("m-1", "m-2"):  # the same event, delivered twice
        assert failed(handle({"Records": [record(same, message_id)]}, None)) == []
    handle({"Records": [record(event({"key": "a"}, event_id="e-8"), "m-3")]}, None)
    assert ran == ["a", "a"]
    assert set(store.done) == {("consumer thing", "e-7"), ("consumer thing", "e-8")}


def test_message_keys_and_readers() -> None:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

    assert message_key(SQSRecord(record(event({}, "e-1")))) == "e-1"
    assert message_key(SQSRecord(record({"track": "x"}, "m-9"))) == "m-9"
    assert message_key(SQSRecord(record("not json", "m-8"))) == "m-8"
    assert detail_of(json.dumps(event({"n": 1}))) == {"n": 1}
    assert json_body('{"a": 1}') == {"a": 1}
    for body in ("x", "[]", json.dumps({"detail": {}}), json.dumps(event({"case_id": ""}))):
        with pytest.raises(PoisonedMessage):
            case_id_of(body)
    assert case_id_of(json.dumps(event({"case_id": "c-1"}))) == "c-1"


def test_a_refund_stage_fails_a_poisoned_message_alone() -> None:
    handle = stage_consumer("checks", lambda case_id: "checked")
    answer = handle({"Records": [record(event({"case_id": "c-1"}), "1"),
                                 record("{}", "2")]}, None)
    assert failed(answer) == ["2"]


def test_the_batch_form_fails_unreadable_and_retried_messages() -> None:
    seen: list[list[str]] = []

    def process(batch: Any) -> tuple[list[str], dict[str, Any]]:
        seen.append([message_id for message_id, _ in batch])
        return ["2"], {"sent": 1}

    handle = batch_consumer("notes", lambda body: detail_of(body)["n"], process)
    answer = handle({"Records": [record(event({"n": 1}), "1"), record(event({"n": 2}), "2"),
                                 record("nope", "3"), record({"no": "detail"}, "4")]}, None)
    assert seen == [["1", "2"]]
    assert failed(answer) == ["3", "4", "2"]
    assert failed(batch_consumer("notes", json_body, process)({"Records": []}, None)) == []
    assert seen == [["1", "2"]]  # an empty batch processes nothing


class FakeSupply:
    def __init__(self, delivered: bool = False) -> None:
        self.calls: list[tuple[str, str]] = []
        self.delivered = delivered

    def verify(self, application_id: str) -> str:
        self.calls.append(("verify", application_id))
        return "approved"

    def fulfil(self, application_id: str) -> str:
        self.calls.append(("fulfil", application_id))
        return "shipped"

    def track(self, application_id: str) -> bool:
        self.calls.append(("track", application_id))
        return self.delivered


def test_the_supply_worker_dispatches_by_event_and_polls_later() -> None:
    supply, sqs = FakeSupply(), FakeSqs()
    worker = SupplyWorker(supply, sqs, lambda: "https://sqs/supply", poll_seconds=60,
                          max_polls=2)
    applied = {"detail-type": "InvoiceSupplyApplied", "detail": {"application_id": "a-1"}}
    assert worker.step(applied) == "approved"
    assert worker.step(applied | {"detail-type": "InvoiceSupplyApproved"}) == "shipped"
    assert worker.step(applied | {"detail-type": "InvoiceSupplyShipped"}) == "tracking"
    assert worker.step(applied | {"detail-type": "Other"}) is None
    assert worker.step({"track": "a-1", "polls": 1}) is None
    assert worker.step({"track": "a-1", "polls": 2}) is None   # given up: nothing sent
    assert [json.loads(m["MessageBody"]) for m in sqs.sent] == [
        {"track": "a-1", "polls": 1}, {"track": "a-1", "polls": 2}]
    assert {m["DelaySeconds"] for m in sqs.sent} == {60}
    assert supply.calls == [("verify", "a-1"), ("fulfil", "a-1"), ("track", "a-1"),
                            ("track", "a-1"), ("track", "a-1")]
    assert describe({"track": "a-1"}) == {"application_id": "a-1"}
    assert describe(applied) == {"application_id": "a-1", "event": "InvoiceSupplyApplied"}


def test_the_route_once_step_makes_its_store_on_first_use(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    from types import SimpleNamespace

    calls: list[dict[str, Any]] = []

    class Store:
        def run_request(self, app: Any, **kw: Any) -> dict[str, Any]:
            calls.append({"app": app, **kw})
            return {"ok": True}

    app = object()
    once = Once(app)
    once.__dict__["store"] = Store()   # what cached_property would have made
    operation = dict
    answer = once(SimpleNamespace(subject="u-1"), "POST /v1/x",  # type: ignore[arg-type]
                  {"a": 1}, operation)
    assert answer == {"ok": True}
    assert calls == [{"app": app, "scope": "POST /v1/x", "principal": "u-1",
                      "payload": {"a": 1}, "operation": operation}]
    monkeypatch.delenv("IDEMPOTENCY_TABLE", raising=False)
    with pytest.raises(Exception, match="IDEMPOTENCY_TABLE"):
        _ = Once(app).store


def test_a_bus_event_is_read_from_its_envelope_or_the_message_is_poisoned() -> None:
    from etax.platform.consumer import PoisonedMessage, bus_event

    body = json.dumps({"detail-type": "RegistrationChanged", "detail": {"credit_code": "x"}})
    assert bus_event(body) == ("RegistrationChanged", {"credit_code": "x"})
    assert bus_event(body, "RegistrationChanged")[1] == {"credit_code": "x"}
    for bad in ("not json", "[]", json.dumps({"detail-type": "A"}),
                json.dumps({"detail-type": "A", "detail": "text"}),
                json.dumps({"detail-type": 3, "detail": {}})):
        with pytest.raises(PoisonedMessage):
            bus_event(bad)
    with pytest.raises(PoisonedMessage, match="not one of"):
        bus_event(body, "ViolatorListed")
