"""Announces invoice facts on the bus from the invoices table's stream (an outbox that cannot
be skipped). The mapping is :mod:`etax.invoices.outbox`, the plumbing
:mod:`etax.platform.outbox`."""

from __future__ import annotations

from etax.invoices.outbox import SOURCE, event_for
from etax.platform.outbox import Outbox

outbox = Outbox(SOURCE, event_for)
publisher, handler = outbox.publisher, outbox.handler  # publisher: tests capture what it sends
