"""A taxpayer's own invoices, issued or received (``GET /v1/invoices``): newest first, paged.

Whose invoices is the verified token's subject alone, never the query: an enterprise lists the
invoices it issued (the ``by_seller`` index) or received as the buyer (``by_buyer``, keyed by
the buyer's credit code or resident ID); a natural person, signed in by resident ID, the
invoices it received (it issues none, so its ``issued`` list is empty).

The cursor is opaque: base64url of the last invoice's ``issued_at`` and number and a digest of
the list it belongs to (the direction and the owner). It carries no identifier, and a cursor of
another list — another taxpayer's or the other direction's — is refused as a 400 naming
``cursor`` without saying anything of that list.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Protocol

from etax.errors import Malformed
from etax.invoices.repository import StoredInvoice
from etax.invoices.results import Counterparty, OwnInvoice, OwnInvoices
from etax.invoices.verification import mask_name
from etax.platform.auth import Principal
from etax.rules.money import format_yuan

DIRECTIONS = {"issued": ("by_seller", "seller"), "received": ("by_buyer", "buyer_id")}
"""direction → (index, its partition attribute)"""
DEFAULT_PAGE, MAX_PAGE = 20, 100


class Pages(Protocol):
    def page_of(self, index: str, attribute: str, owner: str, *, limit: int,
                after: tuple[str, str] | None = None
                ) -> tuple[list[StoredInvoice], tuple[str, str] | None]: ...


def _list_tag(direction: str, owner: str) -> str:
    return hashlib.sha256(f"{direction}\n{owner}".encode()).hexdigest()[:16]


def encode_cursor(direction: str, owner: str, after: tuple[str, str] | None) -> str | None:
    if after is None:
        return None
    text = json.dumps({"l": _list_tag(direction, owner), "t": after[0], "n": after[1]},
                      separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, direction: str, owner: str) -> tuple[str, str]:
    """The (issued_at, number) a cursor of this very list stands for; 400 otherwise."""
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        value = None
    if (not isinstance(value, dict) or set(value) != {"l", "t", "n"}
            or not all(isinstance(v, str) for v in value.values())
            or value["l"] != _list_tag(direction, owner)):
        raise Malformed("this cursor does not come from this list", field="cursor")
    return value["t"], value["n"]


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_PAGE
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise Malformed(f"limit is a whole number from 1 to {MAX_PAGE}", field="limit")
    return int(raw)


def counterparty(party: dict[str, Any]) -> Counterparty:
    if party.get("credit_code"):
        return Counterparty(kind="enterprise", name=str(party.get("name", "")),
                            credit_code=str(party["credit_code"]))
    return Counterparty(kind="person", name=mask_name(str(party.get("name") or "")))


def own_invoice(invoice: StoredInvoice, direction: str) -> OwnInvoice:
    document = invoice.document
    other = document["buyer"] if direction == "issued" else document["seller"]
    return OwnInvoice(
        number=invoice.number, issue_date=document["issue_date"],
        type_name=document.get("type_name", ""), counterparty=counterparty(other),
        amount=format_yuan(document["amount_fen"]), tax=format_yuan(document["tax_fen"]),
        total=format_yuan(document["total_fen"]), status=invoice.status,
        red_letter_of=document.get("red_letter_of"))


@dataclass
class InvoiceList:
    pages: Pages

    def own(self, principal: Principal, *, direction: str | None, limit: str | None,
            cursor: str | None) -> OwnInvoices:
        """One page of the caller's invoices in ``direction`` (``issued`` / ``received``)."""
        if direction not in DIRECTIONS:
            raise Malformed("direction is issued or received", field="direction")
        size = _limit(limit)
        owner = principal.subject
        after = decode_cursor(cursor, direction, owner) if cursor else None
        index, attribute = DIRECTIONS[direction]
        found, last = self.pages.page_of(index, attribute, owner, limit=size, after=after)
        return OwnInvoices(direction=direction,
                           items=[own_invoice(invoice, direction) for invoice in found],
                           cursor=encode_cursor(direction, owner, last))
