"""Announces invoice supply facts on the bus from the supply table's stream (the outbox:
an application's state is written first, its event follows at least once). Each state an
application enters is one event; the decisions and the delivery carry a ``notification``
for the applicant. The mapping is :mod:`etax.supply.outbox`, the plumbing
:mod:`etax.platform.outbox`."""

from __future__ import annotations

from etax.platform.outbox import Outbox
from etax.supply.outbox import SOURCE, event_for

outbox = Outbox(SOURCE, event_for)
publisher, handler = outbox.publisher, outbox.handler  # publisher: tests capture what it sends
