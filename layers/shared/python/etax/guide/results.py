"""What the service guide answers (``GET /v1/guide``). Dates are ISO days (Asia/Shanghai)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from etax.calculators.results import Rule

DeadlineState = Literal["not_yet_open", "open", "due_today", "passed"]


@dataclass(frozen=True)
class Channel:
    id: str
    label: str


@dataclass(frozen=True)
class GuideStep:
    number: int
    title: str
    detail: str
    documents: list[str]
    channels: list[Channel]
    route: str | None  # "METHOD /path" of the platform's API that does the step
    page: str | None  # the portal's page for it


@dataclass(frozen=True)
class GuideDeadline:
    """A filing deadline of the matter, from filing's calendar (etax.filing.deadlines)."""

    tax_type: str
    tax_label: str
    period: str
    opens: str  # the first day the period can be filed
    statutory_due: str
    due_date: str  # after the holiday extension
    extended_by_days: int
    how: str  # statutory | holiday_block | next_working_day | published
    calendar_known: bool  # false: the year's holidays are not in the data yet
    this_month: bool  # due in the month of the day asked about
    days_left: int  # negative once passed
    state: DeadlineState


@dataclass(frozen=True)
class Guide:
    version: str
    matter: str
    title: str
    taxpayer_type: str
    taxpayer_type_label: str
    summary: str
    on: str
    revised: str
    steps: list[GuideStep]
    deadlines: list[GuideDeadline]  # this month's first, then the next to meet
    rules: list[Rule]  # the rule versions its figures came from
    sources: list[str]


@dataclass(frozen=True)
class MatterSummary:
    id: str
    title: str
    taxpayer_types: list[str]
    has_deadline: bool


@dataclass(frozen=True)
class GuideCatalogue:
    version: str
    taxpayer_types: dict[str, str]
    matters: list[MatterSummary]
