"""Announces filing facts on the bus from the filing table's stream (an outbox that cannot be
skipped): a return filed, a payment confirmed. The mapping is :mod:`etax.filing.outbox`, the
plumbing :mod:`etax.platform.outbox`."""

from __future__ import annotations

from etax.filing.outbox import SOURCE, event_for
from etax.platform.outbox import Outbox

outbox = Outbox(SOURCE, event_for)
publisher, handler = outbox.publisher, outbox.handler  # publisher: tests capture what it sends
