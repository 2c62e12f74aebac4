"""The records a credit evaluation reads, from what the platform keeps. Pure.

* **Filing and payment** (:mod:`etax.filing`): each obligation is a ``filing`` record dated by
  its deadline and done the day (Asia/Shanghai) its return was filed; an obligation whose
  return left tax to pay is also a ``payment`` record, done the day it was paid in full; a
  surcharge accrued and not paid is a ``surcharge`` record of the amount outstanding.
* **Zero or negative VAT returns** (零申报、负申报): a VAT return filed with no tax due — a
  general taxpayer's whose input credit covered its output tax (``tax_due`` 0: zero, or
  negative with input carried forward), a small-scale taxpayer's with no sales (an exempt
  one with sales is the exemption, not a zero return: a choice, sources.md#credit-choices) —
  is a ``vat_zero_return`` record (``return:<obligation id>``) dated by its deadline and
  covering the months of its period (a quarter: three); the platform knows no reason for it,
  so every such return counts.
* **Serious-violator listings** (``ViolatorListed``/``ViolatorRemoved`` on the bus): a
  ``serious_violator_listing`` record, which rates D directly, for as long as the listing
  stands on the day evaluated (``as_of``); it is dated by the later of its listing day and
  the first day of the year (a listing of an earlier year still standing counts this year).

Each record's reference names where it came from (``filing:<obligation id>``,
``payment:<obligation id>``, ``surcharge:<obligation id>``, ``return:<obligation id>``,
``violator:<case id>``) and
:func:`link` answers the route that shows it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from etax.credit.evaluation import Record
from etax.filing.deadlines import PeriodError, parse_period
from etax.filing.repository import Obligation
from etax.rules import money
from etax.rules.dates import business_date

VIOLATOR_KIND: Final = "serious_violator_listing"
ZERO_RETURN_KIND: Final = "vat_zero_return"
LINKS: Final = {
    "filing": "/v1/filing/obligations/{}",
    "payment": "/v1/filing/obligations/{}",
    "surcharge": "/v1/filing/obligations/{}",
    "return": "/v1/filing/obligations/{}",
}


@dataclass(frozen=True, slots=True)
class Listing:
    """A serious-violator listing (重大税收违法失信主体) as the violators board announced it."""

    case_id: str
    credit_code: str
    listed_on: date
    removed_on: date | None = None

    def standing(self, day: date) -> bool:
        return self.listed_on <= day and (self.removed_on is None or day < self.removed_on)


def _day(instant: str | None) -> date | None:
    return business_date(datetime.fromisoformat(instant)) if instant else None


def _yuan_is_zero(answer: dict[str, Any], key: str) -> bool:
    try:
        return money.parse_yuan(str(answer[key])) == 0
    except (KeyError, money.MoneyError):
        return False


def zero_or_negative(obligation: Obligation) -> bool:
    """A VAT return filed with nothing due: a general taxpayer's ``tax_due`` 0, a small-scale
    taxpayer's ``sales`` 0."""
    answer = obligation.return_answer
    if obligation.tax_type != "vat" or obligation.filed_at is None or answer is None:
        return False
    if obligation.return_kind == "vat_general":
        return _yuan_is_zero(answer, "tax_due")
    if obligation.return_kind == "vat_small_scale":
        return _yuan_is_zero(answer, "sales")
    return False


def period_months(period: str) -> tuple[int, ...]:
    """The months (``year * 12 + month - 1``) a period covers; none for one not read."""
    try:
        parsed = parse_period(period)
    except PeriodError:
        return ()
    first = parsed.start.year * 12 + parsed.start.month - 1
    last = parsed.end.year * 12 + parsed.end.month - 1
    return tuple(range(first, last + 1))


def obligation_records(obligation: Obligation) -> list[Record]:
    """The filing, payment and surcharge records of one obligation."""
    ident = obligation.obligation_id
    due = obligation.due_date
    records = [Record("filing", f"filing:{ident}", due, _day(obligation.filed_at))]
    ledger = obligation.ledger
    if obligation.filed_at is not None and ledger is not None and ledger.tax_fen > 0:
        records.append(Record("payment", f"payment:{ident}", due, _day(obligation.paid_at)))
    if ledger is not None:
        outstanding = ledger.surcharge_accrued_fen - ledger.surcharge_paid_fen
        if outstanding > 0:
            records.append(Record("surcharge", f"surcharge:{ident}", due,
                                  amount_fen=outstanding))
    if zero_or_negative(obligation):
        records.append(Record(ZERO_RETURN_KIND, f"return:{ident}", due,
                              months=period_months(obligation.period)))
    return records


def listing_record(listing: Listing, year: int, as_of: date) -> Record | None:
    """The listing as a record of ``year`` evaluated on ``as_of``; None when it does not stand
    that day, or was made after the year."""
    if not listing.standing(as_of) or listing.listed_on.year > year:
        return None
    return Record(VIOLATOR_KIND, f"violator:{listing.case_id}",
                  max(listing.listed_on, date(year, 1, 1)), listing.removed_on)


def year_records(obligations: Iterable[Obligation], listings: Iterable[Listing], year: int,
                 as_of: date) -> tuple[Record, ...]:
    """Every record of ``year`` (deadline or day in the year), ordered by day and reference."""
    found = [r for o in obligations if o.due_date.year == year for r in obligation_records(o)]
    found += [r for listing in listings
              if (r := listing_record(listing, year, as_of)) is not None]
    return tuple(sorted(found, key=lambda r: (r.on, r.reference)))


def link(reference: str) -> str | None:
    """The route that shows the record ``reference`` names; None if none does here."""
    kind, _, ident = reference.partition(":")
    template = LINKS.get(kind)
    return template.format(ident) if template and ident else None
