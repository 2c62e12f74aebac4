"""Announces lottery facts on the bus from the draws table's stream (an outbox that cannot be
skipped: the scan's transaction writes the draw, the stream delivers it at least once):

* a draw inserted as won → ``PrizeWon`` (the payout queue's rule listens for it);
* payout ``pending``/``failed`` → ``paid`` → ``PrizePaid``;
* payout ``pending`` → ``failed`` → ``PrizePayoutFailed``.

A failed batch is retried whole (bisected), so consumers are idempotent on ``draw_id``.
Events carry no payout account: the worker reads it from the draw."""

from __future__ import annotations

from typing import Any

import boto3

from etax.platform.events import DomainEvent, EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.settings import required

publisher = EventPublisher(boto3.client("events"), required("EVENT_BUS_NAME"), "tax.lottery")


def _s(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name) or {}
    return str(value["S"]) if "S" in value else None


def event_for(record: dict[str, Any]) -> DomainEvent | None:
    change = record.get("dynamodb", {})
    new = change.get("NewImage") or {}
    old = change.get("OldImage") or {}
    if not new or "draw_id" not in new:
        return None
    draw_id = _s(new, "draw_id") or ""
    detail: dict[str, Any] = {
        "draw_id": draw_id,
        "invoice_number": _s(new, "number"),
        "campaign_id": _s(new, "campaign_id"),
        "period_index": int(new["period_index"]["N"]),
        "tier": _s(new, "tier"),
        "prize_fen": int(new["prize_fen"]["N"]),
        "payout_method": _s(new, "payout_method"),
    }
    name = record.get("eventName")
    state, before = _s(new, "payout_state"), _s(old, "payout_state")
    if name == "INSERT" and _s(new, "result") == "won":
        return DomainEvent("PrizeWon", detail, resources=(draw_id,))
    if name == "MODIFY" and state != before:
        if state == "paid":
            return DomainEvent("PrizePaid", {**detail, "paid_at": _s(new, "paid_at"),
                                             "provider_ref": _s(new, "provider_ref")})
        if state == "failed":
            return DomainEvent("PrizePayoutFailed", {**detail,
                                                     "failed_at": _s(new, "failed_at"),
                                                     "last_error": _s(new, "last_error")})
    return None


def announce(event: dict[str, Any], context: Any) -> None:
    events = [e for e in (event_for(r) for r in event.get("Records", [])) if e is not None]
    if events:
        publisher.publish(events)
    logger.info("lottery events published", extra={"records": len(event.get("Records", [])),
                                                    "events": [e.detail_type for e in events]})


handler = instrument(announce)
