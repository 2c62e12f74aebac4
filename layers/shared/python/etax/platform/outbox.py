"""The outbox kit: a table's stream → domain events on the bus, given a context's mapping.

A context that announces its facts from its table's stream (the outbox: a fact is published
because it was written, never instead) writes one pure function in ``<context>/outbox.py``::

    SOURCE = "tax.<context>"

    def event_for(change: Change) -> DomainEvent | None: ...

and its ``functions/<context>_events/handler.py`` is wiring only::

    outbox = Outbox(SOURCE, event_for)
    publisher, handler = outbox.publisher, outbox.handler

The kit reads each stream record once into a :class:`Change` (the event name and both
images deserialized, numbers as :class:`~decimal.Decimal`), runs the mapping(s) on it (a
mapping answers one event, several, or ``None``) and publishes what they answer, in record
order, through the platform's :class:`~etax.platform.events.EventPublisher` (ten entries per
call, failed entries retried). A batch without events publishes nothing.

Failures: the batch fails whole. If some event cannot be published
(:class:`~etax.platform.events.PublishError`) or a mapping raises, the invocation raises; the
event source mapping (``infra/platform/events.py`` ``StreamOutbox``) bisects the batch,
retries it and parks what still fails in a queue with an alarm. A retried batch may announce
a fact twice, so every consumer is idempotent on the fact's id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from etax.platform.aws import lazy
from etax.platform.events import DomainEvent, EventPublisher, Publisher
from etax.platform.observability import Handler, announced, instrument, logger
from etax.platform.settings import required

_deserializer = TypeDeserializer()


def deserialize(image: Mapping[str, Any] | None) -> dict[str, Any]:
    """A stream image (DynamoDB's typed attribute values) as plain values."""
    return {name: _deserializer.deserialize(value) for name, value in (image or {}).items()}


def text(item: Mapping[str, Any], name: str) -> str | None:
    """``item[name]`` if it is a string; None if it is absent, null or of another type."""
    value = item.get(name)
    return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Change:
    """One record of a table's stream: ``name`` is ``INSERT``, ``MODIFY`` or ``REMOVE``;
    ``new`` and ``old`` the item after and before (empty where the record has none)."""

    name: str
    new: dict[str, Any] = field(default_factory=dict)
    old: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> Change:
        images = record.get("dynamodb") or {}
        return cls(name=str(record.get("eventName") or ""),
                   new=deserialize(images.get("NewImage")),
                   old=deserialize(images.get("OldImage")))


EventMapping = Callable[[Change], DomainEvent | Iterable[DomainEvent] | None]


def events_for(records: Iterable[Mapping[str, Any]],
               mappings: Sequence[EventMapping]) -> list[DomainEvent]:
    """The events the mappings answer for the records, in record order, then mapping order."""
    events: list[DomainEvent] = []
    for record in records:
        change = Change.of(record)
        for mapping in mappings:
            answer = mapping(change)
            if answer is None:
                continue
            if isinstance(answer, DomainEvent):
                events.append(answer)
            else:
                events.extend(answer)
    return events


class Outbox:
    """The stream function of one context: ``handler`` is its Lambda entry point
    (:meth:`announce` with the platform's logging and metrics)."""

    def __init__(self, source: str, *mappings: EventMapping,
                 publisher: Publisher | None = None) -> None:
        if not mappings:
            raise ValueError("an outbox needs at least one mapping")
        self.source = source
        self.mappings = mappings
        self.publisher: Publisher = publisher if publisher is not None else _bus(source)
        self.handler: Handler = instrument(self.announce)

    def announce(self, event: Mapping[str, Any], context: Any) -> None:
        records = event.get("Records") or []
        events = events_for(records, self.mappings)
        if events:
            self.publisher.publish(events)
        for published in events:  # the bus took them: count them (business metrics)
            announced(published.detail_type, published.detail)
        logger.info("events published", extra={"source": self.source, "records": len(records),
                                               "events": [e.detail_type for e in events]})


def _bus(source: str) -> EventPublisher:
    return EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), source)
