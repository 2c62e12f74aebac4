"""The tax school's reminder run, started hourly by an EventBridge schedule: each seated
person of a session starting within the next day is reminded once, through the notification
fan-out (etax.school.service.Reminders)."""

from __future__ import annotations

from typing import Any

from etax.platform.aws import lazy
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.settings import required
from etax.school.repository import SchoolRepository
from etax.school.service import Reminders

reminders = Reminders(SchoolRepository(),
                      EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), "tax.school"))


def run(event: dict[str, Any], context: Any) -> dict[str, int]:
    reminded = reminders.run()
    logger.info("school reminders sent", extra={"reminded": reminded})
    return {"reminded": reminded}


handler = instrument(run)
