"""Instant invoice lottery (有奖发票): the draw.

A consumer scans the QR code of an eligible invoice and is drawn at once. The
draw is pure (no clock, no storage, no network); the service supplies the facts
it owns: the period's seed and the tiers with no inventory left.

The draw
    ``value = HMAC-SHA256(key=period seed, message)`` read as a big-endian
    256-bit integer, uniform in ``[0, 2**256)``. The message is the compact JSON
    array ``["etax-lottery-draw/1",<campaign id>,<period index>,<invoice number>]``
    (no spaces, ASCII), e.g.
    ``["etax-lottery-draw/1","yantai-2026",1,"23442000000014209621"]``; campaign
    ids and invoice numbers are restricted to ASCII so these bytes are the same
    in every language an auditor may use. ``[0, 2**256)`` is cut into
    consecutive intervals, one per tier **in the order the period lists them,
    which must be largest prize first**, each ``count / expected_entries`` of
    the range wide (to within one part in ``2**256``, computed exactly with
    integers); the rest is "no prize". The value depends only on the seed and
    the invoice, so the draw is the same whatever the order of scans, and an
    invoice can be drawn only once per seed (the service keeps "one draw per
    invoice ever" with a conditional write).

Sold out
    The service knows which tiers have no inventory left (sharded counters with
    conditional writes) and passes their names to :func:`draw`, or calls
    :meth:`Draw.mark_sold_out` after a failed conditional write. A value that
    falls into a sold-out tier is ``"sold_out"`` and wins nothing: it does
    **not** cascade to a smaller tier, so the odds of every other tier stay
    ``count / expected_entries`` whatever the order of scans, and the auditor
    can check sold-outs by counting wins alone. A tier is sold out only when
    every shard is empty: :func:`etax.lottery.audit.replay` flags a sold-out
    declared while prizes of that tier were still unwon.

Seeds: commit, then reveal (sources.md#lottery: draws are notarized and published)
    Before a period opens the operator publishes ``commitment(seed)``, the
    SHA-256 of its 32 random bytes; after it closes it reveals the seed, and
    anyone can recompute every draw with :func:`etax.lottery.audit.replay`. The
    commitment stops the operator from choosing a seed after seeing the scans;
    keeping the seed secret until the close stops consumers from predicting
    which invoices win.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Container
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Final

from etax.lottery.campaigns import CAMPAIGN_ID, Period, Tier
from etax.lottery.errors import LotteryError
from etax.lottery.records import NO_PRIZE, SOLD_OUT, WON, DrawRecord, Result

__all__ = [
    "MESSAGE_VERSION", "SEED_BYTES", "VALUE_BITS", "VALUE_RANGE", "Draw", "commitment", "draw",
    "draw_message", "draw_value", "new_seed", "tier_bounds", "tier_for", "value_hex",
    "verify_reveal",
]

SEED_BYTES: Final = 32
VALUE_BITS: Final = 256
VALUE_RANGE: Final = 1 << VALUE_BITS
MESSAGE_VERSION: Final = "etax-lottery-draw/1"


# --- seeds -----------------------------------------------------------------------------------


def new_seed() -> bytes:
    """A period's secret seed: 32 bytes from the operating system's CSPRNG."""
    return secrets.token_bytes(SEED_BYTES)


def commitment(seed: bytes) -> str:
    """What is published before the period opens: the hex SHA-256 of the seed."""
    return hashlib.sha256(seed).hexdigest()


def verify_reveal(seed: bytes, commitment_hex: str) -> bool:
    """True when a revealed seed is the one committed to (hex compared case-insensitively)."""
    return hmac.compare_digest(commitment(seed), commitment_hex.strip().lower())


# --- the draw --------------------------------------------------------------------------------


def draw_message(campaign_id: str, period_index: int, invoice_number: str) -> bytes:
    """The canonical bytes that are HMAC'd: a compact ASCII JSON array (see module doc)."""
    if not CAMPAIGN_ID.fullmatch(campaign_id):
        raise LotteryError(f"campaign id {campaign_id!r} is not a valid campaign id")
    if isinstance(period_index, bool) or period_index < 1:
        raise LotteryError(f"period index {period_index} must be 1 or more")
    if not (invoice_number.isascii() and invoice_number.isdigit()):
        raise LotteryError(f"invoice number {invoice_number!r} must be digits only")
    # The checks above leave nothing JSON would escape, so this f-string is exactly
    # json.dumps([...], separators=(",", ":")) (the unit tests hold it to that).
    return f'["{MESSAGE_VERSION}","{campaign_id}",{period_index},"{invoice_number}"]'.encode(
        "ascii"
    )


def draw_value(seed: bytes, campaign_id: str, period_index: int, invoice_number: str) -> int:
    """HMAC-SHA256(seed, message) as an integer, uniform in ``[0, 2**256)``.

    An integer (not a Fraction) so that it is exact and prints as the 64 hex
    digits recorded for the auditor.
    """
    if len(seed) != SEED_BYTES:
        raise LotteryError(f"a seed has {SEED_BYTES} bytes, this one has {len(seed)}")
    digest = hmac.digest(seed, draw_message(campaign_id, period_index, invoice_number), "sha256")
    return int.from_bytes(digest, "big")


def value_hex(value: int) -> str:
    """A draw value as the 64 lower-case hex digits kept in records."""
    return f"{value:064x}"


def tier_bounds(period: Period) -> tuple[tuple[Tier, int, int], ...]:
    """Each tier with its interval ``[low, high)`` of draw values, largest prize first.

    ``low`` and ``high`` are the smallest integers ``v`` with
    ``v / 2**256 ≥ cumulative odds``, so a tier's interval is
    ``count / expected_entries`` of the range to within one value in ``2**256``.
    """
    bounds = []
    low = 0
    cumulative = 0
    for tier in period.tiers:
        cumulative += tier.count
        high = -(-(cumulative << VALUE_BITS) // period.expected_entries)  # ceiling
        bounds.append((tier, low, high))
        low = high
    return tuple(bounds)


def tier_for(value: int, period: Period) -> Tier | None:
    """The tier whose interval holds ``value``, or None for no prize.

    Exact: the value is in the k-th tier when
    ``C(k-1) · 2**256 ≤ value · expected_entries < C(k) · 2**256``, with ``C(k)``
    the count of tiers 1..k, tiers in the period's order (largest prize first).
    """
    if isinstance(value, bool) or not 0 <= value < VALUE_RANGE:
        raise LotteryError("a draw value lies in [0, 2**256)")
    scaled = value * period.expected_entries
    cumulative = 0
    for tier in period.tiers:
        cumulative += tier.count
        if scaled < cumulative << VALUE_BITS:
            return tier
    return None


@dataclass(frozen=True, slots=True)
class Draw:
    """The outcome of one draw, before it is stored."""

    campaign_id: str
    period_index: int
    invoice_number: str
    value: int
    tier: Tier | None
    result: Result

    @property
    def value_hex(self) -> str:
        return value_hex(self.value)

    @property
    def prize_fen(self) -> int:
        """What the consumer receives: the tier's amount if won, else 0."""
        return self.tier.amount_fen if self.tier is not None and self.result == WON else 0

    def mark_sold_out(self) -> Draw:
        """The same draw after the service found its tier's inventory exhausted."""
        if self.tier is None:
            raise LotteryError("a draw without a tier cannot be sold out")
        return replace(self, result=SOLD_OUT)

    def to_record(self, drawn_at: datetime) -> DrawRecord:
        return DrawRecord(
            campaign_id=self.campaign_id,
            period_index=self.period_index,
            invoice_number=self.invoice_number,
            value_hex=self.value_hex,
            tier=self.tier.name if self.tier is not None else None,
            result=self.result,
            drawn_at=drawn_at,
        )


def draw(
    seed: bytes,
    campaign_id: str,
    period: Period,
    invoice_number: str,
    sold_out: Container[str] = frozenset(),
) -> Draw:
    """Draw one invoice: the tier its value falls in, and whether that tier is sold out.

    ``sold_out`` holds the names of tiers with no inventory left (any container:
    a set, or an object asking the counters lazily). A value in a sold-out tier
    wins nothing and does not fall through to another tier (see module doc).
    """
    value = draw_value(seed, campaign_id, period.index, invoice_number)
    tier = tier_for(value, period)
    result: Result
    if tier is None:
        result = NO_PRIZE
    elif tier.name in sold_out:
        result = SOLD_OUT
    else:
        result = WON
    return Draw(campaign_id, period.index, invoice_number, value, tier, result)

