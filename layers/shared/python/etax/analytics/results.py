"""What the analytics routes answer (typed results; the edge makes them JSON)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
