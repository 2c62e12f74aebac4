"""Invitations to rate a completed service (D12, 满意度评价): the events of an application
decided, a refund paid, a complaint answered and a consultation answered by an officer reach
this consumer from the bus; each makes one invitation for the person served (none twice, a
redelivered event makes nothing new) and announces it with the person's notice, delivered by
the notification fan-out."""

from __future__ import annotations

from etax.feedback.repository import FeedbackRepository
from etax.feedback.rules import Completed, completed
from etax.feedback.service import InvitationService
from etax.platform.aws import lazy
from etax.platform.consumer import bus_event, consumer
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.settings import required

publisher = EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), "tax.feedback")
service = InvitationService(FeedbackRepository(), publisher)


def parse(body: str) -> Completed | None:
    return completed(*bus_event(body))


def step(done: Completed | None, _receives: int) -> str:
    return "ignored" if done is None else service.invite(done)


handler = instrument(consumer(
    "feedback invitation", parse, step,
    describe=lambda done: {"service": done.kind if done else None}))
