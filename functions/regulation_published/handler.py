"""The knowledge board's reaction to each ``RegulationVersionPublished`` (rule → queue → here):
the articles citing a provision an officer's version amended or repealed are flagged for review
(:class:`etax.knowledge.keeping.Keeper`), then every subscriber of the work is notified
(:class:`etax.knowledge.keeping.Fanout`: ``RegulationChangeNotified`` events in the notification
contract, one per subscriber). Both steps are idempotent, so a message received again (the
fan-out failed half-way) redoes nothing twice: the flags are conditional writes, the notices'
ids are per subscriber and version."""

from __future__ import annotations

from typing import Any

from etax.knowledge.keeping import SOURCE, Fanout, Keeper
from etax.knowledge.repository import KnowledgeRepository
from etax.knowledge.subscriptions import SubscriptionRepository
from etax.platform.aws import lazy
from etax.platform.consumer import consumer, detail_of
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.settings import required
from etax.regulations.repository import RegulationRepository

regulations = RegulationRepository()
keeper = Keeper(KnowledgeRepository(), regulations)
fanout = Fanout(SubscriptionRepository(), regulations,
                EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), SOURCE))


def react(detail: dict[str, Any], _receives: int) -> str:
    return f"{keeper.on_published(detail)}; {fanout.on_published(detail)}"


handler = instrument(consumer(
    "regulation_published", detail_of, react,
    describe=lambda d: {"work_id": d.get("work_id"), "version": d.get("version")}))
