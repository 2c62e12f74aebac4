"""DynamoDB access for online acceptance (keys and access patterns: :mod:`etax.acceptance`).

The low-level client, as the other boards do where a write is a transaction: a state change
is one ``TransactWriteItems`` (the conditional update of the application and the put of its
trail entry), so the trail and the state never disagree.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import applied, pages, table_name, write_transaction


@functools.cache
def _codec() -> tuple[Any, Any]:
    """boto3's (serializer, deserializer) of DynamoDB values, imported on first use (not at
    the init of a function that may never read an application)."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _codec()[0].serialize(v) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _codec()[1].deserialize(v) for k, v in item.items()}


class ConditionFailed(Exception):
    """A conditional write found the item not in the expected state."""


class AcceptanceRepository(DynamoAccess):
    """The client is made on first use (the registration function's public check, its hot
    path, never touches this table and should not pay for a client at start)."""

    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("ACCEPTANCE_TABLE")

    # reads ------------------------------------------------------------------------------
    def partition(self, pk: str, prefix: str | None = None) -> list[dict[str, Any]]:
        """Every item of one partition (optionally those whose sk begins with ``prefix``)."""
        names = {"#pk": "pk"}
        values: dict[str, Any] = {":pk": {"S": pk}}
        condition = "#pk = :pk"
        if prefix:
            names["#sk"] = "sk"
            values[":prefix"] = {"S": prefix}
            condition += " AND begins_with(#sk, :prefix)"
        return self._all(KeyConditionExpression=condition, ExpressionAttributeNames=names,
                         ExpressionAttributeValues=values)

    def latest(self, pk: str, prefix: str, limit: int) -> list[dict[str, Any]]:
        """The last ``limit`` items of a partition whose sk begins with ``prefix``, newest
        first (sort keys that sort by time, e.g. ``change#<at>#…``)."""
        answer = self.db.query(
            TableName=self.table, ConsistentRead=True, ScanIndexForward=False, Limit=limit,
            KeyConditionExpression="#pk = :pk AND begins_with(#sk, :prefix)",
            ExpressionAttributeNames={"#pk": "pk", "#sk": "sk"},
            ExpressionAttributeValues={":pk": {"S": pk}, ":prefix": {"S": prefix}})
        return [from_item(i) for i in answer.get("Items", [])]

    def after(self, pk: str, sk: str) -> list[dict[str, Any]]:
        """Every item of a partition whose sk sorts after ``sk``."""
        return self._all(KeyConditionExpression="#pk = :pk AND #sk > :after",
                         ExpressionAttributeNames={"#pk": "pk", "#sk": "sk"},
                         ExpressionAttributeValues={":pk": {"S": pk}, ":after": {"S": sk}})

    def _all(self, **query: Any) -> list[dict[str, Any]]:
        """Every item a consistent Query of the table finds, page after page."""
        return [from_item(i) for page in pages(self.db, "query", TableName=self.table,
                                               ConsistentRead=True, **query)
                for i in page.get("Items", [])]

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        answer = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                  Key={"pk": {"S": pk}, "sk": {"S": sk}})
        return from_item(answer["Item"]) if "Item" in answer else None

    def office_queue(self, office: str, state: str, limit: int = 50) -> list[dict[str, Any]]:
        """Applications of one tax office in one state, oldest change first (the index)."""
        answer = self.db.query(
            TableName=self.table, IndexName="by_office", Limit=limit,
            KeyConditionExpression="#o = :o AND begins_with(#q, :state)",
            ExpressionAttributeNames={"#o": "office", "#q": "queue"},
            ExpressionAttributeValues={":o": {"S": office}, ":state": {"S": f"{state}#"}})
        return [from_item(i) for i in answer.get("Items", [])]

    # writes -----------------------------------------------------------------------------
    def put_new(self, values: dict[str, Any]) -> bool:
        """Put an item that must not exist yet; False if it does."""
        return applied(self.db, "put_item", TableName=self.table, Item=to_item(values),
                       ConditionExpression="attribute_not_exists(pk)")

    def put(self, values: dict[str, Any]) -> None:
        self.db.put_item(TableName=self.table, Item=to_item(values))

    def update_details(self, pk: str, expected_version: int | None, values: dict[str, Any],
                       change: dict[str, Any]) -> None:
        """Set the changed details and record the change, in one transaction, only if the
        details are still at ``expected_version`` (None: none stored yet)."""
        names = {"#v": "version", **{f"#f{i}": k for i, k in enumerate(values)}}
        exprs: dict[str, Any] = {":next": {"N": str((expected_version or 0) + 1)}}
        sets = ["#v = :next"]
        for i, (_, value) in enumerate(values.items()):
            exprs[f":f{i}"] = _codec()[0].serialize(value)
            sets.append(f"#f{i} = :f{i}")
        if expected_version is None:
            condition = "attribute_not_exists(pk)"
        else:
            condition = "#v = :expected"
            exprs[":expected"] = {"N": str(expected_version)}
        self._transact([
            {"Update": {"TableName": self.table,
                        "Key": {"pk": {"S": pk}, "sk": {"S": "details"}},
                        "UpdateExpression": "SET " + ", ".join(sets),
                        "ConditionExpression": condition,
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": exprs}},
            {"Put": {"TableName": self.table, "Item": to_item(change),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ])

    def create_application(self, application: dict[str, Any],
                           trail: dict[str, Any]) -> None:
        self._transact([
            {"Put": {"TableName": self.table, "Item": to_item(application),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": self.table, "Item": to_item(trail),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ])

    def transition(self, pk: str, *, from_state: str, from_version: int,
                   changes: dict[str, Any], trail: dict[str, Any],
                   also: Sequence[dict[str, Any]] = ()) -> None:
        """Move an application: only if it is still in ``from_state`` at ``from_version``;
        the new values and the trail entry are written together or not at all."""
        names = {"#s": "state", "#v": "version",
                 **{f"#c{i}": k for i, k in enumerate(changes)}}
        values: dict[str, Any] = {":from": {"S": from_state},
                                  ":version": {"N": str(from_version)}}
        sets = []
        for i, (_, value) in enumerate(changes.items()):
            values[f":c{i}"] = _codec()[0].serialize(value)
            sets.append(f"#c{i} = :c{i}")
        self._transact([
            {"Update": {"TableName": self.table,
                        "Key": {"pk": {"S": pk}, "sk": {"S": "application"}},
                        "UpdateExpression": "SET " + ", ".join(sets),
                        "ConditionExpression": "#s = :from AND #v = :version",
                        "ExpressionAttributeNames": names,
                        "ExpressionAttributeValues": values}},
            {"Put": {"TableName": self.table, "Item": to_item(trail),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            *also,
        ])

    def confirm_document(self, pk: str, sk: str, values: dict[str, Any]) -> bool:
        """Mark a pending document confirmed (once); False if it was not pending."""
        names = {"#st": "status", **{f"#d{i}": k for i, k in enumerate(values)}}
        exprs: dict[str, Any] = {":pending": {"S": "pending"}}
        sets = []
        for i, (_, value) in enumerate(values.items()):
            exprs[f":d{i}"] = _codec()[0].serialize(value)
            sets.append(f"#d{i} = :d{i}")
        return applied(self.db, "update_item", TableName=self.table,
                       Key={"pk": {"S": pk}, "sk": {"S": sk}},
                       UpdateExpression="SET " + ", ".join(sets),
                       ConditionExpression="#st = :pending", ExpressionAttributeNames=names,
                       ExpressionAttributeValues=exprs)

    def _transact(self, actions: list[dict[str, Any]]) -> None:
        try:
            write_transaction(self.db, actions)
        except self.db.exceptions.TransactionCanceledException as error:
            raise ConditionFailed(str(error)) from None
