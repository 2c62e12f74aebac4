"""The daily removal run of the violators list, started by an EventBridge schedule: every
entry whose publication period has ended leaves the list (one Query of the sparse ``by_end``
index; the outbox announces each removal).

The scheduled event runs for today (Asia/Shanghai); ``{"date": "YYYY-MM-DD"}`` as the input
runs for that day (operators, tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from etax.platform.observability import instrument, logger
from etax.rules.dates import business_date
from etax.violators.repository import ViolatorRepository
from etax.violators.service import ViolatorService


class _NoRegistry:
    def get(self, credit_code: str) -> None:
        return None


service = ViolatorService(ViolatorRepository(), _NoRegistry())


def run(event: dict[str, Any], context: Any) -> dict[str, object]:
    given = event.get("date") if isinstance(event, dict) else None
    day = date.fromisoformat(given) if isinstance(given, str) else business_date(
        datetime.now(UTC))
    summary = service.expire(day)
    logger.info("violators removed", extra={"day": summary.day, "removed": summary.removed})
    return {"day": summary.day, "removed": summary.removed}


handler = instrument(run)
