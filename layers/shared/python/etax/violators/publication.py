"""The publication's dates and the published identity (``data/criteria.json`` ``publication``,
sources.md#violators): pure.

- **Deadline**: the entry is published within 15 days of the month after the decision is
  served: by the 15th of the next month (:func:`deadline`).
- **Publication day**: the day of the second officer's approval. An approval after the deadline
  publishes at once and the case says it was late (:func:`publication_day`): refusing it would
  keep a listed party off the list longer still.
- **Period**: 3 years from the publication day (a choice, not verified in a text read here),
  the entry published through the day before :func:`period_end`, removed on that day by the
  daily run.
- **Identity**: a resident ID number is published with its birth date (characters 7–14)
  hidden (choice, :func:`masked_id`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from etax.errors import Invalid
from etax.platform.data import load


@dataclass(frozen=True, slots=True)
class Terms:
    valid_from: date
    deadline_day: int
    period_years: int
    removal_reasons: Mapping[str, str]


def terms_from(raw: Mapping[str, Any]) -> Terms:
    return Terms(valid_from=date.fromisoformat(raw["valid_from"]),
                 deadline_day=int(raw["deadline_day_of_next_month"]),
                 period_years=int(raw["period_years"]),
                 removal_reasons=dict(raw["removal_reasons"]))


def terms(on: date | None = None) -> Terms:
    """The terms in force on ``on`` (the latest when not given)."""
    every = sorted((terms_from(t) for t in load("etax.violators", "criteria")["publication"]),
                   key=lambda t: t.valid_from)
    applicable = [t for t in every if on is None or t.valid_from <= on] or every[:1]
    return applicable[-1]


def deadline(served_on: date, day: int | None = None) -> date:
    """The last day to publish a case whose decision was served on ``served_on``: the
    ``day``-th (15th) of the next month."""
    day = terms(served_on).deadline_day if day is None else day
    year, month = (served_on.year + 1, 1) if served_on.month == 12 else \
        (served_on.year, served_on.month + 1)
    return date(year, month, day)


def publication_day(approved_on: date, served_on: date) -> tuple[date, bool]:
    """The day the entry is published (the approval day) and whether that is after the
    deadline (published at once all the same)."""
    if approved_on < served_on:
        raise Invalid("a case is approved after its decision was served", field="served_on")
    return approved_on, approved_on > deadline(served_on)


def add_years(day: date, years: int) -> date:
    """``day`` ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def period_end(listed_on: date, years: int | None = None) -> date:
    """The first day the entry is no longer published: ``years`` (3) after ``listed_on``."""
    return add_years(listed_on, terms(listed_on).period_years if years is None else years)


def masked_id(number: str) -> str:
    """A resident ID number with its birth date hidden: ``350102********1234``."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[14:]


def removal_reason(code: str) -> str:
    reasons = terms().removal_reasons
    if code not in reasons:
        raise Invalid(f"a removal reason is one of {', '.join(reasons)}", field="reason")
    return reasons[code]
