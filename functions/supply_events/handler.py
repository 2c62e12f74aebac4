"""Announces invoice supply facts on the bus from the supply table's stream (the outbox:
an application's state is written first, its event follows at least once). Each state an
application enters is one event; the decisions and the delivery carry a ``notification``
for the applicant (the platform's notification contract)."""

from __future__ import annotations

from typing import Any

import boto3

from etax.platform.events import DomainEvent, EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.settings import required
from etax.supply.events import event_for

publisher = EventPublisher(boto3.client("events"), required("EVENT_BUS_NAME"), "tax.supply")


def announce(event: dict[str, Any], context: Any) -> None:
    events: list[DomainEvent] = [e for e in (event_for(r) for r in event.get("Records", []))
                                 if e is not None]
    if events:
        publisher.publish(events)
    logger.info("supply events published", extra={"records": len(event.get("Records", [])),
                                                   "events": [e.detail_type for e in events]})


handler = instrument(announce)
