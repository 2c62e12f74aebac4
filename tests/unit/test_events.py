"""The EventBridge publisher: batches of ten, per-entry failures retried, none lost silently."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from etax.platform.events import DomainEvent, EventPublisher, PublishError


class FakeEventBridge:
    def __init__(self, fail: dict[int, int] | None = None) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.fail = dict(fail or {})  # event index in detail → times it fails

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        assert len(Entries) <= 10
        self.calls.append(Entries)
        results = []
        for entry in Entries:
            index = json.loads(entry["Detail"])["n"]
            if self.fail.get(index, 0) > 0:
                self.fail[index] -= 1
                results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
            else:
                results.append({"EventId": f"id-{index}"})
        failed = sum(1 for r in results if "ErrorCode" in r)
        return {"FailedEntryCount": failed, "Entries": results}


def events(count: int) -> list[DomainEvent]:
    return [DomainEvent("InvoiceIssued", {"n": i, "total": Decimal("1.10")}) for i in range(count)]


def publisher(client: FakeEventBridge) -> EventPublisher:
    return EventPublisher(client, "bus", "tax.invoices", sleep=lambda _: None)


@pytest.mark.parametrize(("count", "calls"), [(1, 1), (10, 1), (11, 2), (25, 3)])
def test_batches_of_ten(count: int, calls: int) -> None:
    client = FakeEventBridge()
    publisher(client).publish(events(count))
    assert len(client.calls) == calls
    assert sum(len(c) for c in client.calls) == count


def test_entries_follow_the_conventions() -> None:
    client = FakeEventBridge()
    publisher(client).publish(events(1))
    entry = client.calls[0][0]
    assert entry["Source"] == "tax.invoices"
    assert entry["EventBusName"] == "bus"
    assert entry["DetailType"] == "InvoiceIssued"
    detail = json.loads(entry["Detail"])
    assert detail["schema_version"] == 1
    assert detail["total"] == "1.10"  # Decimal as a string, never a float
    assert "occurred_at" in detail


def test_only_failed_entries_are_retried() -> None:
    client = FakeEventBridge(fail={3: 1, 7: 2})
    publisher(client).publish(events(10))
    assert [len(c) for c in client.calls] == [10, 2, 1]


def test_entries_that_keep_failing_are_reported() -> None:
    client = FakeEventBridge(fail={4: 99})
    with pytest.raises(PublishError, match="1 event") as caught:
        publisher(client).publish(events(12))
    assert caught.value.failed[0]["ErrorCode"] == "InternalFailure"
    assert len(client.calls) == 2 + 2  # two batches, the failing entry retried twice


def test_sources_follow_the_naming_convention() -> None:
    with pytest.raises(ValueError, match=r"tax\.<context>"):
        EventPublisher(FakeEventBridge(), "bus", "invoices")
