"""What the analytics routes answer (typed results; the edge makes them JSON)."""

from __future__ import annotations

from dataclasses import dataclass


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
