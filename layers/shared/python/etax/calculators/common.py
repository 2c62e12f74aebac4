"""What every calculator shares: money in requests and answers, rounding, the rules' date,
steps, and versioned rule data.

Money
    Requests carry amounts as decimal strings in yuan (``"30000"``, ``"12480.50"``) or whole
    yuan as JSON integers, parsed strictly by :func:`etax.rules.money.parse_yuan` (no floats,
    no exponents, at most two decimals); a request model holds them as :class:`Decimal` yuan
    with two places (:data:`etax.rules.types.Yuan`, rates :data:`etax.rules.types.Rate`), so
    a validated request dumps to JSON and validates again to the same thing. Computation is in
    integer fen; every product with a rate is rounded **half-up to the fen**
    (:func:`round_fen`) once, where the step that makes it says so.
    Answers write amounts as yuan strings with two decimals (``"885.60"``).

The rules' date
    Rates, brackets, thresholds and limits are data (``data/*.json`` next to this module), each
    entry in force from ``effective_from`` to ``effective_to`` (both inclusive; no end = in force
    until a later entry says otherwise) and citing its sources. A calculator looks its rules up
    by the date the computation is for (:func:`rules_date`): the request's ``date`` if it has
    one, else December 31 of its ``year`` if it has one, else the caller's ``on`` (a service
    passes today in China time, :func:`today_in_china`). A date no entry covers is an error
    naming ``date`` (or ``year``), never a silent fallback.

Steps
    Every answer (a result of :mod:`etax.calculators.results`) lists its computation as
    ``steps``: ``{"label", "formula", "value"}``, in the order a person would check them on
    paper, and ``rules``: the data entries used, with their dates and sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext
from itertools import pairwise
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from etax.calculators.results import Rule, Step
from etax.errors import Invalid
from etax.rules.dates import business_date
from etax.rules.money import format_yuan

_HUNDRED = Decimal(100)
_ONE = Decimal(1)


class InputError(Invalid):
    """A request the rules cannot compute (422), naming the field at fault."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}", field=field)


class RulesError(ValueError):
    """The rule data shipped with the layer is inconsistent (a bug in the data, caught at load)."""


# --- money ------------------------------------------------------------------------------------


ZERO = Decimal("0.00")
"""The default of an optional amount."""


def fen(yuan: Decimal) -> int:
    """Yuan (at most two places) as integer fen."""
    return int((yuan * _HUNDRED).to_integral_value())


def yuan(amount_fen: int) -> str:
    """Integer fen as the answer's yuan string: ``88560`` → ``"885.60"``."""
    return format_yuan(amount_fen)


def round_fen(value: Decimal) -> int:
    """An exact amount in fen (a product with a rate) rounded half-up to a whole fen."""
    with localcontext(prec=60):
        return int(value.quantize(_ONE, rounding=ROUND_HALF_UP))


def times_rate(amount_fen: int, rate: Decimal) -> int:
    """``amount × rate``, half-up to the fen."""
    with localcontext(prec=60):
        return round_fen(Decimal(amount_fen) * rate)


def percent(rate: Decimal) -> str:
    """``0.03`` → ``"3%"``, ``0.025`` → ``"2.5%"``."""
    return f"{(rate * _HUNDRED).normalize():f}%"


# --- dates ------------------------------------------------------------------------------------


def today_in_china(now: datetime | None = None) -> date:
    """The calendar day in Asia/Shanghai (now, unless given)."""
    return business_date(now or datetime.now(UTC))


Year = Annotated[int, Field(ge=1990, le=2100)]


def rules_date(request: BaseModel, on: date | None) -> date:
    """The date whose rules apply: the request's ``date``, else Dec 31 of its ``year``, else
    ``on``, else today in China."""
    given: date | None = getattr(request, "date", None)
    year: int | None = getattr(request, "year", None)
    if given is not None and year is not None and given.year != year:
        raise InputError("year", f"year {year} and date {given.isoformat()} disagree")
    if given is not None:
        return given
    if year is not None:
        return date(year, 12, 31)
    return on or today_in_china()


def date_field(request: BaseModel) -> str:
    """The request field to name when no rules cover the date it asked for."""
    if getattr(request, "date", None) is None and getattr(request, "year", None) is not None:
        return "year"
    return "date"


class Strict(BaseModel):
    """Request models: unknown fields are errors (a misspelled field must not be ignored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# --- steps ------------------------------------------------------------------------------------


def step(label: str, formula: str, value: str) -> Step:
    return Step(label, formula, value)


# --- versioned rule data ----------------------------------------------------------------------


class Entry(BaseModel):
    """One version of a rule: in force from ``effective_from`` to ``effective_to`` inclusive."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    effective_from: date
    effective_to: date | None = None
    sources: list[str] = Field(min_length=1)
    note: str = ""

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None
                                               or day <= self.effective_to)

    def cite(self, table: str, *, note: str | None = None) -> Rule:
        return Rule(table=table, effective_from=self.effective_from.isoformat(),
                    effective_to=self.effective_to.isoformat() if self.effective_to else None,
                    sources=list(self.sources), note=note)


class Versions[E: Entry]:
    """The versions of one rule, in order, never overlapping."""

    def __init__(self, name: str, entries: Sequence[E]) -> None:
        if not entries:
            raise RulesError(f"{name}: no entries")
        ordered = sorted(entries, key=lambda entry: entry.effective_from)
        for entry in ordered:
            if entry.effective_to is not None and entry.effective_to < entry.effective_from:
                raise RulesError(f"{name}: entry from {entry.effective_from} ends before it starts")
        for earlier, later in pairwise(ordered):
            if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                raise RulesError(f"{name}: entries from {earlier.effective_from} and "
                                 f"{later.effective_from} overlap")
        self.name = name
        self.entries: tuple[E, ...] = tuple(ordered)

    def on(self, day: date, *, field: str = "date") -> E:
        """The entry in force on ``day``, or a 422 naming ``field``."""
        for entry in self.entries:
            if entry.covers(day):
                return entry
        spans = ", ".join(
            f"{e.effective_from.isoformat()} to "
            f"{e.effective_to.isoformat() if e.effective_to else 'now'}" for e in self.entries)
        raise InputError(field, f"no {self.name.replace('_', ' ')} rules on record for "
                         f"{day.isoformat()} (on record: {spans})")
