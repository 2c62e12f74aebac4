"""The daily escalation run of complaints and reports (D12), started by an EventBridge
schedule: every case still open after its deadline is escalated once and announced.

The run's day is the scheduled event's own ``time`` (EventBridge sets it), as a date in
Asia/Shanghai; an operator's direct invoke may give another ``time`` (tests run a day far
ahead). Without a ``time`` the run is for today."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from etax.complaints.escalation import EscalationService
from etax.complaints.repository import ComplaintsRepository
from etax.platform.aws import lazy
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.settings import required
from etax.rules.dates import business_date

publisher = EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), "tax.complaints")
service = EscalationService(ComplaintsRepository(), publisher)


def run(event: dict[str, Any], context: Any) -> dict[str, object]:
    given = event.get("time") if isinstance(event, dict) else None
    when = (datetime.fromisoformat(given.replace("Z", "+00:00")) if isinstance(given, str)
            else datetime.now(UTC))
    summary = asdict(service.run(business_date(when)))
    logger.info("complaints escalated", extra=summary)
    return summary


handler = instrument(run)
