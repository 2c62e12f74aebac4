"""The daily revenue briefing (docs/analytics.md#the-daily-briefing), started by an
EventBridge schedule each morning: yesterday's collections (Asia/Shanghai), the month's and
the year's so far and the year's plan progress, to the inbox of every officer subscribed to
their office's briefing (``PUT /v1/analytics/briefings/me``). A second run of a day reaches
each inbox once (the notification's id is the office's and the day's).

An operator's direct invoke may name ``{"day": "2026-12-05"}`` (a day briefed again)."""

from __future__ import annotations

import contextlib
import re
from datetime import date
from typing import Any

import duckdb

from etax.analytics.desk import RevenueDesk
from etax.analytics.reports import Reports
from etax.analytics.repository import BriefingSubscriptions, RevenuePlans
from etax.analytics.store import Store
from etax.analytics.watchlist import SOURCE
from etax.errors import Invalid
from etax.platform.aws import lazy
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.settings import required

DAY = re.compile(r"20[0-9]{2}-[01][0-9]-[0-3][0-9]")
store = Store()
desk = RevenueDesk(Reports(store, duckdb.connect), store, duckdb.connect, RevenuePlans(),
                   BriefingSubscriptions(),
                   EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), SOURCE))


def checked_day(value: object) -> date:
    if isinstance(value, str) and DAY.fullmatch(value):
        with contextlib.suppress(ValueError):
            return date.fromisoformat(value)
    raise Invalid("a day, YYYY-MM-DD", field="day")


def run(event: dict[str, Any], context: Any) -> dict[str, object]:
    given = event.get("day") if isinstance(event, dict) else None
    done = desk.brief(checked_day(given) if given is not None else None)
    summary: dict[str, object] = {"day": done.day, "offices": done.offices,
                                  "notifications": done.notifications}
    logger.info("revenue briefing sent", extra=summary)
    return summary


handler = instrument(run)
