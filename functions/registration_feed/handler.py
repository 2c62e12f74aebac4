"""The registration feed consumer (SQS): applies the market-supervision department's records
to the registry, one message per record, reporting failed records one by one."""

from __future__ import annotations

import json
from typing import Any

import boto3
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from etax.platform.events import EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.settings import required
from etax.registration.feed import FeedRecord
from etax.registration.repository import RegistryRepository
from etax.registration.service import RegistrationService

processor = BatchProcessor(event_type=EventType.SQS)
service = RegistrationService(
    RegistryRepository(),
    EventPublisher(boto3.client("events"), required("EVENT_BUS_NAME"), "tax.registration"),
)


def apply(record: SQSRecord) -> None:
    """One feed record; a bad record raises, so only it is retried and then dead-lettered."""
    feed_record = FeedRecord.model_validate(json.loads(record.body))
    changed = service.apply_feed_record(feed_record)
    logger.info("feed record applied", extra={"credit_code": feed_record.credit_code,
                                               "revision": feed_record.revision,
                                               "changed": changed})


def consume(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=apply, processor=processor, context=context
    )


handler = instrument(consume)
