"""The service guide (办税导航, plan action A3): for a taxpayer type and a matter, the steps,
documents, channels and the routes and pages that do each step, with the deadlines that apply
on the day asked about. Pure: no AWS.

The content is versioned data (``data/guide.json``: its ``version``, each matter's ``revised``
day). What changes by rule is never written there: the figures come from the rule versions in
force on the day (:mod:`etax.guide.figures`, cited in the answer) and the deadlines from
filing's calendar (:mod:`etax.filing.deadlines`), so a new rate, threshold or holiday reaches
the guide on its first day without an edit.

Deadlines: for a monthly tax, the period before the day's month and the day's own month; for a
quarterly one the two quarters likewise; for an annual one the year before, the year and the
next. The answer keeps those due in the day's month (passed or not: "this month's deadline")
and the first still to meet, oldest first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from etax.calculators.common import InputError
from etax.filing import deadlines as calendar
from etax.guide.figures import figures
from etax.guide.results import (
    Channel,
    DeadlineState,
    Guide,
    GuideCatalogue,
    GuideDeadline,
    GuideStep,
    MatterSummary,
)
from etax.platform.data import load

PLACEHOLDER = re.compile(r"\{([a-z_.]+)\}")
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)  # the days the guide answers for
_SHOWN_CHOICES = 12


@cache
def content() -> dict[str, Any]:
    """``data/guide.json``, its matters by id."""
    data = load("etax.guide", "guide")
    return {**data, "by_id": {matter["id"]: matter for matter in data["matters"]}}


def taxpayer_types() -> dict[str, str]:
    types: dict[str, str] = content()["taxpayer_types"]
    return types


def catalogue(taxpayer_type: str | None) -> GuideCatalogue:
    """The matters of ``taxpayer_type`` (every matter without one)."""
    if taxpayer_type is not None:
        _known_type(taxpayer_type)
    matters = [MatterSummary(m["id"], m["title"], list(m["taxpayer_types"]),
                             m["deadline"] is not None)
               for m in content()["matters"]
               if taxpayer_type is None or taxpayer_type in m["taxpayer_types"]]
    return GuideCatalogue(content()["version"], taxpayer_types(), matters)


def guide(taxpayer_type: str | None, matter_id: str, on: date) -> Guide:
    """The guide to ``matter_id`` for ``taxpayer_type`` on the day ``on``; 422 naming the
    field for a type or matter the guide does not have, or a matter not of that type."""
    if taxpayer_type is None:
        raise InputError("taxpayer_type", "the deadlines and steps depend on the taxpayer type; "
                         f"one of: {', '.join(taxpayer_types())}")
    _known_type(taxpayer_type)
    own = [m["id"] for m in content()["matters"] if taxpayer_type in m["taxpayer_types"]]
    matter = content()["by_id"].get(matter_id)
    if matter is None or taxpayer_type not in matter["taxpayer_types"]:
        what = "no such matter" if matter is None else f"not a matter of {taxpayer_type}"
        raise InputError("matter", f"{what}; the matters of {taxpayer_type}: "
                                   f"{', '.join(own[:_SHOWN_CHOICES])}")
    found = figures(matter["figures"], on)
    channels = content()["channels"]
    steps = [GuideStep(number, step["title"], fill(step["detail"], found.values),
                       list(step["documents"]),
                       [Channel(c, channels[c]) for c in step["channels"]],
                       step["route"], step["page"])
             for number, step in enumerate(matter["steps"], start=1)]
    spec = matter["deadline"]
    return Guide(content()["version"], matter["id"], matter["title"], taxpayer_type,
                 taxpayer_types()[taxpayer_type], fill(matter["summary"], found.values),
                 on.isoformat(), matter["revised"], steps,
                 deadlines_for(spec, on) if spec else [], found.rules, list(matter["sources"]))


def day(text: str | None, today: date) -> date:
    """The day asked about (``on=2026-12-06``), ``today`` when not given; 422 naming ``on``."""
    if text is None:
        return today
    try:
        asked = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        asked = None
    if asked is None:
        raise InputError("on", "a day written 2026-12-06")
    if not FIRST_DAY <= asked <= LAST_DAY:
        raise InputError("on", f"a day from {FIRST_DAY} to {LAST_DAY}")
    return asked


def fill(text: str, values: dict[str, str]) -> str:
    """``text`` with each ``{name}`` replaced by its figure (KeyError: a figure no source of the
    matter gives, a bug of the data)."""
    return PLACEHOLDER.sub(lambda match: values[match[1]], text)


def _known_type(taxpayer_type: str) -> None:
    if taxpayer_type not in taxpayer_types():
        raise InputError("taxpayer_type", "not a taxpayer type of the guide; one of: "
                                          f"{', '.join(taxpayer_types())}")


# -- deadlines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    deadline: calendar.Deadline
    opens: date


def _periods(periodicity: str, on: date) -> list[str]:
    if periodicity == "monthly":
        previous = on.replace(day=1) - timedelta(days=1)
        return [f"{previous:%Y-%m}", f"{on:%Y-%m}"]
    if periodicity == "quarterly":
        quarter = (on.month - 1) // 3 + 1
        before = (on.year, quarter - 1) if quarter > 1 else (on.year - 1, 4)
        return [f"{before[0]}-Q{before[1]}", f"{on.year}-Q{quarter}"]
    if periodicity == "annual":
        return [str(on.year - 1), str(on.year), str(on.year + 1)]
    raise ValueError(f"unknown periodicity {periodicity!r} in the guide's data")


def _candidates(spec: dict[str, Any], on: date) -> list[_Candidate]:
    found = []
    for period in _periods(spec["periodicity"], on):
        try:
            due = calendar.deadline(spec["tax_type"], period)
        except calendar.PeriodError:
            continue  # no rule of the tax in force for that period
        opens_at = spec.get("opens")
        if opens_at is not None:  # a window of the due date's year (the IIT reconciliation)
            opens = date(due.statutory.year, int(opens_at["month"]), int(opens_at["day"]))
        elif due.statutory <= due.period.end:  # due within the period (paid in the year)
            opens = due.period.start
        else:  # filed once the period is over
            opens = due.period.end + timedelta(days=1)
        found.append(_Candidate(due, opens))
    return found


def _state(on: date, opens: date, due: date) -> DeadlineState:
    if on < opens:
        return "not_yet_open"
    if on < due:
        return "open"
    return "due_today" if on == due else "passed"


def deadlines_for(spec: dict[str, Any], on: date) -> list[GuideDeadline]:
    """The matter's deadlines due in the month of ``on`` and the first still to meet."""
    label = calendar.tax_types()[spec["tax_type"]]["label"]
    kept: list[_Candidate] = []
    upcoming_seen = False
    for candidate in sorted(_candidates(spec, on), key=lambda c: c.deadline.due_date):
        due = candidate.deadline.due_date
        this_month = (due.year, due.month) == (on.year, on.month)
        upcoming = due >= on and not upcoming_seen
        if this_month or upcoming:
            kept.append(candidate)
        upcoming_seen = upcoming_seen or due >= on
    return [GuideDeadline(
        tax_type=spec["tax_type"], tax_label=label, period=c.deadline.period.text,
        opens=c.opens.isoformat(), statutory_due=c.deadline.statutory.isoformat(),
        due_date=c.deadline.due_date.isoformat(), extended_by_days=c.deadline.extended_by_days,
        how=c.deadline.how, calendar_known=c.deadline.calendar_known,
        this_month=(c.deadline.due_date.year, c.deadline.due_date.month) == (on.year, on.month),
        days_left=(c.deadline.due_date - on).days,
        state=_state(on, c.opens, c.deadline.due_date)) for c in kept]
