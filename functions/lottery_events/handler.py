"""Announces lottery facts (a prize won, paid, its payout failed) on the bus from the draws
table's stream. The mapping is :mod:`etax.lottery.outbox`, the plumbing
:mod:`etax.platform.outbox`."""

from __future__ import annotations

from etax.lottery.outbox import SOURCE, event_for
from etax.platform.outbox import Outbox

outbox = Outbox(SOURCE, event_for)
publisher, handler = outbox.publisher, outbox.handler  # publisher: tests capture what it sends
