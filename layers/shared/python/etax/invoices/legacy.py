"""Legacy invoices (10- and 12-digit invoice codes) imported into the registry so the
national verification service can check them too.

One record per legacy invoice, as exported by the old systems (JSON Lines)::

    {"code": "044031900111", "number": "12345678", "issue_date": "2024-06-18",
     "amount": "100.00", "tax": "13.00", "total": "113.00",
     "check_code": "12345678901234567890",
     "seller": {"credit_code": "...", "name": "..."}, "buyer": {"name": "...", ...},
     "items": [{"name": ..., "quantity": "1", "unit_price": "100.00", "tax_rate": "0.13"}]}

The type is derived from the code as the national platform does
(:func:`etax.rules.invoice_types.classify_legacy_code`); the invoice is keyed
``<code>-<number>`` (numbers repeat across codes). Imported invoices carry no
platform signature (they were not issued here): their ``signature`` is empty.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from etax.invoices.repository import legacy_invoice_item
from etax.rules import money
from etax.rules.invoice_types import InvoiceCodeError, classify_legacy_code, type_name


class LegacyRecordError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _text(record: dict[str, Any], name: str, max_length: int = 200) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        raise LegacyRecordError(name, f"must be a non-empty text of at most {max_length} "
                                      "characters")
    return value.strip()


def _fen(record: dict[str, Any], name: str) -> int:
    try:
        return money.parse_yuan(str(record.get(name, "")), allow_negative=True)
    except money.MoneyError as error:
        raise LegacyRecordError(name, error.reason) from None


def legacy_item(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The invoices-table item of one legacy record (low-level DynamoDB form)."""
    code = _text(record, "code", 12)
    try:
        invoice_type = classify_legacy_code(code)
    except InvoiceCodeError as error:
        raise LegacyRecordError("code", error.reason) from None
    number = _text(record, "number", 8)
    if not (number.isdigit() and len(number) == 8):
        raise LegacyRecordError("number", "a legacy invoice number has 8 digits")
    try:
        issued = date.fromisoformat(_text(record, "issue_date", 10))
    except ValueError:
        raise LegacyRecordError("issue_date", "must be YYYY-MM-DD") from None
    amount, tax, total = _fen(record, "amount"), _fen(record, "tax"), _fen(record, "total")
    if amount + tax != total:
        raise LegacyRecordError("total", "must equal amount + tax")
    check_code = str(record.get("check_code") or "")
    if check_code and not (check_code.isdigit() and len(check_code) == 20):
        raise LegacyRecordError("check_code", "a check code has 20 digits")
    seller = record.get("seller") or {}
    buyer = record.get("buyer") or {}
    if not isinstance(seller, dict) or not seller.get("name"):
        raise LegacyRecordError("seller", "needs at least the seller's name")
    if not isinstance(buyer, dict) or not buyer.get("name"):
        raise LegacyRecordError("buyer", "needs at least the buyer's name")
    items = [
        {"line": i + 1, "name": str(line.get("name", "")), "spec": str(line.get("spec", "")),
         "unit": str(line.get("unit", "")), "quantity": str(line.get("quantity", "")),
         "unit_price": str(line.get("unit_price", "")), "tax_rate": str(line.get("tax_rate", "")),
         "amount_fen": _fen(line, "amount") if "amount" in line else 0,
         "tax_fen": _fen(line, "tax") if "tax" in line else 0}
        for i, line in enumerate(record.get("items") or [])
    ]
    document = {
        "spec": "etax-legacy-invoice/1",
        "code": code,
        "number": number,
        "type": invoice_type,
        "type_name": type_name(invoice_type),
        "issue_date": issued.isoformat(),
        "seller": {"credit_code": str(seller.get("credit_code", "")), "name": seller["name"],
                   "tax_office_code": str(seller.get("tax_office_code", ""))},
        "buyer": {"kind": "enterprise" if buyer.get("credit_code") else "person",
                  "name": buyer["name"],
                  **({"credit_code": buyer["credit_code"]} if buyer.get("credit_code")
                     else {"id_number": str(buyer.get("id_number", ""))})},
        "items": items,
        "amount_fen": amount,
        "tax_fen": tax,
        "total_fen": total,
        "check_code": check_code,
        "red_letter_of": None,
    }
    return legacy_invoice_item(document, voided=bool(record.get("voided")))
