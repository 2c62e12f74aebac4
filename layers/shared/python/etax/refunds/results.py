"""What the refund routes answer (etax.platform.results): a case as its applicant, an officer
of its office and an admin see it, a taxpayer's own cases and an office's review queue. The
claim (the request as submitted) and the computation are the case's stored documents and stay
dicts; the account is shown masked (:func:`etax.refunds.cases.mask`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.platform.results import optional


@dataclass(frozen=True)
class Account:
    bank: str
    number: str  # masked: the last four characters


@dataclass(frozen=True, kw_only=True)
class StageView:
    """One entry of the trail, with its label."""

    state: str
    at: str
    by: str
    note: str | None = optional()
    label: str


@dataclass(frozen=True)
class Payment:
    """The treasury's payment, once tried: every key present, null until known."""

    treasury_ref: str | None
    paid_at: str | None
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class CaseView:
    id: str
    kind: str
    kind_label: str
    applicant: str
    tax_office: str
    state: str
    state_label: str
    amount: str
    claim: dict[str, Any]
    computation: dict[str, Any]
    account: Account
    flags: list[str]
    stages: list[StageView]
    submitted_at: str
    updated_at: str
    approved_amount: str | None = optional()
    payment: Payment | None = optional()
    reason: str | None = optional()  # a rejection's
    notification: dict[str, str] | None = optional()
    obligation_id: str | None = optional()  # general and IIT annual refunds


@dataclass(frozen=True)
class OwnCase:
    id: str
    kind: str
    state: str
    amount: str
    tax_office: str
    submitted_at: str
    updated_at: str


@dataclass(frozen=True)
class OwnCases:
    """A taxpayer's own cases, newest first."""

    applicant: str
    cursor: str | None
    items: list[OwnCase]


@dataclass(frozen=True)
class QueuedCase:
    id: str
    kind: str
    applicant: str
    amount: str
    flags: list[str]
    submitted_at: str


@dataclass(frozen=True)
class ReviewQueue:
    """An office's cases waiting for review, oldest first."""

    tax_office: str
    items: list[QueuedCase]
    cursor: str | None
