"""What the information-on-demand routes answer (typed results, :mod:`etax.platform.results`)."""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional


@dataclass(frozen=True)
class Subscription:
    topics: list[str]
    province: str
    taxpayer_type: str
    industry: str
    updated_at: str
    weekly_cap: int


@dataclass(frozen=True)
class SegmentShown:
    topics: list[str]
    provinces: list[str]
    taxpayer_types: list[str]
    industries: list[str]


@dataclass(frozen=True)
class Preview:
    segment: SegmentShown
    recipients: int  # distinct subscribers, before the weekly cap


@dataclass(frozen=True)
class Mailing:
    id: str
    state: str  # sending | sent
    kind: str
    title: str
    segment: SegmentShown
    sent: int  # the people reached (final once the state is sent)
    capped: int  # not sent: the person had its weekly cap of mailings
    created_at: str
    created_by: str
    sent_at: str | None = optional()


@dataclass(frozen=True)
class StepShown:
    at: str
    by: str  # taxpayer | officer:<id> | indicator:<id>
    action: str  # issued | acknowledged | explained | corrected | closed
    text: str


@dataclass(frozen=True)
class RiskWarning:
    id: str
    taxpayer: str
    tax_office: str
    topic: str
    title: str
    detail: str
    source: str  # officer | indicator
    state: str  # issued | acknowledged | explained | corrected | closed
    trail: list[StepShown]
    created_at: str
    case_id: str | None = optional()  # the watch-list's case, for a warning of an indicator


@dataclass(frozen=True)
class WarningSummary:
    id: str
    topic: str
    title: str
    state: str
    created_at: str


@dataclass(frozen=True)
class Warnings:
    items: list[WarningSummary]
