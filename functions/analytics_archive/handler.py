"""Every event of the bus into the analytical store's raw archive (docs/analytics.md): a
batch of the archive queue's messages is written as one S3 object per day, and the days
are marked for the compactor. A write that fails retries the whole batch (the objects are
named by their events: a retried batch rewrites the same objects)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from etax.analytics.archive import event_of
from etax.analytics.repository import DirtyDays
from etax.analytics.schemas import Event
from etax.analytics.service import archive
from etax.analytics.store import Store
from etax.platform.consumer import batch_consumer
from etax.platform.observability import instrument

store, days = Store(), DirtyDays()


def parse(body: str) -> Event:
    return event_of(json.loads(body))


def process(batch: Sequence[tuple[str, Event]]) -> tuple[list[str], Mapping[str, Any]]:
    written = archive([event for _, event in batch], store, days)
    return [], {"objects": written.objects, "events": written.events,
                "days": list(written.days)}


handler = instrument(batch_consumer("analytics archive", parse, process))
