"""Announces application state changes on the bus from the acceptance table's stream (an
outbox that cannot be skipped: a transition writes its trail entry in the same transaction,
the stream delivers it at least once). Each event carries the applicant's notification,
whose stable id lets the push fan-out deliver it once however often it is announced. The
mapping is :mod:`etax.acceptance.outbox`, the plumbing :mod:`etax.platform.outbox`."""

from __future__ import annotations

from etax.acceptance.outbox import SOURCE, event_for
from etax.platform.outbox import Outbox

outbox = Outbox(SOURCE, event_for)
publisher, handler = outbox.publisher, outbox.handler  # publisher: tests capture what it sends
