"""What the analytics routes answer (typed results; the edge makes them JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.acceptance.registration.results import OwnerRecord
from etax.analytics.plans import OfficeProgress


@dataclass(frozen=True)
class RevenueRow:
    key: str
    payments: int
    amount_fen: int


@dataclass(frozen=True)
class Revenue:
    """Revenue collected from ``from_month`` to ``to_month`` (Asia/Shanghai months, both
    included), grouped ``by``; ``office`` is the office it is limited to (an officer's own),
    or ``all`` (an administrator's national view)."""

    from_month: str
    to_month: str
    by: str
    office: str
    rows: list[RevenueRow]
    payments: int
    total_fen: int
    files_read: int


@dataclass(frozen=True)
class ReleaseEntry:
    """A month of an open data set, released: its figures and its files' keys in the public
    bucket (``OpenDataUrl`` + key)."""

    month: str
    published_at: str
    cells: int
    suppressed: int
    json: str
    csv: str


@dataclass(frozen=True)
class DatasetSummary:
    id: str
    title: str
    description: str
    contributor: str
    dimensions: list[str]
    measures: list[str]
    dictionary: str
    releases: list[ReleaseEntry]


@dataclass(frozen=True)
class OpenDatasets:
    datasets: list[DatasetSummary]


@dataclass(frozen=True)
class OpenDataset:
    dataset: DatasetSummary
    data_dictionary: dict[str, Any]


@dataclass(frozen=True)
class RiskWarnings:
    """The risk warnings of ``month`` (docs/risk.md): the indicators computed, each with its
    formula, threshold and source and the number of warnings it raised; and the warnings,
    each with its figures and the records behind them. ``office`` as in :class:`Revenue`."""

    month: str
    office: str
    indicators: list[dict[str, Any]]
    warnings: list[dict[str, Any]]
    files_read: int


@dataclass(frozen=True)
class RiskCase:
    """A case on the officers' watch-list (docs/risk.md#the-watch-list): the warning that
    opened it (indicator, taxpayer, month, figures, records), the risk warning sent to the
    taxpayer (``warning_id``: ``GET /v1/risk-warnings/{id}``), and the officer's verdict
    (None while open)."""

    id: str
    month: str
    indicator: str
    taxpayer: str
    office: str | None
    industry: str | None
    figures: dict[str, Any]
    records: dict[str, Any]
    opened_at: str
    warning_id: str
    verdict: str | None
    verdict_by: str | None
    verdict_note: str | None
    verdict_at: str | None


@dataclass(frozen=True)
class RiskCasePage:
    """A page of a month's cases (``office`` as in :class:`Revenue`); ``next`` the cursor of
    the next page, None at the end."""

    month: str
    office: str
    items: list[RiskCase]
    next: str | None


@dataclass(frozen=True)
class RiskRun:
    """A month's indicators run: the warnings they raised, the cases opened by this run
    (those open before are kept as they are) and the taxpayers warned."""

    month: str
    warnings: int
    opened: int
    announced: int
    ran_at: str


@dataclass(frozen=True)
class Mover:
    """A taxpayer behind a movement: its revenue in both months, the change (fen) and the
    change against the earlier month (basis points; None when it paid nothing then)."""

    taxpayer: str
    before_fen: int
    after_fen: int
    change_fen: int
    change_bp: int | None


@dataclass(frozen=True)
class Movements:
    """``month``'s revenue against ``against_month``'s (``office`` as in :class:`Revenue`),
    and the taxpayers whose revenue moved most, the largest change (up or down) first."""

    month: str
    against_month: str
    office: str
    before_fen: int
    after_fen: int
    change_fen: int
    change_bp: int | None
    movers: list[Mover]
    files_read: int


@dataclass(frozen=True)
class PlanView:
    """An office's revenue plan for a year (fen by tax, and in all), at its revision."""

    year: int
    office: str
    taxes: dict[str, int]
    plan_fen: int
    revision: int
    set_by: str | None
    set_at: str | None
    reason: str | None


@dataclass(frozen=True)
class PlanHistory:
    year: int
    office: str
    revisions: list[PlanView]


@dataclass(frozen=True)
class PlanProgress:
    """The progress of ``year`` to ``as_of`` (Asia/Shanghai, included): ``elapsed_days`` of
    ``days`` gone by (``time_progress_bp``, 序时进度), and each office's plan and collections
    (:class:`etax.analytics.plans.OfficeProgress`)."""

    year: int
    as_of: str
    elapsed_days: int
    days: int
    time_progress_bp: int
    offices: list[OfficeProgress]
    files_read: int


@dataclass(frozen=True)
class BriefingSubscription:
    officer: str
    office: str
    subscribed_at: str


@dataclass(frozen=True)
class Briefed:
    """A day's briefing: the offices briefed and the notifications sent."""

    day: str
    offices: int
    notifications: int


@dataclass(frozen=True)
class MonthInvoicing:
    """An enterprise's invoices of a month: issued (as the seller) and received (as the
    buyer), each the count issued and the total with tax of the issued and red-letter ones."""

    month: str
    issued: int
    issued_fen: int
    received: int
    received_fen: int


@dataclass(frozen=True)
class EnterpriseProfile:
    """An enterprise seen whole (docs/analytics.md#the-360-view): its registration now, its
    newest credit rating, whether its office keeps it among its key enterprises, and the
    ``months`` (first, last) of invoicing by month, returns filed, payments and refunds
    (the newest 100 of each), with the watch-list's cases about it."""

    credit_code: str
    months: list[str]
    registration: OwnerRecord
    key_enterprise: dict[str, Any] | None
    rating: dict[str, Any] | None
    invoicing: list[MonthInvoicing]
    returns: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    refunds: list[dict[str, Any]]
    risk_cases: list[dict[str, Any]]
    files_read: int


@dataclass(frozen=True)
class KeyEnterprise:
    credit_code: str
    name: str | None
    office: str
    marked_by: str
    marked_at: str
    note: str | None


@dataclass(frozen=True)
class KeyEnterpriseList:
    office: str
    items: list[KeyEnterprise]
