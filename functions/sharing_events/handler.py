"""Announces the bank–tax consents' moves on the bus from the sharing table's stream (the
outbox): asked for, authorised, rejected, revoked; the mapping is :mod:`etax.sharing.outbox`,
the plumbing :mod:`etax.platform.outbox`."""

from __future__ import annotations

from etax.platform.outbox import Outbox
from etax.sharing.outbox import SOURCE, event_for

outbox = Outbox(SOURCE, event_for)
publisher, handler = outbox.publisher, outbox.handler  # publisher: tests capture what it sends
