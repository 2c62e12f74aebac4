"""Serializable writes for the moto DynamoDB behind the local stack.

moto checks each write's condition and then applies it with no lock, so two
concurrent conditional writes can both pass (a counter decremented below
zero, one prize won twice). Its ``TransactWriteItems`` applies the items one
by one and, when one fails, rolls back by swapping in deep copies of whole
tables: that undoes concurrent writes to other items, and the stream readers
keep pointing at the replaced table, so a table's stream stops after the first
cancelled transaction. Real DynamoDB has none of this.

Reads are not safe either: a table with a sort key keeps its items in a
``defaultdict`` by partition key, so reading an absent key inserts an empty
partition, and a transaction deep-copying that table at the same instant fails
with "dictionary changed size during iteration" (a 500 under concurrent
lottery scans). So every item read goes through the same lock.

This module makes every item write and read go through one lock, and gives
transactions two phases under it: every condition is checked first, and nothing
is written (nothing reaches the stream) unless all of them hold. moto's own code
then applies the items, its conditions now certain to hold.

moto also backs up a table before each item of a transaction (a deep copy, to
roll back), and a table's copy took its stream's whole history with it: moto's
stream shard keeps every record since the table was made, so on a stack that had
run for a while every transaction item copied thousands of records (the e2e
suite's transactions grew slower as it went, a seed of 185 transactions took
minutes). The backup now shares the history: it only ever grows, and a
transaction here is not rolled back on a condition (checked first, above).
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Callable
from typing import Any

_LOCK = threading.RLock()
_INSTALLED = False
WRITES = ("put_item", "update_item", "delete_item")
READS = ("get_item", "query", "scan", "batch_get_item", "transact_get_items")


def _locked(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def locked(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return locked


def _failures(backend: Any, transact_items: list[dict[str, Any]]) -> list[Any] | None:
    """moto's cancellation reasons if any condition fails now, else None (nothing written)."""
    from moto.dynamodb.comparisons import get_filter_expression

    reasons: list[Any] = []
    failed = False
    for entry in transact_items:
        if len(entry) != 1:
            return None  # let moto raise its own validation error
        op_type, op = next(iter(entry.items()))
        try:
            table = backend.get_table(op["TableName"])
            if op_type == "Put":
                attrs = op["Item"]
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            current = backend.get_item(op["TableName"], key)
        except Exception:  # any other problem: moto reports it as it does
            return None
        expression = op.get("ConditionExpression")
        if expression is None:
            reasons.append((None, None, None))
            continue
        condition = get_filter_expression(expression, op.get("ExpressionAttributeNames"),
                                          op.get("ExpressionAttributeValues"))
        if condition.expr(current):
            reasons.append((None, None, None))
            continue
        failed = True
        old = None
        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
            old = current.to_json()["Attributes"]
        reasons.append(("ConditionalCheckFailed", "The conditional request failed", old))
    return reasons if failed else None


def install() -> None:
    """Patch moto's DynamoDB backend once (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    from moto.dynamodb.exceptions import TransactionCanceledException
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.models.table import StreamShard

    def shard_copy(self: Any, memo: dict[int, Any]) -> Any:
        copied = StreamShard.__new__(StreamShard)
        memo[id(self)] = copied
        for name, value in vars(self).items():
            setattr(copied, name, value if name == "items" else copy.deepcopy(value, memo))
        return copied

    setattr(StreamShard, "__deepcopy__", shard_copy)  # noqa: B010

    for name in WRITES + READS:
        setattr(DynamoDBBackend, name, _locked(getattr(DynamoDBBackend, name)))
    apply_transaction = DynamoDBBackend.transact_write_items

    @functools.wraps(apply_transaction)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _LOCK:
            reasons = _failures(self, transact_items)
            if reasons is not None:
                raise TransactionCanceledException(reasons)
            apply_transaction(self, transact_items)

    setattr(DynamoDBBackend, "transact_write_items", transact_write_items)  # noqa: B010
    _INSTALLED = True
