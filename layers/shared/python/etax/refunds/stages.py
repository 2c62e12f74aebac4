"""What every stage consumer of the refund pipeline shares: read the case id from the
EventBridge event in the SQS message, run the stage, report failed records one by one
(Powertools ``BatchProcessor``: only those are retried, and after the queue's last receive a
message rests in its dead-letter queue)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from etax.platform.observability import logger


class PoisonedMessage(ValueError):
    """The message names no case: it can only end in the dead-letter queue."""


def case_id_of(body: str) -> str:
    try:
        event = json.loads(body)
        case_id = event["detail"]["case_id"]
    except (ValueError, KeyError, TypeError) as error:
        raise PoisonedMessage(f"not a refund event: {error!r}") from None
    if not isinstance(case_id, str) or not case_id:
        raise PoisonedMessage("the event's case_id is not a string")
    return case_id


def stage_consumer(name: str, step: Callable[[str], str]
                   ) -> Callable[[dict[str, Any], Any], PartialItemFailureResponse]:
    """The Lambda entry point of stage ``name`` running ``step(case_id)`` per message."""
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)

    def handle(record: SQSRecord) -> None:
        case_id = case_id_of(record.body)
        try:
            state = step(case_id)
        except Exception as error:
            logger.warning("refund stage failed", extra={
                "stage": name, "case_id": case_id, "error": str(error),
                "receives": record.attributes.approximate_receive_count})
            raise
        logger.info("refund stage ran", extra={"stage": name, "case_id": case_id,
                                               "state": state})

    def consume(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
        return process_partial_response(event=event, record_handler=handle,
                                        processor=processor, context=context)

    return consume
