"""Releases the open data sets (docs/open-data.md): every day, each closed month of the last
year not released yet; or invoked with ``{"month": "YYYY-MM"}``, that month if it is closed.
A month is released once and never rewritten."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb

from etax.analytics.archive import CHINA
from etax.analytics.open_data import closed, releasable
from etax.analytics.publication import publish
from etax.analytics.service import MONTH
from etax.analytics.store import Store
from etax.platform.observability import instrument, logger
from etax.platform.settings import required

store, public = Store(), Store(required("OPEN_DATA_BUCKET"))


def release(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    today = now.astimezone(CHINA).date()
    asked = event.get("month") if isinstance(event, dict) else None
    if asked is not None:
        if not isinstance(asked, str) or not MONTH.fullmatch(asked):
            return {"refused": "month: a month, YYYY-MM"}
        if not closed(asked, today):
            return {"refused": f"month: {asked} is not closed yet (released from the 6th "
                               "of the month after)"}
        months = [asked]
    else:
        months = releasable(today)
    connection = duckdb.connect()
    try:
        done = [r for month in months for r in publish(connection, store, public, month, now)]
    finally:
        connection.close()
    answer = {"releases": [{"dataset": r.dataset, "month": r.month, "cells": r.cells,
                            "suppressed": r.suppressed, "new": r.new} for r in done]}
    logger.info("open data released", extra=answer)
    return answer


handler = instrument(release)
