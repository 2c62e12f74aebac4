"""What another context may read of an issued invoice: the invoices context's published port.

The invoices context owns ``INVOICES_TABLE`` (:mod:`etax.invoices.repository`). A context that
needs facts of an issued invoice — the lottery (type, issue date, total, buyer and status of a
scanned invoice) and invoice supply (status and seller for the used-invoice checks, 验旧) —
reads them here, as :class:`InvoiceFacts`, and never decodes the table's items itself.

Read only, and never a verification: a read here does not count toward the invoice's daily
checks. An imported legacy invoice (keyed ``<code>-<number>``) has no ``seller`` attribute; its
seller is read from its document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import pages, table_name

MAX_BATCH_GET = 100
_PROJECTION = "#n, #t, #s, issue_date, total_fen, buyer_id, seller, doc"
_NAMES = {"#n": "number", "#t": "type", "#s": "status"}


@dataclass(frozen=True, slots=True)
class InvoiceFacts:
    """The facts the issuer stores beside an invoice: ``issue_date`` is ``YYYY-MM-DD``,
    ``total_fen`` the total including tax (negative for a red-letter invoice), ``status``
    ``normal`` / ``voided`` / ``red_flushed``, ``seller`` a credit code (empty if unknown),
    ``buyer_id`` the buyer's resident ID when the buyer is a person who gave one."""

    number: str
    type: str
    issue_date: str
    total_fen: int
    status: str
    seller: str
    buyer_id: str | None


def _seller(item: dict[str, Any]) -> str:
    if "seller" in item:
        return str(item["seller"]["S"])
    document = json.loads(item["doc"]["S"]) if "doc" in item else {}
    return str(document.get("seller", {}).get("credit_code", ""))


def _facts(item: dict[str, Any]) -> InvoiceFacts | None:
    if "type" not in item or "total_fen" not in item:
        return None
    buyer = item.get("buyer_id")
    return InvoiceFacts(number=item["number"]["S"], type=item["type"]["S"],
                        issue_date=item["issue_date"]["S"], total_fen=int(item["total_fen"]["N"]),
                        status=item["status"]["S"], seller=_seller(item),
                        buyer_id=str(buyer["S"]) if buyer and "S" in buyer else None)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


class InvoiceFactsReader(DynamoAccess):
    """Reads :class:`InvoiceFacts` from ``INVOICES_TABLE``: by number, by numbers, and the
    numbers a seller issued since a time. No scans."""

    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("INVOICES_TABLE")

    def get(self, number: str) -> InvoiceFacts | None:
        """The invoice's facts (None: no such invoice); one GetItem."""
        item = self.db.get_item(TableName=self.table, Key={"number": {"S": number}},
                                ProjectionExpression=_PROJECTION,
                                ExpressionAttributeNames=_NAMES).get("Item")
        return _facts(item) if item else None

    def get_many(self, numbers: Sequence[str]) -> list[InvoiceFacts]:
        """The facts of those of ``numbers`` that exist (in no particular order): BatchGetItem
        in chunks of :data:`MAX_BATCH_GET`, unprocessed keys asked again."""
        found: list[InvoiceFacts] = []
        for chunk in _chunks(numbers, MAX_BATCH_GET):
            request: dict[str, Any] = {self.table: {
                "Keys": [{"number": {"S": n}} for n in chunk],
                "ProjectionExpression": _PROJECTION, "ExpressionAttributeNames": _NAMES}}
            while request:
                answer = self.db.batch_get_item(RequestItems=request)
                for item in answer["Responses"].get(self.table, []):
                    facts = _facts(item)
                    if facts is not None:
                        found.append(facts)
                request = answer.get("UnprocessedKeys") or {}
        return found

    def numbers_of_seller_since(self, seller: str, since: str, limit: int) -> list[str]:
        """The numbers of the seller's invoices issued at or after ``since`` (UTC ISO time),
        newest first, at most ``limit``: a Query on the ``by_seller`` index."""
        numbers: list[str] = []
        for answer in pages(self.db, "query", TableName=self.table, IndexName="by_seller",
                            KeyConditionExpression="seller = :s AND issued_at >= :since",
                            ExpressionAttributeValues={":s": {"S": seller},
                                                       ":since": {"S": since}},
                            ScanIndexForward=False):
            numbers.extend(item["number"]["S"] for item in answer.get("Items", []))
            if len(numbers) >= limit:
                break
        return numbers[:limit]
