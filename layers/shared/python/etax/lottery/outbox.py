"""What the draws table's stream announces (the outbox, :mod:`etax.platform.outbox`; the
scan's transaction writes the draw, the stream delivers it at least once):

* a draw inserted as won → ``PrizeWon`` (the payout queue's rule listens for it);
* payout ``pending``/``failed`` → ``paid`` → ``PrizePaid``;
* payout ``pending`` → ``failed`` → ``PrizePayoutFailed``.

A failed batch is retried whole (bisected), so consumers are idempotent on ``draw_id``.
Events carry no payout account: the worker reads it from the draw."""

from __future__ import annotations

from typing import Any, Final

from etax.platform.events import DomainEvent
from etax.platform.outbox import Change, text

SOURCE: Final = "tax.lottery"


def event_for(change: Change) -> DomainEvent | None:
    """The fact of one stream record, or None (not a draw, or no fact announced)."""
    new, old = change.new, change.old
    if not new or "draw_id" not in new:
        return None
    draw_id = text(new, "draw_id") or ""
    detail: dict[str, Any] = {
        "draw_id": draw_id,
        "invoice_number": text(new, "number"),
        "campaign_id": text(new, "campaign_id"),
        "period_index": int(new["period_index"]),
        "tier": text(new, "tier"),
        "prize_fen": int(new["prize_fen"]),
        "payout_method": text(new, "payout_method"),
    }
    state, before = text(new, "payout_state"), text(old, "payout_state")
    if change.name == "INSERT" and text(new, "result") == "won":
        return DomainEvent("PrizeWon", detail, resources=(draw_id,))
    if change.name == "MODIFY" and state != before:
        if state == "paid":
            return DomainEvent("PrizePaid", {**detail, "paid_at": text(new, "paid_at"),
                                             "provider_ref": text(new, "provider_ref")})
        if state == "failed":
            return DomainEvent("PrizePayoutFailed", {**detail,
                                                     "failed_at": text(new, "failed_at"),
                                                     "last_error": text(new, "last_error")})
    return None
