"""DynamoDB access of the analytical store: the dirty days (:mod:`etax.analytics.tables`)."""

from __future__ import annotations

from typing import Any

from etax.analytics.tables import ANALYTICS
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import applied, int_attr, pages, text_attr
from etax.platform.settings import table_name

DIRTY = "dirty"


class DirtyDays(DynamoAccess):
    """The days whose raw archive changed since their last compaction."""

    def __init__(self, table: str | None = None, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name(ANALYTICS.variable)

    def mark(self, day: str) -> None:
        self.db.update_item(TableName=self.table, Key=self._key(day),
                            UpdateExpression="ADD marks :one",
                            ExpressionAttributeValues={":one": {"N": "1"}})

    def pending(self) -> list[tuple[str, int]]:
        """``(day, marks)`` of every dirty day, oldest first."""
        found = []
        for page in pages(self.db, "query", TableName=self.table, ConsistentRead=True,
                          KeyConditionExpression="pk = :dirty",
                          ExpressionAttributeValues={":dirty": {"S": DIRTY}}):
            for item in page.get("Items", []):
                found.append((text_attr(item, "sk") or "", int_attr(item, "marks")))
        return found

    def clear(self, day: str, marks: int) -> bool:
        """Forget ``day`` unless a mark came in since ``marks`` was read (then it stays)."""
        return applied(self.db, "delete_item", TableName=self.table, Key=self._key(day),
                       ConditionExpression="marks = :seen",
                       ExpressionAttributeValues={":seen": {"N": str(marks)}})

    @staticmethod
    def _key(day: str) -> dict[str, Any]:
        return {"pk": {"S": DIRTY}, "sk": {"S": day}}
