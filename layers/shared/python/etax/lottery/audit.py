"""The audit: replay a closed period's draws from its revealed seed.

Anyone holding the period, its published commitment, the revealed seed and the draw
records (:mod:`etax.lottery.records`) recomputes every draw (:mod:`etax.lottery.draw`
says how) and gets every discrepancy; ``scripts/lottery_replay.py`` runs it on an export.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from etax.lottery.campaigns import CHINA_TZ, Period, Tier
from etax.lottery.draw import SEED_BYTES, draw_value, tier_for, value_hex, verify_reveal
from etax.lottery.errors import LotteryError
from etax.lottery.records import NO_PRIZE, WON, DrawRecord

__all__ = ["Discrepancy", "ReplayReport", "replay"]


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One thing wrong in a period's records; ``invoice_number`` None for the period as a whole."""

    invoice_number: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What a replay found. Counts are as recorded; ``discrepancies`` say where they are wrong.

    ``wins`` and ``sold_out`` map each tier name of the period (in its order) to
    the number of records claiming it; ``paid_fen`` is the recorded wins times
    their amounts, the period's payout.
    """

    campaign_id: str
    period_index: int
    seed_ok: bool
    draws: int
    wins: dict[str, int]
    sold_out: dict[str, int]
    no_prize: int
    paid_fen: int
    discrepancies: tuple[Discrepancy, ...]

    @property
    def ok(self) -> bool:
        return not self.discrepancies


def _check_record(
    seed: bytes, period: Period, campaign_id: str, record: DrawRecord
) -> tuple[list[str], Tier | None]:
    """Reasons a single record is wrong, and the tier it rightly counts against (if any)."""
    if record.campaign_id != campaign_id or record.period_index != period.index:
        return [
            f"recorded for campaign {record.campaign_id!r} period {record.period_index}, "
            f"not campaign {campaign_id!r} period {period.index}"
        ], None
    reasons = []
    day = record.drawn_at.astimezone(CHINA_TZ).date()
    if not period.covers(day):
        reasons.append(f"drawn on {day}, outside the period ({period.opens} to {period.closes})")
    try:
        value = draw_value(seed, campaign_id, period.index, record.invoice_number)
    except LotteryError as error:
        return [*reasons, error.reason], None
    if record.value_hex != value_hex(value):
        reasons.append(f"recorded value {record.value_hex} but the seed gives {value_hex(value)}")
    expected = tier_for(value, period)
    if record.result == NO_PRIZE:
        if expected is not None:
            reasons.append(f"recorded no prize, but the value falls in tier {expected.name!r}")
        elif record.tier is not None:
            reasons.append(f"recorded no prize but names tier {record.tier!r}")
        return reasons, None
    if expected is None:
        reasons.append(
            f"recorded {record.result} in tier {record.tier!r}, but the value wins no prize"
        )
        return reasons, None
    if record.tier != expected.name:
        reasons.append(
            f"recorded {record.result} in tier {record.tier!r}, "
            f"but the value falls in tier {expected.name!r}"
        )
        return reasons, None
    return reasons, expected


def replay(
    seed: bytes,
    commitment: str,
    period: Period,
    campaign_id: str,
    records: Iterable[DrawRecord],
) -> ReplayReport:
    """Recompute every draw of a closed period and report every discrepancy.

    Checks, in order: the revealed seed matches the published commitment (if
    not, nothing else can be trusted and nothing else is checked); then per
    record: it belongs to this campaign and period, its invoice was not drawn
    twice, it was drawn on a day of the period (China time), its value is the
    one the seed gives, and its result agrees with the recomputed tier (a "won"
    names that tier, a "no_prize" has none, a "sold_out" names that tier);
    then per tier: wins never exceed the count (the wins beyond the count, by
    ``drawn_at``, are flagged), and when any draw of the tier was "sold_out"
    the wins equal the count (otherwise every such sold-out is flagged).

    Whether a sold-out came *after* the last win is not checked: with sharded
    counters, concurrent draws may record their times slightly out of order.
    """
    kept = list(records)
    wins = {t.name: 0 for t in period.tiers}
    sold = {t.name: 0 for t in period.tiers}
    no_prize = 0
    for record in kept:
        if record.result == NO_PRIZE:
            no_prize += 1
        elif record.tier is not None and record.tier in wins:
            (wins if record.result == WON else sold)[record.tier] += 1
    found: list[Discrepancy] = []

    def report(seed_ok: bool) -> ReplayReport:
        return ReplayReport(
            campaign_id=campaign_id,
            period_index=period.index,
            seed_ok=seed_ok,
            draws=len(kept),
            wins=wins,
            sold_out=sold,
            no_prize=no_prize,
            paid_fen=sum(t.amount_fen * wins[t.name] for t in period.tiers),
            discrepancies=tuple(found),
        )

    if not verify_reveal(seed, commitment):
        found.append(
            Discrepancy(
                None,
                "the revealed seed does not match the published commitment; "
                "no draw of this period can be verified",
            )
        )
        return report(False)
    if len(seed) != SEED_BYTES:
        found.append(Discrepancy(None, f"the seed has {len(seed)} bytes; draws use {SEED_BYTES}"))
        return report(True)

    seen: set[str] = set()
    won_by_tier: dict[str, list[DrawRecord]] = {t.name: [] for t in period.tiers}
    sold_by_tier: dict[str, list[DrawRecord]] = {t.name: [] for t in period.tiers}
    for record in kept:
        reasons, tier = _check_record(seed, period, campaign_id, record)
        if record.invoice_number in seen:
            reasons.insert(0, "drawn more than once (one draw per invoice ever)")
        seen.add(record.invoice_number)
        found.extend(Discrepancy(record.invoice_number, reason) for reason in reasons)
        if tier is not None:
            (won_by_tier if record.result == WON else sold_by_tier)[tier.name].append(record)

    for tier in period.tiers:
        won = sorted(won_by_tier[tier.name], key=lambda r: (r.drawn_at, r.invoice_number))
        if len(won) > tier.count:
            for number, record in enumerate(won[tier.count:], start=tier.count + 1):
                found.append(
                    Discrepancy(
                        record.invoice_number,
                        f"tier {tier.name!r} has {tier.count} prizes, but this is win "
                        f"number {number} by time: the tier is oversold",
                    )
                )
        elif sold_by_tier[tier.name] and len(won) < tier.count:
            for record in sold_by_tier[tier.name]:
                found.append(
                    Discrepancy(
                        record.invoice_number,
                        f"recorded sold out, but only {len(won)} of the {tier.count} "
                        f"prizes of tier {tier.name!r} were won",
                    )
                )
    return report(True)
