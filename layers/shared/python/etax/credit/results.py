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


@dataclass(frozen=True)
class DirectDView:
    indicator: str
    description: str
    on: str
    record: RecordLink


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


@dataclass(frozen=True)
class Repair:
    id: str
    credit_code: str
    year: int
    indicator: str
    record: str
    state: str
    applied_on: str
    fault_on: str
    corrected_on: str
    restores: str
    """the points an approval gives back (the share for the days to the correction)"""
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
