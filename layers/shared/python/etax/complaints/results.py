"""What the complaints routes answer (typed results, :mod:`etax.platform.results`). No result
carries who filed a case: officers see whether it is ``named``, never by whom."""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional


@dataclass(frozen=True)
class Step:
    at: str
    event: str  # filed | accepted | refused | answered | rated | escalated
    note: str | None = optional()


@dataclass(frozen=True)
class Escalation:
    on: str  # the day of the run that found the case overdue (Asia/Shanghai)
    due_on: str
    days_late: int


@dataclass(frozen=True)
class CaseShown:
    id: str
    kind: str
    kind_label: str
    type: str  # complaint | report
    state: str
    title: str
    facts: str
    office: str  # the office responsible for handling it
    named: bool  # false: an anonymous report, followed by its tracking code and secret
    filed_at: str
    due_on: str
    escalated: bool
    escalations: list[Escalation]
    history: list[Step]
    reported: str | None = optional()  # the credit code reported (reports)
    answer: str | None = optional()
    refusal: str | None = optional()
    rating: int | None = optional()
    rating_comment: str | None = optional()


@dataclass(frozen=True)
class ReportFiled:
    """An anonymous report as filed: the tracking code and the secret are shown this once."""

    tracking_code: str
    secret: str
    case: CaseShown


@dataclass(frozen=True)
class CaseSummary:
    id: str
    kind: str
    state: str
    title: str
    office: str
    filed_at: str
    due_on: str
    escalated: bool
    reported: str | None = optional()


@dataclass(frozen=True)
class Cases:
    items: list[CaseSummary]
    cursor: str | None = optional()


@dataclass(frozen=True)
class EscalationRun:
    day: str
    overdue: int
    escalated: int
    already: int
