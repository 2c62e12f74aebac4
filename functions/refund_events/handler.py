"""Announces refund facts on the bus from the refunds table's stream (the outbox: a state
change and the event announcing it cannot diverge). The mapping is :mod:`etax.refunds.outbox`,
the plumbing :mod:`etax.platform.outbox`."""

from __future__ import annotations

from etax.platform.outbox import Outbox
from etax.refunds.outbox import SOURCE, event_for

outbox = Outbox(SOURCE, event_for)
publisher, handler = outbox.publisher, outbox.handler  # publisher: tests capture what it sends
