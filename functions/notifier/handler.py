"""The notifier: events carrying a ``notification`` (EventBridge rule → SQS, up to 250 a
batch) → the recipient's preferences → the inbox entry (once per id) → one message per
chosen channel on that channel's queue (SendMessageBatch, ten per call, the messages of the
whole batch together). A record whose entry or channel messages could not be written is
reported alone in ``batchItemFailures`` and retried; after three receives it rests in the
dead-letter queue."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from etax.notifications import CHANNELS
from etax.notifications.contract import EventNotification, from_event
from etax.notifications.repository import NotificationsRepository
from etax.notifications.service import Notifier
from etax.platform.aws import lazy
from etax.platform.consumer import batch_consumer, json_body
from etax.platform.observability import instrument
from etax.platform.queues import QueueSender
from etax.platform.settings import required

queue_sender = QueueSender(lazy("sqs"))
notifier = Notifier(
    NotificationsRepository(),
    queue_sender,
    {channel: required(f"{channel.upper()}_QUEUE_URL") for channel in CHANNELS},
)


def notify(batch: Sequence[tuple[str, EventNotification]]) -> tuple[list[str], dict[str, Any]]:
    calls, sent = queue_sender.calls, queue_sender.sent
    outcomes, retry = notifier.process(batch)
    return retry, {"new": sum(o.created for o in outcomes),
                   "channel_messages": sum(len(o.queued) for o in outcomes),
                   "send_message_batch_calls": queue_sender.calls - calls,
                   "messages_sent": queue_sender.sent - sent}


handler = instrument(batch_consumer(
    "notifications", lambda body: from_event(json_body(body)), notify))
