"""Announces each complaint or report answered on the bus (``ComplaintAnswered``) from the
complaints table's stream (the outbox). The mapping is :mod:`etax.complaints.outbox`, the
plumbing :mod:`etax.platform.outbox`."""

from __future__ import annotations

from etax.complaints.outbox import SOURCE, event_for
from etax.platform.outbox import Outbox

outbox = Outbox(SOURCE, event_for)
publisher, handler = outbox.publisher, outbox.handler  # publisher: tests capture what it sends
