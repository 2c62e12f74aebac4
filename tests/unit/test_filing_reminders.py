"""The reminder run with in-memory fakes: one reminder per obligation per day, the notification
contract, batches of ten, release on a failed publish."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from etax.filing.reminders import DETAIL_TYPE, ReminderService, reminder_event
from etax.filing.repository import Due
from etax.platform.events import DomainEvent, EventPublisher, PublishError

DAY = date(2026, 11, 28)


class FakeRepository:
    def __init__(self, dues: list[Due]) -> None:
        self.dues = {d.obligation_id: d for d in dues}
        self.reminded: dict[str, str] = {}
        self.windows: list[tuple[date, date]] = []

    def due_between(self, first: date, last: date, *, page_size: int = 500) -> Iterator[Due]:
        self.windows.append((first, last))
        for due in self.dues.values():
            if first <= due.due_date <= last:
                yield replace(due, last_reminded=self.reminded.get(due.obligation_id))

    def claim_reminder(self, identifier: str, day: date) -> bool:
        if self.reminded.get(identifier, "") >= day.isoformat():
            return False
        self.reminded[identifier] = day.isoformat()
        return True

    def release_reminder(self, identifier: str, day: date) -> None:
        if self.reminded.get(identifier) == day.isoformat():
            del self.reminded[identifier]


class RecordingClient:
    def __init__(self, fail: bool = False) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.fail = fail

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        if self.fail:
            return {"FailedEntryCount": len(Entries),
                    "Entries": [{"ErrorCode": "InternalFailure"} for _ in Entries]}
        return {"FailedEntryCount": 0, "Entries": [{"EventId": "x"} for _ in Entries]}


def due(n: int, *, days_late: int = 3, status: str = "open") -> Due:
    return Due(obligation_id=f"91350100M000100Y43:vat:2026-{n:04d}", taxpayer="91350100M000100Y43",
               tax_type="vat", period="2026-10", due_date=DAY - timedelta(days=days_late),
               status=status, last_reminded=None)


def publisher(client: RecordingClient) -> EventPublisher:
    return EventPublisher(client, "bus", "tax.filing", sleep=lambda _: None)


def test_one_reminder_per_obligation_per_day_however_often_it_runs() -> None:
    repository = FakeRepository([due(n) for n in range(25)])
    client = RecordingClient()
    service = ReminderService(repository, publisher(client))
    first = service.run(DAY)
    second = service.run(DAY)
    assert (first.due, first.reminded, first.already) == (25, 25, 0)
    assert (second.due, second.reminded, second.already) == (25, 0, 25)
    assert [len(c) for c in client.calls] == [10, 10, 5]
    # the next day, everyone still open is reminded again
    assert service.run(DAY + timedelta(days=1)).reminded == 25


def test_the_window_is_from_the_data_up_to_yesterday() -> None:
    repository = FakeRepository([due(1, days_late=0), due(2, days_late=1), due(3, days_late=90),
                                 due(4, days_late=91)])
    summary = ReminderService(repository, publisher(RecordingClient())).run(DAY)
    assert repository.windows == [(DAY - timedelta(days=90), DAY - timedelta(days=1))]
    assert summary.reminded == 2


def test_the_event_follows_the_notification_contract() -> None:
    event: DomainEvent = reminder_event(due(7, days_late=4), DAY)
    assert event.detail_type == DETAIL_TYPE
    notification = event.detail["notification"]
    assert notification["id"] == f"reminder:91350100M000100Y43:vat:2026-0007:{DAY.isoformat()}"
    assert notification["recipient"] == "91350100M000100Y43"
    assert notification["kind"] == "filing.reminder"
    assert "逾期未申报" in notification["title"]
    assert "4 天" in notification["body"]
    assert notification["link"] == "/v1/filing/obligations/91350100M000100Y43:vat:2026-0007"
    unpaid = reminder_event(due(8, status="filed"), DAY)
    assert "逾期未缴款" in unpaid.detail["notification"]["title"]
    assert unpaid.detail["reason"] == "not_paid"


def test_a_failed_publish_releases_the_claims_so_a_retry_sends_them() -> None:
    repository = FakeRepository([due(n) for n in range(3)])
    with pytest.raises(PublishError):
        ReminderService(repository, publisher(RecordingClient(fail=True))).run(DAY)
    assert repository.reminded == {}
    client = RecordingClient()
    assert ReminderService(repository, publisher(client)).run(DAY).reminded == 3
