"""The invoice supply worker, fed by its queue:

* ``InvoiceSupplyApplied`` → the used-invoice checks (验旧) and the decision (approved, or
  sent to an officer);
* ``InvoiceSupplyApproved`` → the batch allotted and posted through the carrier, or the
  digital quota raised;
* ``InvoiceSupplyShipped`` and its own delayed ``{"track": id}`` messages → the carrier's
  trail, until the parcel is delivered.

A failing record is reported alone (``batchItemFailures``); every step is a conditional
transition, so a repeated message moves nothing twice."""

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

from etax.platform.observability import instrument, logger
from etax.platform.settings import required
from etax.registration.repository import RegistryRepository
from etax.simulations.carrier import SimulatedCarrier
from etax.supply.repository import IssuedInvoices, SupplyRepository
from etax.supply.service import SupplyService

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
sqs = boto3.client("sqs")
STEP_SECONDS = float(os.environ.get("LOGISTICS_STEP_SECONDS", "3600"))
POLL_SECONDS = max(1, min(900, int(os.environ.get("LOGISTICS_POLL_SECONDS", "900"))))
MAX_POLLS = int(os.environ.get("LOGISTICS_MAX_POLLS", "500"))
service = SupplyService(
    SupplyRepository(), RegistryRepository(), IssuedInvoices(),
    SimulatedCarrier(boto3.client("dynamodb"), required("SUPPLY_TABLE"),
                     step_seconds=STEP_SECONDS))


def _track_later(application_id: str, polls: int) -> None:
    if polls >= MAX_POLLS:
        logger.warning("tracking given up", extra={"application_id": application_id})
        return
    sqs.send_message(QueueUrl=required("SUPPLY_QUEUE_URL"), DelaySeconds=POLL_SECONDS,
                     MessageBody=json.dumps({"track": application_id, "polls": polls + 1}))


def step(record: SQSRecord) -> None:
    body = json.loads(record.body)
    if "track" in body:
        application_id, polls = str(body["track"]), int(body.get("polls", 0))
        if not service.track(application_id):
            _track_later(application_id, polls)
        return
    kind = body.get("detail-type")
    application_id = body["detail"]["application_id"]
    if kind == "InvoiceSupplyApplied":
        state = service.verify(application_id)
    elif kind == "InvoiceSupplyApproved":
        state = service.fulfil(application_id)
    elif kind == "InvoiceSupplyShipped":
        if not service.track(application_id):
            _track_later(application_id, 0)
        state = "tracking"
    else:
        logger.warning("ignored event", extra={"detail_type": kind})
        return
    logger.info("supply step", extra={"application_id": application_id, "event": kind,
                                      "state": state})


def consume(event: dict[str, Any], context: Any) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=step, processor=processor,
                                    context=context)


handler = instrument(consume)
