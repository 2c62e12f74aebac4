"""Announces application state changes on the bus from the acceptance table's stream (an
outbox that cannot be skipped: a transition writes its trail entry in the same transaction,
the stream delivers it at least once). Each event carries the applicant's notification,
whose stable id lets the push fan-out deliver it once however often it is announced."""

from __future__ import annotations

from typing import Any

import boto3

from etax.acceptance.announcements import event_for
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.settings import required

publisher = EventPublisher(boto3.client("events"), required("EVENT_BUS_NAME"), "tax.acceptance")


def announce(event: dict[str, Any], context: Any) -> None:
    events = [e for e in (event_for(r) for r in event.get("Records", [])) if e is not None]
    if events:
        publisher.publish(events)
    logger.info("acceptance events published",
                extra={"records": len(event.get("Records", [])),
                       "events": [e.detail_type for e in events]})


handler = instrument(announce)
