"""Notifies the subscribers of a work of each version an officer publishes
(``RegulationVersionPublished`` → queue → here → ``RegulationChangeNotified`` events in the
notification contract, one per subscriber; :class:`etax.knowledge.keeping.Fanout`)."""

from __future__ import annotations

from etax.knowledge.keeping import SOURCE, Fanout
from etax.knowledge.subscriptions import SubscriptionRepository
from etax.platform.aws import lazy
from etax.platform.consumer import consumer, detail_of
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.settings import required
from etax.regulations.repository import RegulationRepository

publisher = EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), SOURCE)
fanout = Fanout(SubscriptionRepository(), RegulationRepository(), publisher)
handler = instrument(consumer(
    "regulation_subscribers", detail_of, lambda detail, _receives: fanout.on_published(detail),
    describe=lambda d: {"work_id": d.get("work_id"), "version": d.get("version")}))
