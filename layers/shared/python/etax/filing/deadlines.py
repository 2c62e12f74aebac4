"""Tax periods, filing deadlines and the holiday extension, read from versioned data.

Pure: no AWS. Everything that can change by decree — which periods a tax is filed for, the
deadline of each, the rest days of each year, the published deadline of a month, the surcharge
rate — is in ``data/deadlines.json`` (with its sources and the project's choices); this module
only applies it.

Periods are written ``2026-10`` (a month), ``2026-Q3`` (a quarter) or ``2026`` (a year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from etax.platform.data import load

_MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")
_QUARTER = re.compile(r"([0-9]{4})-Q([1-4])")
_YEAR = re.compile(r"([0-9]{4})")


class PeriodError(ValueError):
    """A period or tax type that the data does not know; ``field`` says which input."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Period:
    text: str
    periodicity: str  # monthly | quarterly | annual
    start: date
    end: date


def parse_period(text: str) -> Period:
    if (match := _MONTH.fullmatch(text)) is not None:
        year, month = int(match[1]), int(match[2])
        start = date(year, month, 1)
        return Period(text, "monthly", start, _month_end(start))
    if (match := _QUARTER.fullmatch(text)) is not None:
        year, quarter = int(match[1]), int(match[2])
        start = date(year, 3 * quarter - 2, 1)
        return Period(text, "quarterly", start, _month_end(date(year, 3 * quarter, 1)))
    if (match := _YEAR.fullmatch(text)) is not None:
        year = int(match[1])
        return Period(text, "annual", date(year, 1, 1), date(year, 12, 31))
    raise PeriodError("period", f"{text!r} is not a period like 2026-10, 2026-Q3 or 2026")


def _month_end(first: date) -> date:
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - timedelta(days=1)


def load_data() -> dict[str, Any]:
    """``data/deadlines.json`` (read once: :func:`etax.platform.data.load`)."""
    return load("etax.filing", "deadlines")


class Calendar:
    """Rest days and working days: weekends are rest days unless listed as working days;
    listed holidays are rest days. A year the data does not list has weekends only
    (:meth:`known` says whether a year is listed)."""

    def __init__(self, calendars: dict[str, Any]) -> None:
        self.holidays: set[date] = set()
        self.working_weekends: set[date] = set()
        self.years = {int(year) for year in calendars}
        for year in calendars.values():
            self.holidays.update(date.fromisoformat(d) for d in year["holidays"])
            self.working_weekends.update(date.fromisoformat(d) for d in year["working_weekends"])

    def known(self, year: int) -> bool:
        return year in self.years

    def is_rest_day(self, day: date) -> bool:
        if day in self.holidays:
            return True
        return day.weekday() >= 5 and day not in self.working_weekends

    def next_working_day(self, day: date) -> date:
        while self.is_rest_day(day):
            day += timedelta(days=1)
        return day

    def rest_block(self, day: date) -> tuple[date, date]:
        """The run of consecutive rest days around ``day`` (a rest day)."""
        first = last = day
        while self.is_rest_day(first - timedelta(days=1)):
            first -= timedelta(days=1)
        while self.is_rest_day(last + timedelta(days=1)):
            last += timedelta(days=1)
        return first, last


@dataclass(frozen=True, slots=True)
class Deadline:
    tax_type: str
    period: Period
    statutory: date
    due_date: date
    extended_by_days: int
    how: str  # statutory | holiday_block | next_working_day | published
    calendar_known: bool


def tax_types() -> dict[str, Any]:
    types: dict[str, Any] = load_data()["tax_types"]
    return types


def rule_for(tax_type: str, period: Period) -> dict[str, Any]:
    """The version of the tax's deadline rule in force at the end of ``period``."""
    spec = tax_types().get(tax_type)
    if spec is None:
        raise PeriodError("tax_type", f"unknown tax type {tax_type!r}; known: "
                                      f"{', '.join(sorted(tax_types()))}")
    rules = sorted((r for r in spec["rules"]
                    if date.fromisoformat(r["effective_from"]) <= period.end),
                   key=lambda r: r["effective_from"])
    if not rules:
        raise PeriodError("period", f"no {tax_type} rule is in force for {period.text}")
    rule: dict[str, Any] = rules[-1]
    if period.periodicity not in rule["periodicity"]:
        raise PeriodError("period", f"{tax_type} is filed for {' or '.join(rule['periodicity'])} "
                                    f"periods, not {period.periodicity} ({period.text})")
    return rule


def statutory_due(rule: dict[str, Any], period: Period) -> date:
    due = rule["due"]
    kind = due["kind"]
    if kind == "day_of_following_month":
        following = period.end + timedelta(days=1)
        return following.replace(day=int(due["day"]))
    if kind == "date_of_following_year":
        return date(period.end.year + 1, int(due["month"]), int(due["day"]))
    if kind == "date_of_same_year":
        return date(period.end.year, int(due["month"]), int(due["day"]))
    raise ValueError(f"unknown deadline kind {kind!r} in the data")


def deadline(tax_type: str, period_text: str) -> Deadline:
    """The deadline of ``tax_type`` for ``period_text``, extended per the data's calendar."""
    period = parse_period(period_text)
    rule = rule_for(tax_type, period)
    base = statutory_due(rule, period)
    data = load_data()
    calendar = Calendar(data["calendars"])
    known = calendar.known(base.year)
    published = data["published"].get(tax_type, {}).get(period.text)
    if published is not None:
        due = date.fromisoformat(published)
        return Deadline(tax_type, period, base, due, (due - base).days, "published", known)
    due, how = base, "statutory"
    if rule["extension"] == "holiday_block":
        due = base + timedelta(days=holiday_block_days(calendar, base.replace(day=1), base))
        if due != base:
            how = "holiday_block"
    if calendar.is_rest_day(due):
        due, how = calendar.next_working_day(due), (
            how if how != "statutory" else "next_working_day")
    return Deadline(tax_type, period, base, due, (due - base).days, how, known)


def holiday_block_days(calendar: Calendar, start: date, end: date) -> int:
    """Days of rest blocks of 3+ days that contain a public holiday, inside [start, end]."""
    days = 0
    day = start
    while day <= end:
        if not calendar.is_rest_day(day):
            day += timedelta(days=1)
            continue
        first, last = calendar.rest_block(day)
        length = (last - first).days + 1
        has_holiday = any(first + timedelta(days=i) in calendar.holidays for i in range(length))
        if length >= 3 and has_holiday:
            days += (min(last, end) - max(first, start)).days + 1
        day = last + timedelta(days=1)
    return days


def surcharge_version(on: date) -> dict[str, Any]:
    """The data's surcharge entry in force on ``on`` (its ``daily_rate``, ``effective_from``
    and ``source``); ValueError when none is."""
    versions = sorted((v for v in load_data()["surcharge"]
                       if date.fromisoformat(v["effective_from"]) <= on),
                      key=lambda v: v["effective_from"])
    if not versions:
        raise ValueError(f"no surcharge rate in force on {on}")
    version: dict[str, Any] = versions[-1]
    return version


def surcharge_rate(on: date) -> Decimal:
    """The daily late-payment surcharge rate in force on ``on``."""
    return Decimal(surcharge_version(on)["daily_rate"])


def reminder_window_days() -> int:
    return int(load_data()["reminders"]["window_days"])
