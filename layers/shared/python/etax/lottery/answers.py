"""The answers of the lottery's draws: a scan's (the draw just made) and a stored draw's,
as the routes return them (typed results, :mod:`etax.lottery.results`).

A payout account is shown masked (its last four characters), never whole.
"""

from __future__ import annotations

from datetime import UTC, datetime

from etax.lottery.campaigns import yuan
from etax.lottery.draw import Draw
from etax.lottery.records import WON
from etax.lottery.results import DrawView, Payout, PayoutProgress
from etax.lottery.stored import NONE, PENDING, StoredDraw, draw_id

__all__ = ["draw_answer", "mask_account", "scan_answer"]


def mask_account(account: str) -> str:
    """What an answer shows of a payout account: its last four characters."""
    return "*" * max(len(account) - 4, 0) + account[-4:]


def draw_answer(stored: StoredDraw) -> DrawView:
    record = stored.record
    payout: Payout | PayoutProgress = Payout(state=stored.payout_state)
    if stored.payout_state != NONE:
        payout = PayoutProgress(
            state=stored.payout_state, method=stored.payout_method,
            account=mask_account(stored.payout_account or ""), amount=yuan(stored.prize_fen),
            attempts=stored.payout_attempts, requested_at=record.drawn_at.isoformat(),
            paid_at=stored.paid_at, failed_at=stored.failed_at,
            provider_ref=stored.provider_ref, last_error=stored.last_error,
            updated_at=stored.updated_at)
    return DrawView(
        draw_id=stored.draw_id, invoice_number=stored.number, campaign_id=record.campaign_id,
        period_index=record.period_index, result=record.result, tier=record.tier,
        prize=yuan(stored.prize_fen) if record.result == WON else None,
        value_hex=record.value_hex, drawn_at=record.drawn_at.isoformat(), payout=payout)


def scan_answer(drawn: Draw, number: str, method: str, account: str, commitment: str,
                now: datetime) -> DrawView:
    """The answer of a scan: the draw just made of invoice ``number``, the period's
    commitment, and (a prize won) where it is being paid."""
    payout = Payout(state=NONE)
    if drawn.result == WON:
        payout = Payout(state=PENDING, method=method, account=mask_account(account))
    return DrawView(
        draw_id=draw_id(drawn.campaign_id, drawn.period_index, number), invoice_number=number,
        campaign_id=drawn.campaign_id, period_index=drawn.period_index, result=drawn.result,
        tier=drawn.tier.name if drawn.tier is not None else None,
        prize=yuan(drawn.prize_fen) if drawn.result == WON else None,
        value_hex=drawn.value_hex, drawn_at=now.astimezone(UTC).isoformat(),
        commitment=commitment, payout=payout)
