"""The risk indicators' monthly run, started by an EventBridge schedule each day
(docs/risk.md#the-watch-list): the month whose VAT returns were due before today
(Asia/Shanghai, the filing calendar's deadline) is run once — its cases opened and their
taxpayers warned —; on the other days of the month the run is found and nothing is done.

An operator's direct invoke may name ``{"month": "2026-10"}`` (a month run again: a case
open already is kept as it is, a new warning opens its case)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import duckdb

from etax.analytics.archive import CHINA
from etax.analytics.reports import Reports
from etax.analytics.repository import IssuingQuotas, RiskCases
from etax.analytics.service import checked_month
from etax.analytics.store import Store
from etax.analytics.watchlist import SOURCE, Watchlist
from etax.platform.aws import lazy
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.settings import required

watchlist = Watchlist(RiskCases(), EventPublisher(lazy("events"), required("EVENT_BUS_NAME"),
                                                  SOURCE))
reports = Reports(Store(), duckdb.connect, quotas=IssuingQuotas().of)


def run(event: dict[str, Any], context: Any) -> dict[str, object]:
    given = event.get("month") if isinstance(event, dict) else None
    month = (checked_month(given, "month") if given is not None
             else watchlist.due(datetime.now(CHINA).date()))
    if month is None:
        logger.info("risk indicators: this month's run is done")
        return {"month": None}
    done = watchlist.run(month, reports.warnings_of(month))
    summary: dict[str, object] = {"month": done.month, "warnings": done.warnings,
                                  "opened": done.opened, "announced": done.announced}
    logger.info("risk indicators run", extra=summary)
    return summary


handler = instrument(run)
