"""The yearly revenue plans (收入计划) and the progress against them (docs/analytics.md#
revenue-plans): an administrator sets each office's plan for a year, tax by tax; the progress
is what the store says was collected from 1 January to the day asked, against the plan and
against the time progress (序时进度: the share of the year's days gone by, the day asked
included) — an office at 40 % of its plan when 50 % of the year is gone is behind it.

Pure: figures in, figures out, in integer fen and basis points (1 % = 100 bp)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from etax.filing.deadlines import tax_types

BASIS: int = 10_000  # basis points in a whole


def known_taxes() -> list[str]:
    """The taxes a plan may name: those the platform files and collects."""
    return sorted(tax_types())


def basis_points(part: int, whole: int) -> int | None:
    """``part`` of ``whole`` in basis points, rounded half up (None when ``whole`` is 0)."""
    if whole == 0:
        return None
    numerator = part * BASIS
    return (2 * numerator + whole) // (2 * whole)


def time_progress(year: int, day: date) -> tuple[int, int]:
    """The days of ``year`` gone by on ``day`` (``day`` included), and the year's days."""
    days = (date(year + 1, 1, 1) - date(year, 1, 1)).days
    if day.year < year:
        return 0, days
    if day.year > year:
        return days, days
    return (day - date(year, 1, 1)).days + 1, days


@dataclass(frozen=True)
class TaxProgress:
    tax: str
    plan_fen: int | None
    collected_fen: int
    progress_bp: int | None


@dataclass(frozen=True)
class OfficeProgress:
    """One office's year: its plan (None if none was set) and what was collected, in all and
    tax by tax; ``expected_fen`` what the time progress asks of the plan by now and
    ``gap_fen`` the collected minus that (negative: behind)."""

    office: str
    plan_fen: int | None
    collected_fen: int
    progress_bp: int | None
    expected_fen: int | None
    gap_fen: int | None
    taxes: list[TaxProgress]
    plan_revision: int | None
    plan_set_at: str | None


def progress(office: str, plan: Mapping[str, int] | None, collected: Mapping[str, int],
             elapsed: int, days: int, *, revision: int | None = None,
             set_at: str | None = None) -> OfficeProgress:
    """``office``'s progress: ``plan`` (fen by tax, or None), ``collected`` (fen by tax so far
    this year), ``elapsed`` of the year's ``days`` gone by."""
    taxes = sorted(set(plan or {}) | set(collected))
    rows = [TaxProgress(tax, (plan or {}).get(tax) if plan is not None else None,
                        collected.get(tax, 0),
                        basis_points(collected.get(tax, 0), (plan or {}).get(tax, 0))
                        if plan is not None and tax in plan else None)
            for tax in taxes]
    total_collected = sum(collected.values())
    if plan is None:
        return OfficeProgress(office, None, total_collected, None, None, None, rows, None, None)
    total_plan = sum(plan.values())
    expected = total_plan * elapsed // days
    return OfficeProgress(office, total_plan, total_collected,
                          basis_points(total_collected, total_plan), expected,
                          total_collected - expected, rows, revision, set_at)


def by_office(rows: Iterable[Sequence[object]]) -> dict[str, dict[str, int]]:
    """The collected query's rows ``(office, tax, payments, fen)`` as fen by tax by office."""
    found: dict[str, dict[str, int]] = {}
    for office, tax, _payments, fen in rows:
        taxes = found.setdefault(str(office), {})
        taxes[str(tax)] = taxes.get(str(tax), 0) + int(fen or 0)  # type: ignore[call-overload]
    return found
