"""What the filing table's stream announces (the outbox, :mod:`etax.platform.outbox`): an
obligation's return filed → ``ReturnFiled``, a payment confirmed → ``PaymentConfirmed``.

``ReturnFiled`` is the obligation's move out of ``open``: to ``filed``, or straight to ``paid``
when the return makes nothing payable (a VAT return exempt, or whose input tax exceeds its
output tax, has ``tax_due_fen`` 0; its ``kind`` and ``sales_fen`` still show it).
``PaymentConfirmed`` is the payment's move ``pending → confirmed`` (the callback's transaction;
the obligation's ledger moving in the same transaction announces nothing). Every amount is an
integer in fen, as stored.

A retried batch may announce a fact again: consumers dedupe on the fact's id, the
``obligation_id`` of a ``ReturnFiled`` (an obligation is filed once) and the ``payment_id`` of a
``PaymentConfirmed`` (also the event's ``resources``). ``taxpayer`` is the obligation's
taxpayer as stored: a credit code, or a natural person's resident ID number (the annual IIT
reconciliation), as in ``obligation_id``; consumers keep it out of their logs
(:mod:`etax.platform.privacy`)."""

from __future__ import annotations

import json
from typing import Any, Final

from etax.filing.repository import CONFIRMED, FILED, OPEN, PAID, PENDING
from etax.platform.events import DomainEvent
from etax.platform.outbox import Change, text
from etax.rules import money

SOURCE: Final = "tax.filing"
RETURN_FILED: Final = "ReturnFiled"
PAYMENT_CONFIRMED: Final = "PaymentConfirmed"

# The stream records that can announce a fact, as the event source's filter (Lambda event
# filtering, infra/filing.py): an obligation leaving open (filed, or paid at once), a payment
# confirmed. Everything else (a reminder's claim, a payment started or failed, the ledger moved
# by a payment or a refund) never wakes the function; event_for still decides on what does.
ANNOUNCING: Final = (
    {"eventName": ["MODIFY"], "dynamodb": {"OldImage": {"status": {"S": [OPEN]}},
                                           "NewImage": {"status": {"S": [FILED, PAID]}}}},
    {"eventName": ["MODIFY"], "dynamodb": {"OldImage": {"status": {"S": [PENDING]}},
                                           "NewImage": {"status": {"S": [CONFIRMED]}}}},
)


def event_for(change: Change) -> DomainEvent | None:
    """The fact of one stream record, or None (no return filed, no payment confirmed)."""
    if change.name != "MODIFY":
        return None
    new, old = change.new, change.old
    sort_key = text(new, "sk") or ""
    before, after = text(old, "status"), text(new, "status")
    if sort_key.startswith("obligation#") and before == OPEN and after in (FILED, PAID):
        return _return_filed(new)
    if sort_key == "payment" and before == PENDING and after == CONFIRMED:
        return _payment_confirmed(new)
    return None


def _return_filed(item: dict[str, Any]) -> DomainEvent:
    kind = str(item["return_kind"])
    detail: dict[str, Any] = {
        "obligation_id": item["obligation_id"], "taxpayer": item["taxpayer"],
        "tax_type": item["tax_type"], "period": item["period"], "kind": kind,
        "filed_at": item["filed_at"], "tax_due_fen": int(item["tax_fen"]),
    }
    sales = sales_fen(kind, json.loads(item["return_answer"]))
    if sales is not None:
        detail["sales_fen"] = sales
    if text(item, "tax_office"):
        detail["office"] = item["tax_office"]
    return DomainEvent(RETURN_FILED, detail, resources=(f"obligation/{item['obligation_id']}",))


def _payment_confirmed(item: dict[str, Any]) -> DomainEvent:
    detail: dict[str, Any] = {
        "payment_id": item["payment_id"], "obligation_id": item["obligation_id"],
        "taxpayer": item["taxpayer"], "tax_type": item["tax_type"], "period": item["period"],
        "amount_fen": int(item["amount_fen"]), "method": item["method"],
        "confirmed_at": item["confirmed_at"],
    }
    if text(item, "tax_office"):
        detail["office"] = item["tax_office"]
    return DomainEvent(PAYMENT_CONFIRMED, detail, resources=(f"payment/{item['payment_id']}",))


def sales_fen(kind: str, answer: dict[str, Any]) -> int | None:
    """The taxable sales of a VAT return, in fen, from the calculator's answer stored with it
    (small-scale: ``sales``, excluding tax; general: the sum of its ``sales`` lines' amounts);
    None for a return without sales (IIT, vehicle and vessel tax)."""
    if not kind.startswith("vat_"):
        return None
    sales = answer.get("sales")
    if isinstance(sales, str):
        return money.parse_yuan(sales)
    if isinstance(sales, list):
        return sum(money.parse_yuan(line["amount"]) for line in sales)
    return None
