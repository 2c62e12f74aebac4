"""Announces each published version of a regulation on the bus
(``RegulationVersionPublished``) from the regulations table's stream (the outbox). The mapping
is :mod:`etax.regulations.outbox`, the plumbing :mod:`etax.platform.outbox`."""

from __future__ import annotations

from etax.platform.outbox import Outbox
from etax.regulations.outbox import SOURCE, event_for

outbox = Outbox(SOURCE, event_for)
publisher, handler = outbox.publisher, outbox.handler  # publisher: tests capture what it sends
