"""Publishing domain events to the platform's EventBridge bus.

Conventions (DESIGN.md § Events): ``source`` is ``tax.<context>``,
``detail-type`` a past-tense fact (``RegistrationChanged``), and ``detail``
carries ``schema_version`` and ``occurred_at``. ``PutEvents`` takes at most ten
entries, and a call can succeed while some entries fail
(``FailedEntryCount``): the publisher sends in batches of ten, retries only
the failed entries with backoff, and raises :class:`PublishError` naming what
could not be sent, so no event is silently dropped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

MAX_ENTRIES_PER_CALL = 10


@dataclass(frozen=True, slots=True)
class DomainEvent:
    detail_type: str
    detail: dict[str, Any]
    schema_version: int = 1
    resources: tuple[str, ...] = ()
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))


class Publisher(Protocol):
    """What a service publishes its events through (an :class:`EventPublisher`, a fake)."""

    def publish(self, events: Sequence[DomainEvent]) -> None: ...


class PublishError(Exception):
    def __init__(self, failed: list[dict[str, Any]]) -> None:
        codes = sorted({str(f.get("ErrorCode")) for f in failed})
        super().__init__(f"{len(failed)} event(s) not accepted by EventBridge: {', '.join(codes)}")
        self.failed = failed


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def batched[T](items: Sequence[T], size: int) -> Iterable[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class EventPublisher:
    """Sends domain events of one source to one bus."""

    def __init__(
        self,
        client: Any,
        bus_name: str,
        source: str,
        *,
        attempts: int = 3,
        backoff_seconds: float = 0.1,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not source.startswith("tax."):
            raise ValueError("event sources are named tax.<context>")
        self.client = client
        self.bus_name = bus_name
        self.source = source
        self.attempts = attempts
        self.backoff_seconds = backoff_seconds
        self.sleep = sleep
        self.calls = 0

    def entry(self, event: DomainEvent) -> dict[str, Any]:
        detail = {
            "schema_version": event.schema_version,
            "occurred_at": event.occurred_at.isoformat(),
            **event.detail,
        }
        entry: dict[str, Any] = {
            "EventBusName": self.bus_name,
            "Source": self.source,
            "DetailType": event.detail_type,
            "Detail": json.dumps(detail, default=_json_default, ensure_ascii=False),
            "Time": event.occurred_at,
        }
        if event.resources:
            entry["Resources"] = list(event.resources)
        return entry

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Send every event, ten per call; raise PublishError if some could not be sent."""
        failed: list[dict[str, Any]] = []
        for batch in batched([self.entry(e) for e in events], MAX_ENTRIES_PER_CALL):
            failed.extend(self._send(list(batch)))
        if failed:
            raise PublishError(failed)

    def _send(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        pending = entries
        for attempt in range(self.attempts):
            if attempt:
                self.sleep(self.backoff_seconds * 2 ** (attempt - 1))
            self.calls += 1
            answer = self.client.put_events(Entries=pending)
            if not answer.get("FailedEntryCount"):
                return []
            results = answer["Entries"]
            pending = [e for e, r in zip(pending, results, strict=True) if r.get("ErrorCode")]
            last_errors = [r for r in results if r.get("ErrorCode")]
        return [
            {"DetailType": e["DetailType"], **r}
            for e, r in zip(pending, last_errors, strict=True)
        ]
