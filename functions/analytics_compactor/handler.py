"""Compacts the analytical store's dirty days into the tables' Parquet partitions (on its
schedule, or invoked with ``{"days": ["YYYY-MM-DD", ...]}`` to compact those days again,
e.g. after a table's mapping was fixed): docs/analytics.md."""

from __future__ import annotations

from datetime import date
from typing import Any

import duckdb

from etax.analytics.repository import DirtyDays
from etax.analytics.service import Compacted, compact_day, compact_pending
from etax.analytics.store import Store
from etax.platform.observability import instrument, logger

store, days = Store(), DirtyDays()


def report(done: list[Compacted]) -> dict[str, Any]:
    for day in done:
        if day.refused or day.damaged_lines:
            logger.warning("analytics compaction left events out", extra={
                "day": day.day, "refused": day.refused, "damaged_lines": day.damaged_lines})
    return {"days": [{"day": d.day, "events": d.events, "rows": d.rows,
                      "duplicates": d.duplicates, "files_written": d.files_written,
                      "files_removed": d.files_removed} for d in done]}


def compact(event: dict[str, Any], _context: Any) -> dict[str, Any]:
    connection = duckdb.connect()
    try:
        asked = event.get("days") if isinstance(event, dict) else None
        if isinstance(asked, list) and asked:
            chosen = sorted({date.fromisoformat(str(d)).isoformat() for d in asked})
            done = [compact_day(day, store, connection) for day in chosen]
        else:
            done = compact_pending(store, days, connection)
    finally:
        connection.close()
    answer = report(done)
    logger.info("analytics compaction ran", extra=answer)
    return answer


handler = instrument(compact)
