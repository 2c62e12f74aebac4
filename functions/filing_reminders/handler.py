"""The daily reminder run (催报催缴), started by an EventBridge schedule: every obligation past
its deadline and not filed or not paid gets one ``FilingReminderIssued`` event a day.

The scheduled event runs for today (Asia/Shanghai); ``{"date": "YYYY-MM-DD"}`` as the input
runs for that day (operators, tests)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from typing import Any

from etax.filing.reminders import ReminderService
from etax.filing.repository import FilingRepository
from etax.platform.aws import lazy
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.settings import required
from etax.rules.dates import business_date

publisher = EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), "tax.filing")
service = ReminderService(
    FilingRepository(),
    publisher,
    page_size=int(os.environ.get("REMINDER_PAGE_SIZE", "500")),
)


def run(event: dict[str, Any], context: Any) -> dict[str, object]:
    given = event.get("date") if isinstance(event, dict) else None
    day = date.fromisoformat(given) if isinstance(given, str) else business_date(
        datetime.now(UTC))
    calls = publisher.calls
    summary = service.run(day).as_dict()
    logger.info("reminders sent", extra={**summary, "put_events_calls": publisher.calls - calls})
    return summary


handler = instrument(run)
