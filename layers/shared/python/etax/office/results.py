"""What the mobile office's routes answer (etax.platform.results). A signed document's parts
(taxpayer, office, content) stay the document's own dicts: the answer shows them as signed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.platform.results import optional


@dataclass(frozen=True)
class Step:
    at: str
    by: str
    action: str  # drafted | countersigned | withdrawn; an approval's: submitted, approved, …
    text: str | None = optional()


@dataclass(frozen=True)
class FieldDocument:
    id: str
    state: str  # drafted | issued | withdrawn
    kind: str
    kind_name: str
    taxpayer: dict[str, Any]
    tax_office: dict[str, Any]
    inspectors: list[str]
    content: dict[str, Any]
    trail: list[Step]
    number: str | None = optional()  # issued
    issue_date: str | None = optional()
    verify: str | None = optional()
    digest: str | None = optional()
    document: dict[str, Any] | None = optional()  # the signed envelope's document
    signature: dict[str, str] | None = optional()
    expires_at: str | None = optional()  # a draft's last day to be countersigned


@dataclass(frozen=True)
class FieldDocumentVerdict:
    number: str
    verdict: str  # authentic | altered
    authentic: bool
    status: str  # issued | withdrawn
    kind: str
    kind_name: str
    issue_date: str
    taxpayer: dict[str, Any]
    tax_office: dict[str, Any]
    inspectors: list[str]
    digest: str
    matches: bool | None  # None when no digest was presented
    signature: dict[str, Any]
    withdrawn_at: str | None = optional()


@dataclass(frozen=True)
class Shift:
    shift_id: str
    officer: str
    starts_at: str
    ends_at: str
    set_by: str
    on_duty: bool  # the shift covers the time of the answer


@dataclass(frozen=True)
class Roster:
    at: str
    on_duty: list[str]
    shifts: list[Shift]  # every shift not ended, by start


@dataclass(frozen=True)
class Alert:
    alert_id: str
    alarm: str
    state: str  # open | acknowledged | resolved
    description: str
    reason: str
    raised_at: str
    recipients: list[str]  # the officers on duty when it was raised
    acknowledged_by: str | None = optional()
    acknowledged_at: str | None = optional()
    resolved_at: str | None = optional()


@dataclass(frozen=True)
class AlertPage:
    alerts: list[Alert]
    cursor: str | None


@dataclass(frozen=True)
class Condition:
    by: str
    at: str
    text: str


@dataclass(frozen=True)
class Approval:
    id: str
    state: str  # pending | returned | approved | rejected | withdrawn
    category: str
    category_name: str
    title: str
    body: str
    tax_office: str
    submitted_by: str
    submitted_at: str
    reviewers: list[str]  # in order
    position: int  # the reviewer whose turn it is (0-based), or was when it ended
    round: int  # 1, and one more at each resubmission
    conditions: list[Condition]  # given with the approvals so far
    trail: list[Step]
    reference: str | None = optional()
    waiting_for: str | None = optional()  # pending: the reviewer whose turn it is
    decided_at: str | None = optional()  # approved, rejected or withdrawn


@dataclass(frozen=True)
class ApprovalPage:
    approvals: list[Approval]
    cursor: str | None
