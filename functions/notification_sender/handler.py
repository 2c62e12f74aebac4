"""A channel sender: the messages of one channel's queue (``NOTIFICATION_CHANNEL``: sms,
wechat, email or app; the same code runs once per channel) → that channel's provider →
the delivery marked ``sent`` on the recipient's inbox entry. A message the provider refused
is reported alone (``batchItemFailures``); after the last receive the delivery is
``failed`` and the message rests in this channel's dead-letter queue, never holding up
another channel (``scripts/redrive.py`` sends it back)."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from etax.notifications.messages import ChannelMessage
from etax.notifications.providers import ProviderError
from etax.notifications.repository import NotificationsRepository
from etax.notifications.service import ChannelSender
from etax.platform.observability import instrument, logger
from etax.platform.settings import required
from etax.simulations.channels import simulated_adapter

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
CHANNEL = required("NOTIFICATION_CHANNEL")
sender = ChannelSender(
    NotificationsRepository(),
    simulated_adapter(CHANNEL, boto3.client("dynamodb"), required("NOTIFICATION_LEDGER_TABLE")),
    max_receives=int(os.environ.get("SENDER_MAX_RECEIVES", "3")),
)


def deliver(record: SQSRecord) -> None:
    message = ChannelMessage.from_body(json.loads(record.body))
    receives = int(record.attributes.approximate_receive_count or "1")
    try:
        state = sender.deliver(message, receives)
    except ProviderError as error:
        logger.warning("delivery failed", extra={"delivery_id": message.delivery_id,
                                                  "receives": receives, "error": str(error)})
        raise
    logger.info("delivered", extra={"delivery_id": message.delivery_id, "state": state})


def consume(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=deliver, processor=processor,
                                    context=context)


handler = instrument(consume)
