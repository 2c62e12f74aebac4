"""The outbox kit over fakes: stream records → the context's mapping → the publisher."""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer

from etax.invoices import outbox as invoices
from etax.lottery import outbox as lottery
from etax.platform.events import DomainEvent, EventPublisher, PublishError
from etax.platform.outbox import Change, Outbox, text

_serializer = TypeSerializer()


def image(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items()}


def record(name: str, new: dict[str, Any] | None = None,
           old: dict[str, Any] | None = None) -> dict[str, Any]:
    change: dict[str, Any] = {}
    if new is not None:
        change["NewImage"] = image(new)
    if old is not None:
        change["OldImage"] = image(old)
    return {"eventName": name, "dynamodb": change}


class Captured:
    def __init__(self) -> None:
        self.calls: list[list[DomainEvent]] = []

    def publish(self, events: Sequence[DomainEvent]) -> None:
        self.calls.append(list(events))


def by_state(change: Change) -> DomainEvent | None:
    state = text(change.new, "state")
    return None if state is None else DomainEvent(f"Moved:{state}", {"n": change.new["n"]})


def test_a_record_is_read_once_into_plain_values() -> None:
    change = Change.of(record("MODIFY", {"id": "a", "n": 7, "trail": [{"note": "x"}]},
                              {"id": "a", "n": 6}))
    assert change.name == "MODIFY"
    assert change.new == {"id": "a", "n": Decimal(7), "trail": [{"note": "x"}]}
    assert change.old == {"id": "a", "n": Decimal(6)}
    removed = Change.of({"eventName": "REMOVE", "dynamodb": {}})
    assert (removed.new, removed.old) == ({}, {})
    assert text({"a": "x", "b": Decimal(1), "c": None}, "a") == "x"
    assert [text({"b": Decimal(1), "c": None}, k) for k in "bcd"] == [None, None, None]


def test_events_are_published_in_record_order_in_one_call() -> None:
    sent = Captured()
    outbox = Outbox("tax.test", by_state, publisher=sent)
    outbox.announce({"Records": [record("INSERT", {"state": "a", "n": 1}),
                                 record("INSERT", {"n": 2}),
                                 record("MODIFY", {"state": "b", "n": 3})]}, None)
    [events] = sent.calls
    assert [(e.detail_type, e.detail) for e in events] == [("Moved:a", {"n": 1}),
                                                           ("Moved:b", {"n": 3})]


def test_a_batch_without_events_publishes_nothing() -> None:
    sent = Captured()
    outbox = Outbox("tax.test", by_state, publisher=sent)
    outbox.announce({"Records": [record("INSERT", {"n": 1})]}, None)
    outbox.announce({}, None)
    assert sent.calls == []


def test_a_mapping_may_answer_several_events_and_there_may_be_several_mappings() -> None:
    def twice(change: Change) -> list[DomainEvent]:
        return [DomainEvent("One", {}), DomainEvent("Two", {})]

    sent = Captured()
    Outbox("tax.test", twice, by_state, publisher=sent).announce(
        {"Records": [record("INSERT", {"state": "a", "n": 1})]}, None)
    assert [e.detail_type for e in sent.calls[0]] == ["One", "Two", "Moved:a"]
    with pytest.raises(ValueError, match="mapping"):
        Outbox("tax.test")


class FailingBus:
    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        return {"FailedEntryCount": len(Entries),
                "Entries": [{"ErrorCode": "InternalFailure"} for _ in Entries]}


def test_the_batch_fails_whole_when_an_event_cannot_be_published() -> None:
    """The stream's event source then bisects and retries the batch (infra StreamOutbox)."""
    publisher = EventPublisher(FailingBus(), "bus", "tax.test", sleep=lambda _: None)
    outbox = Outbox("tax.test", by_state, publisher=publisher)
    with pytest.raises(PublishError, match="1 event"):
        outbox.announce({"Records": [record("INSERT", {"state": "a", "n": 1})]}, None)


def test_a_mapping_that_fails_fails_the_batch() -> None:
    def broken(change: Change) -> DomainEvent | None:
        raise KeyError("n")

    sent = Captured()
    with pytest.raises(KeyError):
        Outbox("tax.test", broken, publisher=sent).announce(
            {"Records": [record("INSERT", {})]}, None)
    assert sent.calls == []


INVOICE = {"number": "26352000000000000001", "type": "special", "issue_date": "2026-11-28",
           "seller": {"credit_code": "91350100M000100Y43"},
           "buyer": {"id_number": "350102199003071234"}, "total_fen": 113000, "amount_fen": 100000,
           "channel": "web"}


def test_the_invoices_stream_announces_issue_red_letter_and_voiding() -> None:
    item = {"number": INVOICE["number"], "status": "normal", "doc": json.dumps(INVOICE)}
    issued = invoices.event_for(Change.of(record("INSERT", item)))
    assert issued is not None
    assert (issued.detail_type, issued.detail["buyer_id"]) == ("InvoiceIssued",
                                                               "350102199003071234")
    red = {**item, "doc": json.dumps({**INVOICE, "red_letter_of": "26352000000000000000"})}
    red_issued = invoices.event_for(Change.of(record("INSERT", red)))
    assert red_issued is not None
    assert red_issued.detail["red_letter_of"] == "26352000000000000000"
    voided = invoices.event_for(Change.of(record("MODIFY", {**item, "status": "voided"}, item)))
    assert voided is not None
    assert voided.detail_type == "InvoiceVoided"
    assert invoices.event_for(Change.of(record("MODIFY", item, item))) is None
    assert invoices.event_for(Change.of(record("INSERT", {"number": "counter"}))) is None


def matches(pattern: Any, value: Any) -> bool:
    """Lambda event filtering, for the patterns the contexts use: an object's every key matches,
    a list of values holds the value."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            key in value and matches(part, value[key]) for key, part in pattern.items())
    return value in pattern


def wakes(patterns: Sequence[Any], stream_record: dict[str, Any]) -> bool:
    return any(matches(pattern, stream_record) for pattern in patterns)


def test_only_records_that_can_announce_wake_the_invoices_outbox() -> None:
    item = {"number": INVOICE["number"], "status": "normal", "doc": json.dumps(INVOICE),
            "chk_20261203": 1}
    counted = {**item, "chk_20261203": 2}
    voided = {**item, "status": "voided"}
    records = {
        "issued": record("INSERT", item),
        "voided": record("MODIFY", voided, item),
        "a check counted": record("MODIFY", counted, item),
        "a voided invoice's check counted": record("MODIFY", {**voided, "chk_20261203": 2},
                                                    voided),
        "a red-letter note": record("MODIFY", {**item, "red_number": "2635"}, item),
        "removed": record("REMOVE", old=item),
    }
    woken = {name for name, stream_record in records.items()
             if wakes(invoices.ANNOUNCING, stream_record)}
    assert woken == {"issued", "voided"}
    announced = {name for name, stream_record in records.items()
                 if invoices.event_for(Change.of(stream_record)) is not None}
    assert announced <= woken  # the filter never hides a record that announces


DRAW = {"draw_id": "c-1-n", "number": "n", "campaign_id": "c", "period_index": 1,
        "tier": "50-yuan", "prize_fen": 5000, "payout_method": "wechat", "result": "won",
        "payout_state": "pending"}


def test_the_draws_stream_announces_a_prize_won_paid_or_failed() -> None:
    won = lottery.event_for(Change.of(record("INSERT", DRAW)))
    assert won is not None
    assert (won.detail_type, won.detail["period_index"], won.resources) == (
        "PrizeWon", 1, ("c-1-n",))
    assert type(won.detail["prize_fen"]) is int
    paid = lottery.event_for(Change.of(record(
        "MODIFY", {**DRAW, "payout_state": "paid", "paid_at": "t", "provider_ref": "r"}, DRAW)))
    assert paid is not None
    assert (paid.detail_type, paid.detail["provider_ref"]) == ("PrizePaid", "r")
    failed = lottery.event_for(Change.of(record(
        "MODIFY", {**DRAW, "payout_state": "failed", "last_error": "e"}, DRAW)))
    assert failed is not None
    assert (failed.detail_type, failed.detail["failed_at"]) == ("PrizePayoutFailed", None)
    assert lottery.event_for(Change.of(record("MODIFY", DRAW, DRAW))) is None
    assert lottery.event_for(Change.of(record("INSERT", {**DRAW, "result": "lost"}))) is None
