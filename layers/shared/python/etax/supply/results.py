"""What the invoice supply routes answer (etax.platform.results): an application as its owner
and its tax office see it, and the owner's list. A paper application and a digital one carry
different keys between the common head and tail (a digital one always shows ``quota_before``,
null when no quota was in force), so they are two results sharing the head and the tail. The
delivery address, the checks, the batch, the trail and the shipment are the application's
stored data and stay dicts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.platform.results import optional


@dataclass(frozen=True, kw_only=True)
class _Head:
    id: str
    applicant: str
    applicant_name: str
    tax_office: str
    kind: str  # "paper" | "digital"
    state: str
    applied_at: str
    updated_at: str


@dataclass(frozen=True, kw_only=True)
class _Paper(_Head):
    invoice_type: str
    invoice_type_name: str
    quantity: int
    delivery: dict[str, Any]
    returned_numbers: list[str]


@dataclass(frozen=True, kw_only=True)
class _Digital(_Head):
    monthly_quota: str
    quota_before: str | None  # the quota in force when applying, None if there was none


@dataclass(frozen=True, kw_only=True)
class _Tail:
    reason: str
    checks: list[dict[str, Any]] | None
    review_reasons: list[str] | None
    batch: dict[str, Any] | None
    trail: list[dict[str, Any]]
    shipment: dict[str, Any] | None = optional()  # once posted (the carrier's trail on a view)


@dataclass(frozen=True, kw_only=True)
class PaperApplication(_Tail, _Paper):
    """The head, the paper's keys, the tail (a dataclass's fields are its bases' in reverse
    order)."""


@dataclass(frozen=True, kw_only=True)
class DigitalApplication(_Tail, _Digital):
    """The head, the digital keys, the tail."""


@dataclass(frozen=True)
class Applications:
    applications: list[PaperApplication | DigitalApplication]


@dataclass(frozen=True)
class ReviewQueue:
    """An office's applications waiting for an officer, oldest first."""

    tax_office: str
    applications: list[PaperApplication | DigitalApplication]
