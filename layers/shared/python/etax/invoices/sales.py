"""An issuer's invoiced totals by month, for the partners' ``sales`` scope (:mod:`etax.sharing`):
read from the issuing quota table's monthly usage, which the issuing transaction keeps
(:mod:`etax.invoices.repository`)."""

from __future__ import annotations

from typing import Any

from etax.errors import Unavailable
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import table_name


class IssuedSales(DynamoAccess):
    """An issuer's invoiced totals by month, read from the quota table's monthly usage
    (``used#<credit code>#<YYYYMM>``: the month's invoices including tax, red-letter and voided
    ones deducted), for the partners' ``sales`` scope (:mod:`etax.sharing`)."""

    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.quotas = table_name("ISSUING_QUOTA_TABLE")

    def monthly_usage(self, credit_code: str, months: list[str]) -> dict[str, int]:
        """``YYYYMM`` → fen, for the months of ``months`` with any invoice: one BatchGetItem
        (at most 100 keys), unprocessed keys asked again."""
        if len(months) > 100:
            raise ValueError("at most 100 months at once")
        wanted: dict[str, Any] = {self.quotas: {
            "Keys": [{"key": {"S": f"used#{credit_code}#{month}"}} for month in months],
            "ProjectionExpression": "#k, used_fen", "ExpressionAttributeNames": {"#k": "key"}}}
        usage: dict[str, int] = {}
        for _ in range(5):
            answer = self.db.batch_get_item(RequestItems=wanted)
            for item in answer["Responses"].get(self.quotas, []):
                usage[item["key"]["S"].rsplit("#", 1)[1]] = int(item["used_fen"]["N"])
            wanted = answer.get("UnprocessedKeys") or {}
            if not wanted:
                return usage
        raise Unavailable("the monthly usage was not fully read; retry", retry_after=1)
