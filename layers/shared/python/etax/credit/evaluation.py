"""A taxpayer's credit evaluation for a year, and its in-year preview. Pure.

From the records of a year that matter (:class:`Record`: a late return, a late payment, an
unpaid surcharge, red-letter and voided invoices, a refused refund, a listing or a decision
that rates D directly) and the taxpayer's registration facts (:class:`Registration`) to an
:class:`Evaluation`: the starting score, every deduction with its indicator, points, the
records that caused it and what repair gave back, the score, and the level.

**Starting score** (art. 13 of 《纳税缴费信用管理办法》, 2025年第12号, sources.md#credit): 93 when
the recurring indicators' data are complete, 90 otherwise; 100 when the non-recurring
indicators' data are complete too. Figures as dated data (``data/indicators.json``).

**Level** (art. 16, 17; sources.md#credit), in this order:

1. **D** — any direct-D record not lifted by an approved direct-D repair, or a score under
   40;
2. **M** — a new taxpayer (registered after the first day of the year: not a full evaluation
   year, art. 15), or a score of 70 or more with no operating income in the year;
3. **A** — a score of 90 or more, unless the taxpayer has operated for less than 3 years by
   the year's last day (counted from ``registered_on``: a choice, the measures say actual
   operation), was rated D the year before, or has a deduction of an indicator that bars an
   A (``no_a`` in the catalogue: zero or negative VAT returns for 3 consecutive or 6 months);
   then **B**, each reason named in ``no_a``;
4. **B** 70 to under 90; **C** 40 to under 70.

Putting D before M (a new taxpayer with a direct-D record is D) follows the 2014 rule that M
is for taxpayers without the direct-D acts (sources.md#credit-choices).

**Which records count**: a record counts when its day (``on``: the deadline, the issue or
decision day) falls in the year up to ``as_of`` and its indicator is valid that day; a record
of a day no indicator covers counts for nothing. A filing or payment is at fault when done
after its deadline, or not done by ``as_of`` with the deadline passed; a surcharge when unpaid
at ``as_of``; the other kinds by being recorded. Deductions are ordered by day, indicator code
and records. Repair (:mod:`etax.credit.repair`) gives back a share of a deduction's points when
all its records were corrected: without application within 3 days, otherwise when an officer
approved the application for its first record or a whole-record repair of the year (which
gives back every corrected repairable deduction of the year its share, as one application for
them all: sources.md#credit-choices); ``repaired`` says which. Scores are
:class:`~decimal.Decimal` with one decimal place (a restored share is in tenths of a
point); points are integers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from etax.credit.catalogue import Catalogue, Indicator
from etax.credit.repair import RepairPolicy, add_months
from etax.errors import Invalid

LEVELS: Final = ("A", "B", "M", "C", "D")
DEADLINE_KINDS: Final = ("filing", "payment")
UNPAID_KINDS: Final = ("surcharge",)
OPERATING_UNDER_3_YEARS: Final = "operating_under_3_years"
PREVIOUS_D: Final = "previous_year_d"


@dataclass(frozen=True, slots=True)
class Record:
    """One thing that happened: ``reference`` names it (``filing:<id>``, ``payment:<id>``,
    ``invoice:<number>``); ``on`` is its deadline (filing, payment, surcharge) or its day;
    ``done_on`` when it was filed, paid or corrected; ``amount_fen`` and ``base_fen`` what
    an amount-counted indicator reads (a surcharge owed; an evasion and the tax due)."""

    kind: str
    reference: str
    on: date
    done_on: date | None = None
    amount_fen: int = 0
    base_fen: int = 0
    months: tuple[int, ...] = ()
    """the months a return covers (``year * 12 + month - 1``), for a ``month_run``"""

    def at_fault(self, as_of: date) -> bool:
        if self.kind in DEADLINE_KINDS:
            if self.done_on is None:
                return as_of > self.on
            return self.done_on > self.on
        if self.kind in UNPAID_KINDS:
            return self.amount_fen > 0 and (self.done_on is None or self.done_on > as_of)
        return True


@dataclass(frozen=True, slots=True)
class YearFacts:
    """The records of a year, and the repairs an officer approved: of single faults (the
    records dating them), of the whole record, of direct Ds (their indicators' codes)."""

    year: int
    records: tuple[Record, ...] = ()
    approved_repairs: frozenset[str] = frozenset()
    whole_record_repaired: bool = False
    lifted_direct_d: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Registration:
    registered_on: date
    recurring_complete: bool
    nonrecurring_complete: bool = False
    operating_income: bool = True
    """had operating income in the evaluated year"""
    previous_level: str | None = None


@dataclass(frozen=True, slots=True)
class Deduction:
    code: str
    points: int
    records: tuple[str, ...]
    """the records that caused it; the first dates it"""
    on: date
    corrected_on: date | None = None
    restored_tenths: int = 0
    repaired: str | None = None
    """how the points came back: ``automatic`` (corrected within 3 days), ``fault`` or
    ``whole_record`` (an approved application)"""

    @property
    def record(self) -> str:
        return self.records[0]

    @property
    def restored(self) -> Decimal:
        return Decimal(self.restored_tenths) / 10

    @property
    def net(self) -> Decimal:
        return Decimal(self.points * 10 - self.restored_tenths) / 10


@dataclass(frozen=True, slots=True)
class DirectD:
    code: str
    record: str
    on: date
    lifted: bool = False
    """lifted by an approved direct-D repair: listed, no longer rating D"""


@dataclass(frozen=True, slots=True)
class Evaluation:
    year: int
    as_of: date
    provisional: bool
    start: int
    deductions: tuple[Deduction, ...]
    direct_d: tuple[DirectD, ...]
    score: Decimal
    level: str
    no_a: tuple[str, ...]
    """why an A was not possible, when it was not"""
    new_taxpayer: bool

    @property
    def deducted(self) -> Decimal:
        return sum((d.net for d in self.deductions), Decimal(0))


def _check(facts: YearFacts, registration: Registration, catalogue: Catalogue) -> None:
    known = {i.record_kind for i in catalogue.indicators}
    seen: set[str] = set()
    for i, record in enumerate(facts.records):
        field = f"records[{i}]"
        if record.kind not in known:
            raise Invalid(f"no indicator reads records of kind {record.kind!r}",
                          field=f"{field}.kind")
        if not record.reference.strip():
            raise Invalid("a record needs a reference", field=f"{field}.reference")
        if record.reference in seen:
            raise Invalid(f"record {record.reference} is listed twice",
                          field=f"{field}.reference")
        seen.add(record.reference)
        if record.amount_fen < 0 or record.base_fen < 0:
            raise Invalid("amounts are never negative", field=f"{field}.amount_fen")
    if registration.previous_level not in (None, *LEVELS):
        raise Invalid(f"a level is one of {LEVELS}", field="previous_level")


def _groups(indicator: Indicator, records: Sequence[Record],
            as_of: date) -> list[tuple[int, tuple[Record, ...]]]:
    """(points, records) of each deduction ``indicator`` makes of its ``records``."""
    at_fault = [r for r in records if r.at_fault(as_of)]
    if indicator.counting == "per_occurrence":
        return [(indicator.points, (r,)) for r in at_fault]
    if indicator.counting == "per_amount_band":
        return [(p, (r,)) for r in at_fault if (p := indicator.band_points(r.amount_fen))]
    months: dict[tuple[int, int], list[Record]] = defaultdict(list)
    if indicator.counting == "per_month":
        for r in at_fault:
            months[r.on.year, r.on.month].append(r)
        return [(indicator.points, tuple(g)) for g in months.values()]
    for r in records:  # monthly_pattern: every record of the kind counts towards it
        months[r.on.year, r.on.month].append(r)
    if indicator.counting == "month_run":
        covered = sorted({m for r in records for m in r.months})
        if longest_run(covered) >= indicator.consecutive or len(covered) >= indicator.cumulative:
            return [(indicator.points, tuple(records))]
        return []
    return [(indicator.points, tuple(g)) for g in months.values()
            if len(g) >= indicator.threshold]


def longest_run(months: Sequence[int]) -> int:
    """The most consecutive months in ``months`` (sorted, distinct month indices)."""
    best = run = 0
    for i, month in enumerate(months):
        run = run + 1 if i and month == months[i - 1] + 1 else 1
        best = max(best, run)
    return best


def _deduction(indicator: Indicator, points: int, group: tuple[Record, ...],
               facts: YearFacts, policy: RepairPolicy) -> Deduction:
    group = tuple(sorted(group, key=lambda r: (r.on, r.reference)))
    on = group[0].on
    done = [r.done_on for r in group]
    corrected_on = None if None in done else max(d for d in done if d is not None)
    restored, repaired = 0, None
    if indicator.repairable and corrected_on is not None:
        days = (corrected_on - on).days
        repaired = ("automatic" if policy.automatic(days) else
                    "fault" if group[0].reference in facts.approved_repairs else
                    "whole_record" if facts.whole_record_repaired else None)
        if repaired is not None:
            restored = policy.restored_tenths(points, days)
    return Deduction(indicator.code, points, tuple(r.reference for r in group), on,
                     corrected_on, restored, repaired)


def _direct(indicator: Indicator, record: Record) -> bool:
    if indicator.counting == "direct_d":
        return True
    return (record.base_fen > 0 and record.amount_fen >= indicator.min_amount_fen
            and record.amount_fen * 100 >= indicator.min_share_percent * record.base_fen)


def _operating_years_reached(registered_on: date, day: date, years: int) -> bool:
    return add_months(registered_on, 12 * years) <= day


def _level(score: Decimal, direct: bool, new: bool, income: bool, no_a: bool) -> str:
    if direct or score < 40:
        return "D"
    if new or (score >= 70 and not income):
        return "M"
    if score >= 90:
        return "B" if no_a else "A"
    return "B" if score >= 70 else "C"


def _evaluate(facts: YearFacts, registration: Registration, as_of: date, provisional: bool,
              catalogue: Catalogue, policy: RepairPolicy) -> Evaluation:
    _check(facts, registration, catalogue)
    first, last = date(facts.year, 1, 1), date(facts.year, 12, 31)
    scores = catalogue.starting_on(last)
    if scores is None:
        raise Invalid(f"no credit measures are in force for {facts.year}", field="year")
    if registration.recurring_complete:
        start = scores.complete if registration.nonrecurring_complete \
            else scores.recurring_complete
    else:
        start = scores.otherwise
    in_year = [r for r in facts.records if first <= r.on <= as_of]
    deductions: list[Deduction] = []
    direct: list[DirectD] = []
    for indicator in catalogue.indicators:
        mine = [r for r in in_year if r.kind == indicator.record_kind and indicator.valid_on(r.on)]
        if indicator.direct:
            direct += [DirectD(indicator.code, r.reference, r.on,
                               indicator.code in facts.lifted_direct_d)
                       for r in mine if _direct(indicator, r)]
            continue
        deductions += [_deduction(indicator, points, group, facts, policy)
                       for points, group in _groups(indicator, mine, as_of)]
    deductions.sort(key=lambda d: (d.on, d.code, d.records))
    direct.sort(key=lambda d: (d.on, d.code, d.record))
    score = Decimal(start) - sum((d.net for d in deductions), Decimal(0))
    no_a = tuple(reason for reason, applies in (
        (OPERATING_UNDER_3_YEARS, not _operating_years_reached(registration.registered_on,
                                                               last, 3)),
        (PREVIOUS_D, registration.previous_level == "D")) if applies)
    no_a += tuple(dict.fromkeys(reason for d in deductions
                                if (reason := catalogue.by_code(d.code).no_a)))
    new = registration.registered_on > first
    level = _level(score, any(not d.lifted for d in direct), new,
                   registration.operating_income, bool(no_a))
    return Evaluation(facts.year, as_of, provisional, start, tuple(deductions), tuple(direct),
                      score, level, no_a, new)


def evaluate(facts: YearFacts, registration: Registration, *,
             catalogue: Catalogue | None = None,
             policy: RepairPolicy | None = None) -> Evaluation:
    """The year's evaluation, as of its last day."""
    return _evaluate(facts, registration, date(facts.year, 12, 31), False,
                     catalogue or Catalogue.shipped(), policy or RepairPolicy.shipped())


def preview(facts: YearFacts, registration: Registration, as_of: date, *,
            catalogue: Catalogue | None = None,
            policy: RepairPolicy | None = None) -> Evaluation:
    """The same evaluation over the year so far (records up to ``as_of``), provisional."""
    if as_of.year != facts.year:
        raise Invalid(f"a preview of {facts.year} is as of a day in {facts.year}",
                      field="as_of")
    return _evaluate(facts, registration, as_of, True, catalogue or Catalogue.shipped(),
                     policy or RepairPolicy.shipped())

