"""The outbound feed (plan action D14, docs/sharing.md#the-outbound-feed): each fact of the bus
a partner department is entitled to, listed on its feed once however often delivered."""

from __future__ import annotations

from typing import Any

from etax.platform.consumer import PoisonedMessage, json_body
from etax.platform.consumer import consumer as make_consumer
from etax.platform.observability import instrument
from etax.sharing.outbound import FeedLister
from etax.sharing.repository import FeedRepository

feed = FeedLister(FeedRepository())


def fact_of(body: str) -> dict[str, Any]:
    envelope = json_body(body)
    if not isinstance(envelope, dict) or not isinstance(envelope.get("detail"), dict) or not all(
            isinstance(envelope.get(k), str) and envelope[k]
            for k in ("id", "source", "detail-type", "time")):
        raise PoisonedMessage("not an event of the bus")
    return envelope


handler = instrument(make_consumer(
    "department feed", fact_of,
    lambda e, _receives: feed.deliver(e["id"], e["source"], e["detail-type"], e["time"],
                                      e["detail"]) or None,
    describe=lambda e: {"event_id": e["id"], "detail_type": e["detail-type"]}))
