"""Table names from the environment, for the repositories over the low-level client
(:class:`etax.platform.aws.DynamoAccess`; docs/decisions/0014).

Tables are created by the infrastructure (CDK) from the contexts' specifications
(``etax/<context>/tables.py``); a repository never creates one. Each repository names the
environment variable that carries its table's name (the specification's ``variable``), so
the same code runs against a real account, the local stack and moto. Endpoints are never
configured in code: botocore honours ``AWS_ENDPOINT_URL`` (set by LocalStack in each
function's environment).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

from etax.errors import Unavailable
from etax.platform.settings import table_name as table_name  # the repositories' one import

MAX_BATCH_WRITE = 25  # DynamoDB's limits of requests in one BatchWriteItem
MAX_BATCH_GET = 100  # and in one BatchGetItem
CONFLICT_ATTEMPTS = 6  # a transaction sent at most this many times while others hold its items


@cache
def _codec() -> tuple[Any, Any]:
    """boto3's serializer and deserializer of DynamoDB values, made on first use."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


def _native(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, list):
        return [_native(v) for v in value]
    if isinstance(value, dict):
        return {k: _native(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(_native(v) for v in value)
    return value


def attribute(value: Any) -> dict[str, Any]:
    """One Python value as a low-level attribute value (e.g. a list element to append)."""
    serialized: dict[str, Any] = _codec()[0].serialize(value)
    return serialized


def to_item(values: Mapping[str, Any]) -> dict[str, Any]:
    """Python values as a low-level item; a None value is left out (never stored as NULL)."""
    serialize = _codec()[0].serialize
    return {k: serialize(v) for k, v in values.items() if v is not None}


def from_item(item: Mapping[str, Any]) -> dict[str, Any]:
    """A low-level item as Python values: a whole number an ``int``, any other number its
    decimal string (never a float), a set a sorted list."""
    deserialize = _codec()[1].deserialize
    return {k: _native(deserialize(v)) for k, v in item.items()}


def text_attr(item: Mapping[str, Any], name: str) -> str | None:
    """The string attribute ``name`` of a low-level item, or None."""
    value = item.get(name)
    return str(value["S"]) if value and "S" in value else None


def int_attr(item: Mapping[str, Any], name: str, default: int = 0) -> int:
    """The number attribute ``name`` of a low-level item as an int, or ``default``."""
    value = item.get(name)
    return int(value["N"]) if value and "N" in value else default


def applied(db: Any, operation: str, **request: Any) -> bool:
    """Call ``operation`` (``put_item``, ``update_item``, ``delete_item``) of the client ``db``
    with its condition; False when the condition failed (``ConditionalCheckFailedException``)."""
    try:
        getattr(db, operation)(**request)
    except db.exceptions.ConditionalCheckFailedException:
        return False
    return True


def stepped(db: Any, table: str, key: Mapping[str, Any], version: int,
            values: Mapping[str, Any], step: Mapping[str, Any], *,
            removes: Sequence[str] = ()) -> bool:
    """The record ``key`` read at ``version`` changed: ``values`` set (attribute → value),
    ``step`` appended to its ``trail``, ``removes`` removed, ``version`` one more — in one
    conditional UpdateItem; False if it changed meanwhile (its version moved)."""
    names = {f"#v{i}": name for i, name in enumerate(values)}
    given = {f":v{i}": value for i, value in enumerate(values.values())}
    sets = [*(f"#v{i} = :v{i}" for i in range(len(values))),
            "trail = list_append(trail, :step)", "version = :next"]
    names |= {f"#r{i}": name for i, name in enumerate(removes)}
    removed = (" REMOVE " + ", ".join(f"#r{i}" for i in range(len(removes)))) if removes else ""
    return applied(db, "update_item", TableName=table, Key=dict(key),
                   UpdateExpression="SET " + ", ".join(sets) + removed,
                   ConditionExpression="version = :version",
                   ExpressionAttributeNames=names,
                   ExpressionAttributeValues={
                       **to_item(given), ":step": {"L": [attribute(dict(step))]},
                       ":version": {"N": str(version)}, ":next": {"N": str(version + 1)}})


def count_under(db: Any, table: str, key: str | Mapping[str, Any], limit: int,
                expires_at: int) -> bool:
    """Add one to the counter ``key`` of ``table`` (a string: the key attribute ``key``; or the
    item's whole key, e.g. ``pk`` and ``sk``; count ``n``, TTL ``expires_at``) while it is under
    ``limit``, in one conditional UpdateItem; False when it had reached the limit (nothing is
    added then)."""
    return applied(
        db, "update_item",
        TableName=table,
        Key={"key": {"S": key}} if isinstance(key, str) else dict(key),
        UpdateExpression="ADD n :one SET expires_at = :ttl",
        ConditionExpression="attribute_not_exists(n) OR n < :limit",
        ExpressionAttributeValues={":one": {"N": "1"}, ":limit": {"N": str(limit)},
                                   ":ttl": {"N": str(expires_at)}},
    )


def batch_put(db: Any, table: str, items: Sequence[Mapping[str, Any]], attempts: int = 8,
              sleep: Callable[[float], None] = time.sleep) -> None:
    """Put ``items`` (unconditionally) into ``table`` in BatchWriteItem calls of 25, the
    unprocessed ones (throttling) sent again with a growing pause; RuntimeError when some are
    still unprocessed after ``attempts`` calls (each put is whole: writing again is safe)."""
    for start in range(0, len(items), MAX_BATCH_WRITE):
        pending: dict[str, Any] = {table: [{"PutRequest": {"Item": item}}
                                           for item in items[start:start + MAX_BATCH_WRITE]]}
        for attempt in range(attempts):
            if attempt:
                sleep(0.05 * 2 ** (attempt - 1))
            pending = db.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
        if pending:
            raise RuntimeError(f"{table}: items not written after {attempts} attempts")


def batch_get(db: Any, table: str, keys: Sequence[Mapping[str, Any]], attempts: int = 8,
              sleep: Callable[[float], None] = time.sleep,
              **options: Any) -> list[dict[str, Any]]:
    """The items of ``table`` at ``keys`` that exist (strongly consistent unless ``options``
    say otherwise; ``ProjectionExpression`` and its names may be given), in BatchGetItem calls
    of 100, the unprocessed keys asked again with a growing pause; RuntimeError when some are
    still unread after ``attempts`` calls. In no particular order."""
    found: list[dict[str, Any]] = []
    for start in range(0, len(keys), MAX_BATCH_GET):
        pending: dict[str, Any] = {table: {"ConsistentRead": True, **options,
                                           "Keys": list(keys[start:start + MAX_BATCH_GET])}}
        for attempt in range(attempts):
            if attempt:
                sleep(0.05 * 2 ** (attempt - 1))
            answer = db.batch_get_item(RequestItems=pending)
            found += answer.get("Responses", {}).get(table, [])
            pending = answer.get("UnprocessedKeys") or {}
            if not pending:
                break
        if pending:
            raise RuntimeError(f"{table}: items not read after {attempts} attempts")
    return found


def pages(db: Any, operation: str, **request: Any) -> Iterator[dict[str, Any]]:
    """Every page of a ``query`` or ``scan``, following ``LastEvaluatedKey`` to the end."""
    while True:
        page: dict[str, Any] = getattr(db, operation)(**request)
        yield page
        if not page.get("LastEvaluatedKey"):
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def cancellation_codes(error: Any) -> list[str | None]:
    """The codes of a cancelled transaction's actions in order (``ConditionalCheckFailed``,
    ``None`` …); empty when the service gave no reasons."""
    return [r.get("Code") for r in error.response.get("CancellationReasons", [])]


def failed_conditions(error: Any) -> set[int]:
    """The indexes of a cancelled transaction's actions whose condition failed."""
    return {i for i, code in enumerate(cancellation_codes(error))
            if code == "ConditionalCheckFailed"}


def only_conflicts(error: Any) -> bool:
    """Whether a transaction was cancelled only because other transactions held some of its
    items (``TransactionConflict``), no condition having failed: the same write may apply
    when sent again."""
    codes = {code for code in cancellation_codes(error) if code not in (None, "None")}
    return codes == {"TransactionConflict"}


class Contended(Unavailable):
    """A record stayed held by other requests' writes for every attempt: nothing was written;
    the request may be sent again."""

    def __init__(self) -> None:
        super().__init__("the records this request changes are being changed by other "
                         "requests; nothing was written, send it again", retry_after=1)


def write_transaction(db: Any, actions: Sequence[Mapping[str, Any]], *,
                      attempts: int = CONFLICT_ATTEMPTS,
                      sleep: Callable[[float], None] = time.sleep) -> None:
    """``TransactWriteItems`` of ``actions``, sent again after a growing, jittered pause
    (20 ms, 40 ms, … each between half and all of it) while DynamoDB cancels it only for
    conflicts with other transactions on the same items — as it does when many requests
    take from one counter at once. Any other cancellation (a condition that failed) is
    raised as it came, for the caller to read; conflicts on every attempt raise
    :class:`Contended` (503, ``Retry-After: 1``), never a 500."""
    for attempt in range(attempts):
        if attempt:
            # jitter spreads the retries of requests that collided (not a secret)
            sleep(0.02 * 2 ** (attempt - 1) * random.uniform(0.5, 1))  # noqa: S311
        try:
            db.transact_write_items(TransactItems=list(actions))
            return
        except db.exceptions.TransactionCanceledException as error:
            if not only_conflicts(error):
                raise
    raise Contended


def transact(db: Any, actions: Sequence[Mapping[str, Any]],
             refusals: Mapping[int, Callable[[], Exception]]) -> None:
    """Write ``actions`` in one transaction (:func:`write_transaction`: sent again while it
    conflicts with others). Cancelled because the condition of action ``i`` failed:
    ``refusals[i]()`` is raised — the first of ``refusals``, in its order, whose action
    failed —; cancelled for any other reason: the cancellation, as it came."""
    try:
        write_transaction(db, actions)
    except db.exceptions.TransactionCanceledException as error:
        failed = failed_conditions(error)
        for index, refusal in refusals.items():
            if index in failed:
                raise refusal() from None
        raise
