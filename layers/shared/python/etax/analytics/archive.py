"""The raw archive: every event of the bus, as it was delivered, in S3.

The archive's consumer receives the bus's events in batches (an SQS queue behind a rule) and
writes each batch's events as JSON lines, one object per Asia/Shanghai day of the events'
times::

    raw/date=<YYYY-MM-DD>/<digest of the batch's event ids>.jsonl

The object's name is a digest of the ids it holds, so a batch delivered again writes the same
object again (no copy); an event delivered in two different batches is in two objects, and
the compaction keeps it once (:mod:`etax.analytics.compaction`). Each day written is marked
dirty, for the compactor.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any, Final

from etax.analytics.schemas import Event

RAW_PREFIX: Final = "raw/"
CHINA: Final = timezone(timedelta(hours=8), "Asia/Shanghai")


class NotAnEvent(ValueError):
    """A message that is not an EventBridge event of the platform."""


def event_of(envelope: Mapping[str, Any]) -> Event:
    """The event of an EventBridge envelope (as the bus delivers it), or NotAnEvent."""
    try:
        event = Event(str(envelope["id"]), str(envelope["source"]),
                      str(envelope["detail-type"]), str(envelope["time"]),
                      envelope["detail"])
    except (KeyError, TypeError) as error:
        raise NotAnEvent(f"not an event: {error!r}") from None
    if not isinstance(event.detail, Mapping) or not event.source.startswith("tax."):
        raise NotAnEvent("an event of the platform has a tax.* source and a detail object")
    day_of(event.time)
    return event


def day_of(time: str) -> str:
    """The Asia/Shanghai day (``YYYY-MM-DD``) of an event's time (ISO 8601, UTC)."""
    try:
        moment = datetime.fromisoformat(time.replace("Z", "+00:00"))
    except ValueError:
        raise NotAnEvent(f"an event's time is ISO 8601, not {time!r}") from None
    if moment.tzinfo is None:
        raise NotAnEvent("an event's time has its offset")
    return moment.astimezone(CHINA).date().isoformat()


def envelope_of(event: Event) -> dict[str, Any]:
    return {"id": event.id, "source": event.source, "detail-type": event.detail_type,
            "time": event.time, "detail": dict(event.detail)}


def by_day(events: Iterable[Event]) -> dict[str, list[Event]]:
    days: dict[str, list[Event]] = {}
    for event in events:
        days.setdefault(day_of(event.time), []).append(event)
    return days


def raw_key(day: str, events: Sequence[Event]) -> str:
    digest = hashlib.sha256("\n".join(sorted(e.id for e in events)).encode()).hexdigest()
    return f"{RAW_PREFIX}date={day}/{digest[:32]}.jsonl"


def raw_day_prefix(day: str) -> str:
    return f"{RAW_PREFIX}date={day}/"


def lines_of(events: Sequence[Event]) -> bytes:
    return "".join(json.dumps(envelope_of(e), ensure_ascii=False, sort_keys=True) + "\n"
                   for e in events).encode()


def events_in(body: bytes) -> tuple[list[Event], int]:
    """The events of one raw object, and how many lines were not events (the archive writes
    only events: such a line is damage, counted and logged by the compactor, not data)."""
    found, damaged = [], 0
    for line in body.decode(errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            found.append(event_of(json.loads(line)))
        except (ValueError, NotAnEvent):
            damaged += 1
    return found, damaged
