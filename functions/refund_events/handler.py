"""Announces refund facts on the bus from the refunds table's stream (the outbox: a state
change and the event announcing it cannot diverge). See :mod:`etax.refunds.outbox`."""

from __future__ import annotations

from typing import Any

import boto3

from etax.platform.events import EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.settings import required
from etax.refunds.outbox import SOURCE, event_for

publisher = EventPublisher(boto3.client("events"), required("EVENT_BUS_NAME"), SOURCE)


def announce(event: dict[str, Any], context: Any) -> None:
    events = [e for e in (event_for(r) for r in event.get("Records", [])) if e is not None]
    if events:
        publisher.publish(events)
    logger.info("refund events published", extra={"records": len(event.get("Records", [])),
                                                   "events": [e.detail_type for e in events]})


handler = instrument(announce)
