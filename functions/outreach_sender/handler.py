"""A mailing's delivery (information on demand, D15): each message is one page of one segment
partition (``{"mailing_id", "part", "cursor"}``), queued by the mailing route and then by this
function itself for the next page; each person once and under the weekly cap, as a
notification event for the fan-out (ADR 0012); after the last page the mailing is closed with
its counts."""

from __future__ import annotations

import json

from etax.outreach.repository import OutreachRepository
from etax.outreach.service import SOURCE, MailingSender
from etax.platform.aws import lazy
from etax.platform.consumer import consumer
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.queues import WorkQueue
from etax.platform.settings import required

sender = MailingSender(
    OutreachRepository(),
    EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), SOURCE),
    WorkQueue("OUTREACH_QUEUE_URL"))

handler = instrument(consumer(
    "outreach_sender", json.loads, lambda message, _receives: sender.step(message),
    describe=lambda message: {"mailing_id": message.get("mailing_id"),
                              "part": message.get("part")}))
