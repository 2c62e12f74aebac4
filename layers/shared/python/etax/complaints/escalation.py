"""The daily escalation run: every case still filed or accepted after its deadline is marked
escalated once (a conditional write), leaves the overdue index, and is announced on the bus
(``ComplaintEscalated``: the responsible office and the deadline, for the supervising office;
a named filer is notified through the push fan-out). The run's day comes from the scheduled
event's own time, never from a request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any, Protocol

from etax.complaints.model import Case
from etax.complaints.results import EscalationRun
from etax.complaints.rules import kinds
from etax.platform.events import DomainEvent, Publisher, PublishError

DETAIL_TYPE = "ComplaintEscalated"
KIND = "complaint.escalated"
CHUNK = 100


class Repository(Protocol):
    def overdue(self, today: date, *, page_size: int = 500) -> Iterator[dict[str, str]]: ...

    def escalate(self, case_id: str, escalation: dict[str, Any],
                 step: dict[str, Any]) -> Case | None: ...

    def release(self, case: Case) -> None: ...


def escalation_event(case: Case, escalation: dict[str, Any]) -> DomainEvent:
    detail: dict[str, Any] = {"case_id": case.id, "kind": case.kind, "office": case.office,
                              "due_on": case.due_on, "escalated_on": escalation["on"],
                              "days_late": escalation["days_late"]}
    if case.filer is not None:  # the filer's own notification; never in another field
        label = kinds()[case.kind].label
        detail["notification"] = {
            "id": f"complaint-escalated:{case.id}", "recipient": case.filer, "kind": KIND,
            "title": f"您的{label}已逾期升级督办",
            "body": (f"您于 {case.filed_at[:10]} 提交的{label}“{case.title}”办理期限为 "
                     f"{case.due_on}，至今未办结，已升级督办。"),
            "link": f"/v1/complaints/{case.id}"}
    return DomainEvent(detail_type=DETAIL_TYPE, detail=detail,
                       resources=(f"complaint/{case.id}",))


class EscalationService:
    def __init__(self, repository: Repository, publisher: Publisher,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repository = repository
        self.publisher = publisher
        self.clock = clock

    def run(self, day: date) -> EscalationRun:
        overdue = escalated = already = 0
        chunk: list[tuple[Case, dict[str, Any]]] = []
        for item in self.repository.overdue(day):
            overdue += 1
            due = date.fromisoformat(item["due_on"])
            escalation = {"on": day.isoformat(), "due_on": item["due_on"],
                          "days_late": (day - due).days}
            step = {"at": self.clock().isoformat(timespec="seconds"), "event": "escalated",
                    "note": f"逾期 {escalation['days_late']} 天未办结，升级督办"}
            case = self.repository.escalate(item["id"], escalation, step)
            if case is None:
                already += 1
                continue
            chunk.append((case, escalation))
            if len(chunk) >= CHUNK:
                escalated += self._publish(chunk)
                chunk = []
        if chunk:
            escalated += self._publish(chunk)
        return EscalationRun(day=day.isoformat(), overdue=overdue, escalated=escalated,
                             already=already)

    def _publish(self, chunk: list[tuple[Case, dict[str, Any]]]) -> int:
        try:
            self.publisher.publish([escalation_event(c, e) for c, e in chunk])
        except PublishError:
            # released, the async retry of the run escalates them again; the ones that went
            # out carry the same notification id, so the fan-out drops the repeat
            for case, _ in chunk:
                self.repository.release(case)
            raise
        return len(chunk)
