"""Announces the violators list's facts on the bus from the violators table's stream (the
outbox): ``ViolatorListed`` when a case is published, ``ViolatorRemoved`` when it leaves the
list. The mapping is :mod:`etax.violators.outbox`, the plumbing :mod:`etax.platform.outbox`."""

from __future__ import annotations

from etax.platform.outbox import Outbox
from etax.violators.outbox import SOURCE, event_for

outbox = Outbox(SOURCE, event_for)
publisher, handler = outbox.publisher, outbox.handler  # publisher: tests capture what it sends
