"""Reminders (催报催缴): every day, each obligation past its deadline and not filed, or filed and
not paid, gets one reminder event for the push fan-out.

The run for day ``D`` reads the ``by_due`` index for deadlines from ``D − window`` through
``D − 1`` (Queries only, page after page), claims each obligation for ``D`` with a conditional
update (``last_reminded < D``), and publishes the claimed ones ten per ``PutEvents``. A second
run the same day finds every obligation claimed and publishes nothing; a reminder whose event
could not be published is released so that the retry sends it. The notification id is
``reminder:<obligation id>:<D>``, so the fan-out too never delivers it twice.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from etax.filing import deadlines
from etax.filing.repository import OPEN, Due
from etax.platform.events import DomainEvent, Publisher, PublishError

DETAIL_TYPE = "FilingReminderIssued"
KIND = "filing.reminder"
CLAIM_CHUNK = 100
"""Obligations claimed, then published, at a time (bounds what a crash can leave claimed)."""


class Repository(Protocol):
    def due_between(self, first: date, last: date, *, page_size: int = 500) -> Iterator[Due]: ...

    def claim_reminder(self, identifier: str, day: date) -> bool: ...

    def release_reminder(self, identifier: str, day: date) -> None: ...


@dataclass(frozen=True, slots=True)
class RunSummary:
    day: date
    due: int
    reminded: int
    already: int

    def as_dict(self) -> dict[str, object]:
        return {"date": self.day.isoformat(), "due": self.due, "reminded": self.reminded,
                "already_reminded": self.already}


def reminder_event(due: Due, day: date) -> DomainEvent:
    label = deadlines.tax_types()[due.tax_type]["label"]
    late = (day - due.due_date).days
    if due.status == OPEN:
        title = f"{label}（{due.period}）逾期未申报"
        body = (f"您的{label}（所属期 {due.period}）申报期限为 {due.due_date.isoformat()}，"
                f"已逾期 {late} 天，请尽快申报。")
        what = "not_filed"
    else:
        title = f"{label}（{due.period}）逾期未缴款"
        body = (f"您的{label}（所属期 {due.period}）税款缴纳期限为 {due.due_date.isoformat()}，"
                f"已逾期 {late} 天，自期满次日起按日加收万分之五滞纳金，请尽快缴纳。")
        what = "not_paid"
    return DomainEvent(
        detail_type=DETAIL_TYPE,
        detail={
            "obligation_id": due.obligation_id, "taxpayer": due.taxpayer,
            "tax_type": due.tax_type, "period": due.period,
            "due_date": due.due_date.isoformat(), "reminder_date": day.isoformat(),
            "reason": what, "days_late": late,
            "notification": {
                "id": f"reminder:{due.obligation_id}:{day.isoformat()}",
                "recipient": due.taxpayer, "kind": KIND, "title": title, "body": body,
                "link": f"/v1/filing/obligations/{due.obligation_id}",
            },
        },
        resources=(f"obligation/{due.obligation_id}",),
    )


class ReminderService:
    def __init__(self, repository: Repository, publisher: Publisher, *,
                 page_size: int = 500) -> None:
        self.repository = repository
        self.publisher = publisher
        self.page_size = page_size

    def run(self, day: date) -> RunSummary:
        first = day - timedelta(days=deadlines.reminder_window_days())
        last = day - timedelta(days=1)
        due_count = reminded = already = 0
        chunk: list[Due] = []
        for due in self.repository.due_between(first, last, page_size=self.page_size):
            due_count += 1
            if due.last_reminded is not None and due.last_reminded >= day.isoformat():
                already += 1
                continue
            if not self.repository.claim_reminder(due.obligation_id, day):
                already += 1
                continue
            chunk.append(due)
            if len(chunk) >= CLAIM_CHUNK:
                reminded += self._publish(chunk, day)
                chunk = []
        if chunk:
            reminded += self._publish(chunk, day)
        return RunSummary(day, due_count, reminded, already)

    def _publish(self, claimed: list[Due], day: date) -> int:
        try:
            self.publisher.publish([reminder_event(d, day) for d in claimed])
        except PublishError:
            # which entries failed is not known per obligation here: release them all; the ones
            # that did go out carry the same notification id, so the fan-out drops the repeat
            for due in claimed:
                self.repository.release_reminder(due.obligation_id, day)
            raise
        return len(claimed)
