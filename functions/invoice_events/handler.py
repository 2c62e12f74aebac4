"""Announces invoice facts on the bus from the invoices table's stream (an outbox that cannot
be skipped): a new invoice → ``InvoiceIssued`` (or ``InvoiceRedIssued``), normal → voided →
``InvoiceVoided``. A failed batch is retried whole; consumers are idempotent on the number."""

from __future__ import annotations

import json
from typing import Any

import boto3

from etax.platform.events import DomainEvent, EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.settings import required

publisher = EventPublisher(boto3.client("events"), required("EVENT_BUS_NAME"), "tax.invoices")


def event_for(record: dict[str, Any]) -> DomainEvent | None:
    change = record.get("dynamodb", {})
    new = change.get("NewImage") or {}
    old = change.get("OldImage") or {}
    if not new or "doc" not in new:
        return None
    document = json.loads(new["doc"]["S"])
    detail = {
        "number": document["number"],
        "type": document["type"],
        "issue_date": document["issue_date"],
        "seller_credit_code": document["seller"]["credit_code"],
        "buyer_id": document["buyer"].get("credit_code") or document["buyer"].get("id_number"),
        "total_fen": document["total_fen"],
        "channel": document["channel"],
    }
    if record.get("eventName") == "INSERT":
        if document.get("red_letter_of"):
            return DomainEvent("InvoiceRedIssued", {**detail,
                                                    "red_letter_of": document["red_letter_of"]})
        return DomainEvent("InvoiceIssued", detail)
    if (record.get("eventName") == "MODIFY" and old.get("status", {}).get("S") == "normal"
            and new.get("status", {}).get("S") == "voided"):
        return DomainEvent("InvoiceVoided", detail)
    return None


def announce(event: dict[str, Any], context: Any) -> None:
    events = [e for e in (event_for(r) for r in event.get("Records", [])) if e is not None]
    if events:
        publisher.publish(events)
    logger.info("invoice events published", extra={"records": len(event.get("Records", [])),
                                                    "events": len(events)})


handler = instrument(announce)
