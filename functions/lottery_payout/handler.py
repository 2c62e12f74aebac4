"""The payout worker: ``PrizeWon`` messages (EventBridge rule → SQS) → the payment provider
of the method the person chose → the draw's payout state ``paid`` (→ ``PrizePaid`` through
the draws table's stream). A failed record is reported alone (``batchItemFailures``) and
hidden for a backoff that doubles with each receive; after the last receive the draw is
``failed`` and the message rests in the dead-letter queue (``scripts/redrive.py`` sends it
back)."""

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

from etax.lottery.payout import PayoutService, backoff_seconds
from etax.lottery.providers import ProviderError
from etax.lottery.repository import LotteryRepository
from etax.platform.observability import instrument, logger
from etax.platform.settings import required
from etax.simulations.payouts import simulated_adapters

# every record failed → still a partial response naming them all (not an error, which would
# also make the ESM ignore the backoff each record set on itself)
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
sqs = boto3.client("sqs")
MAX_RECEIVES = int(os.environ.get("PAYOUT_MAX_RECEIVES", "3"))
BACKOFF_BASE_SECONDS = int(os.environ.get("PAYOUT_BACKOFF_SECONDS", "30"))
service = PayoutService(
    LotteryRepository(),
    simulated_adapters(boto3.client("dynamodb"), required("LOTTERY_LEDGER_TABLE"),
                       timeout_seconds=float(os.environ.get("PAYOUT_TIMEOUT_SECONDS", "2")),
                       slow_seconds=float(os.environ.get("PAYOUT_SIMULATED_SLOW_SECONDS", "4"))),
    max_receives=MAX_RECEIVES,
)


def settle(record: SQSRecord) -> None:
    """One PrizeWon; a provider failure raises so that only this record is retried."""
    event = json.loads(record.body)
    number = event["detail"]["invoice_number"]
    receives = int(record.attributes.approximate_receive_count or "1")
    try:
        state = service.settle(number, receives)
    except ProviderError as error:
        logger.warning("payout failed", extra={"invoice_number": number, "receives": receives,
                                               "error": str(error)})
        # hidden for the backoff, not the whole visibility timeout (after the last receive
        # too: the next receive is the one that moves it to the dead-letter queue)
        sqs.change_message_visibility(QueueUrl=required("PAYOUT_QUEUE_URL"),
                                      ReceiptHandle=record.receipt_handle,
                                      VisibilityTimeout=backoff_seconds(receives,
                                                                        BACKOFF_BASE_SECONDS))
        raise
    logger.info("payout settled", extra={"invoice_number": number, "state": state,
                                          "receives": receives})


def consume(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=settle, processor=processor,
                                    context=context)


handler = instrument(consume)
