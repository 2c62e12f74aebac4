"""Announces each article flagged for review or reviewed on the bus
(``KnowledgeArticleChanged``) from the knowledge table's stream (the outbox). The mapping is
:mod:`etax.knowledge.outbox`, the plumbing :mod:`etax.platform.outbox`."""

from __future__ import annotations

from etax.knowledge.outbox import SOURCE, event_for
from etax.platform.outbox import Outbox

outbox = Outbox(SOURCE, event_for)
publisher, handler = outbox.publisher, outbox.handler  # publisher: tests capture what it sends
