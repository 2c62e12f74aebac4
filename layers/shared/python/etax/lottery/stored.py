"""What the lottery keeps, as the service and the payout see it (no storage code here).

The payout states, the stored campaign, period and draw, and the person's counters;
:mod:`etax.lottery.repository` maps them to and from DynamoDB items (and raises the write
outcomes of :mod:`etax.lottery.errors`).
"""

from __future__ import annotations

from dataclasses import dataclass

from etax.lottery.campaigns import Campaign
from etax.lottery.draw import Draw
from etax.lottery.records import DrawRecord

__all__ = [
    "FAILED", "NONE", "PAID", "PENDING", "Counters", "NewDraw", "StoredCampaign", "StoredDraw",
    "StoredPeriod", "draw_id",
]

PENDING = "pending"
PAID = "paid"
FAILED = "failed"
NONE = "none"


@dataclass(frozen=True, slots=True)
class StoredPeriod:
    index: int
    commitment: str
    seed_ciphertext: bytes
    shards: dict[str, int]


@dataclass(frozen=True, slots=True)
class StoredCampaign:
    campaign: Campaign
    periods: dict[int, StoredPeriod]
    created_at: str


@dataclass(frozen=True, slots=True)
class Counters:
    """The person's counters the scan increments, with their limits and expiry (epoch s)."""

    person: str
    campaign_id: str
    day: str
    month: str
    daily_limit: int
    monthly_limit: int
    day_expires: int
    month_expires: int


@dataclass(frozen=True, slots=True)
class StoredDraw:
    number: str
    draw_id: str
    record: DrawRecord
    person: str
    prize_fen: int
    payout_state: str
    payout_method: str | None
    payout_account: str | None
    payout_attempts: int
    paid_at: str | None
    failed_at: str | None
    provider_ref: str | None
    last_error: str | None
    updated_at: str
    tax_office: str | None = None
    """The office in charge of the person, written at scan time (None on older draws)."""


def draw_id(campaign_id: str, period_index: int, number: str) -> str:
    return f"{campaign_id}-{period_index}-{number}"


@dataclass(frozen=True, slots=True)
class NewDraw:
    """A draw to store, with what the scan established: whose it is (``person``, a resident ID
    or credit code), the office in charge, where a prize is paid, and when (UTC ISO time)."""

    drawn: Draw
    number: str
    person: str
    tax_office: str
    method: str
    account: str
    at: str
