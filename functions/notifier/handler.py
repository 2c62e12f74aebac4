"""The notifier: events carrying a ``notification`` (EventBridge rule → SQS, up to 250 a
batch) → the recipient's preferences → the inbox entry (once per id) → one message per
chosen channel on that channel's queue (SendMessageBatch, ten per call, the messages of the
whole batch together). A record whose entry or channel messages could not be written is
reported alone in ``batchItemFailures`` and retried; after three receives it rests in the
dead-letter queue."""

from __future__ import annotations

import json
from typing import Any

import boto3

from etax.notifications import CHANNELS
from etax.notifications.contract import EventNotification, from_event
from etax.notifications.repository import NotificationsRepository
from etax.notifications.service import Notifier
from etax.platform.observability import instrument, logger
from etax.platform.queues import QueueSender
from etax.platform.settings import required

queue_sender = QueueSender(boto3.client("sqs"))
notifier = Notifier(
    NotificationsRepository(),
    queue_sender,
    {channel: required(f"{channel.upper()}_QUEUE_URL") for channel in CHANNELS},
)


def consume(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    batch: list[tuple[str, EventNotification]] = []
    failed: list[str] = []
    for record in event.get("Records", []):
        message_id = record["messageId"]
        try:
            batch.append((message_id, from_event(json.loads(record["body"]))))
        except (ValueError, KeyError, TypeError) as error:  # a malformed event: dead-lettered
            logger.error("not a notification event", extra={"message_id": message_id,
                                                              "error": str(error)[:500]})
            failed.append(message_id)
    calls, sent = queue_sender.calls, queue_sender.sent
    outcomes, retry = notifier.process(batch) if batch else ([], [])
    logger.info("notifications handled", extra={
        "received": len(batch), "new": sum(o.created for o in outcomes),
        "channel_messages": sum(len(o.queued) for o in outcomes),
        "send_message_batch_calls": queue_sender.calls - calls,
        "messages_sent": queue_sender.sent - sent,
        "failed": len(failed) + len(retry)})
    return {"batchItemFailures": [{"itemIdentifier": i} for i in failed + retry]}


handler = instrument(consume)
