"""What the credit routes answer (the answers' keys in the order shown)."""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional


@dataclass(frozen=True)
class RecordLink:
    reference: str
    link: str | None = optional()
    """the route that shows the record (absent when none does)"""


@dataclass(frozen=True)
class DeductionView:
    indicator: str
    description: str
    points: int
    restored: str
    """points given back by repair, one decimal ("2.4")"""
    net: str
    on: str
    records: list[RecordLink]
    corrected_on: str | None = optional()
    repair: str | None = optional()
    """the approved repair application that gave points back (fault or whole record)"""


@dataclass(frozen=True)
class DirectDView:
    indicator: str
    description: str
    on: str
    record: RecordLink
    lifted_by: str | None = optional()
    """the approved direct-D repair that lifted it: listed, no longer rating D"""


@dataclass(frozen=True)
class Rating:
    credit_code: str
    name: str
    year: int
    level: str
    score: str
    """one decimal ("83.0")"""
    start: int
    provisional: bool
    as_of: str
    deductions: list[DeductionView]
    direct_d: list[DirectDView]
    no_a: list[str]
    evaluated_at: str


@dataclass(frozen=True)
class ListedTaxpayer:
    credit_code: str
    name: str
    year: int


@dataclass(frozen=True)
class AList:
    year: int
    items: list[ListedTaxpayer]
    next_cursor: str | None = optional()


@dataclass(frozen=True, kw_only=True)
class Repair:
    """A repair application: of one fault (``kind`` ``fault``), of a year's whole record
    (``whole_record``) or of a direct D (``direct_d``); each kind shows what it is of."""

    id: str
    credit_code: str
    year: int
    kind: str = "fault"
    indicator: str | None = optional()
    """the deduction's indicator (fault) or the direct D's (direct_d)"""
    record: str | None = optional()
    """the record dating the deduction (fault) or rating D (direct_d)"""
    state: str
    applied_on: str
    fault_on: str | None = optional()
    corrected_on: str | None = optional()
    last_violation_on: str | None = optional()
    """whole_record: the day of the last violation the waiting period ran from"""
    rated_d_on: str | None = optional()
    """direct_d: the day rated D the waiting period ran from"""
    restores: str | None = optional()
    """fault, whole_record: the points an approval gives back (the shares for the days to
    the corrections)"""
    decided_by: str | None = optional()
    decided_on: str | None = optional()
    reason: str | None = optional()


@dataclass(frozen=True)
class Run:
    id: str
    year: int
    state: str
    """running → done (every segment of the register read)"""
    segments: int
    segments_done: int
    evaluated: int
    started_by: str
    started_at: str
