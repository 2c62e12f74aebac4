"""The answer body of a stored draw, as the lottery routes return it.

A payout account is shown masked (its last four characters), never whole.
"""

from __future__ import annotations

from typing import Any

from etax.lottery.campaigns import yuan
from etax.lottery.records import WON
from etax.lottery.stored import NONE, StoredDraw

__all__ = ["draw_answer", "mask_account"]


def mask_account(account: str) -> str:
    """What an answer shows of a payout account: its last four characters."""
    return "*" * max(len(account) - 4, 0) + account[-4:]


def draw_answer(stored: StoredDraw) -> dict[str, Any]:
    record = stored.record
    payout: dict[str, Any] = {"state": stored.payout_state}
    if stored.payout_state != NONE:
        payout.update({
            "method": stored.payout_method,
            "account": mask_account(stored.payout_account or ""),
            "amount": yuan(stored.prize_fen),
            "attempts": stored.payout_attempts,
            "requested_at": record.drawn_at.isoformat(),
            "paid_at": stored.paid_at,
            "failed_at": stored.failed_at,
            "provider_ref": stored.provider_ref,
            "last_error": stored.last_error,
            "updated_at": stored.updated_at,
        })
    return {
        "draw_id": stored.draw_id,
        "invoice_number": stored.number,
        "campaign_id": record.campaign_id,
        "period_index": record.period_index,
        "result": record.result,
        "tier": record.tier,
        "prize": yuan(stored.prize_fen) if record.result == WON else None,
        "value_hex": record.value_hex,
        "drawn_at": record.drawn_at.isoformat(),
        "payout": payout,
    }
