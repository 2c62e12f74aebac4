"""Issued invoices as the export refund reads its input invoices
(:class:`etax.refunds.sources.InputInvoices`): one GetItem per invoice number."""

from __future__ import annotations

from typing import Protocol

from etax.invoices.repository import StoredInvoice
from etax.refunds.sources import InputInvoice


class Repository(Protocol):
    def get(self, number: str) -> StoredInvoice | None: ...


class InvoiceInputs:
    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    def get(self, number: str) -> InputInvoice | None:
        stored = self.repository.get(number)
        if stored is None:
            return None
        document = stored.document
        buyer = document.get("buyer") or {}
        return InputInvoice(
            number=stored.number,
            buyer_id=buyer.get("credit_code") or buyer.get("id_number"),
            status=stored.status,
            red_letter=bool(document.get("red_letter_of")) or int(document["total_fen"]) < 0,
            amount_fen=int(document["amount_fen"]), tax_fen=int(document["tax_fen"]))
