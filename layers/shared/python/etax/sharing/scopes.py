"""What each scope of a consent answers, from the platform's own records. Pure.

* ``rating`` — the credit board's latest rating (a taxpayer never rated: the year so far,
  marked ``provisional``, as the taxpayer's own preview shows it);
* ``tax_paid`` — the confirmed payments paid over the last 12 months (:func:`window`): the
  total and by tax type, in fen;
* ``sales`` — the invoices issued per month over the same months (the issuer's monthly usage:
  totals including tax, red-letter invoices and voided ones deducted), in fen;
* ``returns`` — the returns due over the same months: tax type, period, due date, whether filed
  and paid, the tax of the return.

Every figure is an integer in fen; the window is the same for every scope, so a bank reading
two scopes compares like with like.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

SCOPES: Final = ("rating", "tax_paid", "sales", "returns")
MONTHS: Final = 12


@dataclass(frozen=True, slots=True)
class Window:
    first: date
    last: date

    def months(self) -> list[str]:
        """``YYYYMM`` of each month of the window, oldest first."""
        out, year, month = [], self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            out.append(f"{year:04d}{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


def window(today: date, months: int = MONTHS) -> Window:
    """The last ``months`` calendar months, the current one included (through ``today``)."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return Window(date(index // 12, index % 12 + 1, 1), today)


@dataclass(frozen=True, slots=True)
class RatingData:
    year: int
    level: str
    score: str
    provisional: bool
    as_of: str


@dataclass(frozen=True, slots=True)
class TaxPaidData:
    first_day: str
    last_day: str
    total_fen: int
    by_tax_type: dict[str, int]
    payments: int


@dataclass(frozen=True, slots=True)
class MonthSales:
    month: str
    invoiced_fen: int


@dataclass(frozen=True, slots=True)
class SalesData:
    first_day: str
    last_day: str
    total_fen: int
    months: list[MonthSales]


@dataclass(frozen=True, slots=True)
class ReturnLine:
    tax_type: str
    period: str
    due_date: str
    status: str
    filed_at: str | None
    tax_fen: int | None


@dataclass(frozen=True, slots=True)
class ReturnsData:
    first_day: str
    last_day: str
    due: int
    filed_on_time: int
    returns: list[ReturnLine]


def tax_paid(span: Window, payments: Iterable[tuple[str, int]]) -> TaxPaidData:
    """``payments``: (tax type, amount in fen) of each confirmed payment paid in ``span``."""
    by_type: dict[str, int] = {}
    count = 0
    for tax_type, amount in payments:
        by_type[tax_type] = by_type.get(tax_type, 0) + amount
        count += 1
    return TaxPaidData(first_day=span.first.isoformat(), last_day=span.last.isoformat(),
                       total_fen=sum(by_type.values()), by_tax_type=dict(sorted(by_type.items())),
                       payments=count)


def sales(span: Window, used: Mapping[str, int]) -> SalesData:
    """``used``: the issuer's monthly usage by ``YYYYMM`` (months without invoices absent)."""
    months = [MonthSales(month=f"{m[:4]}-{m[4:]}", invoiced_fen=int(used.get(m, 0)))
              for m in span.months()]
    return SalesData(first_day=span.first.isoformat(), last_day=span.last.isoformat(),
                     total_fen=sum(m.invoiced_fen for m in months), months=months)


def returns(span: Window, obligations: Iterable[Mapping[str, Any]]) -> ReturnsData:
    """``obligations``: each with ``tax_type``, ``period``, ``due_date`` (a date), ``status``,
    ``filed_at`` (the instant), ``filed_on`` (its business day) and ``tax_fen`` (None before
    filing); those due within ``span`` are kept, oldest due first. Filed on time: filed on or
    before the due date (the due date as the holiday calendar moved it)."""
    lines: list[ReturnLine] = []
    on_time = 0
    for item in sorted(obligations, key=lambda o: (o["due_date"], o["tax_type"], o["period"])):
        due: date = item["due_date"]
        if not span.first <= due <= span.last:
            continue
        filed_at, filed_on = item.get("filed_at"), item.get("filed_on")
        if filed_on is not None and filed_on <= due:
            on_time += 1
        lines.append(ReturnLine(tax_type=item["tax_type"], period=item["period"],
                                due_date=due.isoformat(), status=item["status"],
                                filed_at=filed_at, tax_fen=item.get("tax_fen")))
    return ReturnsData(first_day=span.first.isoformat(), last_day=span.last.isoformat(),
                       due=len(lines), filed_on_time=on_time, returns=lines)
