"""What the invoices table's stream announces (the outbox, :mod:`etax.platform.outbox`): a
new invoice → ``InvoiceIssued`` (or ``InvoiceRedIssued``), normal → voided →
``InvoiceVoided``. Consumers are idempotent on the number (a retried batch announces again)."""

from __future__ import annotations

import json
from typing import Final

from etax.platform.events import DomainEvent
from etax.platform.outbox import Change, text

SOURCE: Final = "tax.invoices"

# The stream records that can announce a fact, as the event source's filter (Lambda event
# filtering, infra/invoices.py): a new item, or an item whose status goes from normal to voided.
# Everything else (a verification counting its check, a red-letter note on the credited invoice)
# never wakes the function; event_for still decides on what does.
ANNOUNCING: Final = (
    {"eventName": ["INSERT"]},
    {"eventName": ["MODIFY"], "dynamodb": {"OldImage": {"status": {"S": ["normal"]}},
                                           "NewImage": {"status": {"S": ["voided"]}}}},
)


def event_for(change: Change) -> DomainEvent | None:
    """The fact of one stream record, or None (not an invoice, or no fact announced)."""
    new, old = change.new, change.old
    if not new or "doc" not in new:
        return None
    document = json.loads(new["doc"])
    detail = {
        "number": document["number"],
        "type": document["type"],
        "issue_date": document["issue_date"],
        "seller_credit_code": document["seller"]["credit_code"],
        "buyer_id": document["buyer"].get("credit_code") or document["buyer"].get("id_number"),
        "total_fen": document["total_fen"],
        "amount_fen": document["amount_fen"],
        "channel": document["channel"],
    }
    classified = [{"line": line["line"], "tax_code": line["tax_code"],
                   "amount_fen": line["amount_fen"]}
                  for line in document.get("items", []) if line.get("tax_code")]
    if classified:  # the lines' goods and services, for the tax data (docs/analytics.md)
        detail["lines"] = classified
    if change.name == "INSERT":
        if document.get("red_letter_of"):
            return DomainEvent("InvoiceRedIssued", {**detail,
                                                    "red_letter_of": document["red_letter_of"]})
        return DomainEvent("InvoiceIssued", detail)
    if change.name == "MODIFY" and text(old, "status") == "normal" \
            and text(new, "status") == "voided":
        return DomainEvent("InvoiceVoided", detail)
    return None
