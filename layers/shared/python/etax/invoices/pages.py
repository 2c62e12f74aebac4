"""Pages of a taxpayer's invoices (``INVOICES_TABLE``'s ``by_seller`` and ``by_buyer`` indexes,
described in :mod:`etax.invoices.repository`), for :mod:`etax.invoices.listing`."""

from __future__ import annotations

from typing import Any

from etax.invoices.repository import InvoiceReader, StoredInvoice, stored


class InvoicePages(InvoiceReader):
    def page_of(self, index: str, attribute: str, owner: str, *, limit: int,
                after: tuple[str, str] | None = None
                ) -> tuple[list[StoredInvoice], tuple[str, str] | None]:
        """One page of ``owner``'s invoices on ``index`` (``by_seller`` / ``by_buyer``, whose
        partition is ``attribute``), newest first: a Query on the keys-only index, then one
        BatchGetItem of those invoices. ``after`` and the second value returned are the
        (``issued_at``, ``number``) of the last invoice of a page, None at the end."""
        query: dict[str, Any] = {
            "TableName": self.invoices, "IndexName": index, "Limit": limit,
            "ScanIndexForward": False, "KeyConditionExpression": "#o = :owner",
            "ExpressionAttributeNames": {"#o": attribute},
            "ExpressionAttributeValues": {":owner": {"S": owner}}}
        if after is not None:
            query["ExclusiveStartKey"] = {attribute: {"S": owner}, "issued_at": {"S": after[0]},
                                          "number": {"S": after[1]}}
        answer = self.db.query(**query)
        numbers = [item["number"]["S"] for item in answer.get("Items", [])]
        found: dict[str, StoredInvoice] = {}
        request: dict[str, Any] = {self.invoices: {
            "Keys": [{"number": {"S": n}} for n in numbers],
            "ProjectionExpression": "#n, doc, signature, #s, red_number",
            "ExpressionAttributeNames": {"#n": "number", "#s": "status"}}} if numbers else {}
        while request:
            batch = self.db.batch_get_item(RequestItems=request)
            for item in batch["Responses"].get(self.invoices, []):
                found[item["number"]["S"]] = stored(item)
            request = batch.get("UnprocessedKeys") or {}
        last = answer.get("LastEvaluatedKey")
        return ([found[n] for n in numbers if n in found],
                (last["issued_at"]["S"], last["number"]["S"]) if last else None)
