"""The annual credit evaluation run, started by an EventBridge schedule once a year (1 April:
the measures evaluate the year before and publish its results in April,
sources.md#credit): the run of the previous year by the platform's clock, ``annual-<year>``,
once — a second start (a retried delivery, an operator) finds the run and sends nothing.

An operator's direct invoke may name ``{"year": 2026}`` (a year missed); the same run id keeps
it once."""

from __future__ import annotations

from typing import Any

from etax.acceptance.registration.records import RegistrationRecord
from etax.credit.repository import CreditRepository
from etax.credit.service import CreditService
from etax.filing.repository import Obligation
from etax.platform.observability import instrument, logger
from etax.platform.queues import WorkQueue


class _Unread:
    """Starting a run reads no obligation and no registration (the run's worker does)."""

    def obligations_of(self, taxpayer: str) -> list[Obligation]:
        raise AssertionError("starting a run reads no obligation")

    def get(self, credit_code: str) -> RegistrationRecord | None:
        raise AssertionError("starting a run reads no registration")

    def segment(self, segment: int, segments: int, start: dict[str, Any] | None,
                limit: int) -> tuple[list[RegistrationRecord], dict[str, Any] | None]:
        raise AssertionError("starting a run reads no registration")


service = CreditService(CreditRepository(), _Unread(), _Unread(),
                        fanout=WorkQueue("CREDIT_RUN_QUEUE_URL"))


def run(event: dict[str, Any], context: Any) -> dict[str, object]:
    given = event.get("year") if isinstance(event, dict) else None
    started = service.start_annual(given if isinstance(given, int) else None)
    summary: dict[str, object] = {"run": started.id, "year": started.year,
                                  "started_at": started.started_at}
    logger.info("annual credit run", extra=summary)
    return summary


handler = instrument(run)
