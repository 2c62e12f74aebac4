"""DynamoDB access for the inbox and the preferences (keys: :mod:`etax.notifications`).

Every write that must happen once is conditional: the inbox entry on its key, each
delivery on its state. A write that loses its condition answers False, not an error.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from etax.notifications import FAILED, QUEUED, SENT, Channel
from etax.notifications.contract import Notification
from etax.notifications.messages import inbox_key, listed
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import applied, table_name

PREFERENCES_SK = "preferences"
INBOX_INDEX = "inbox"
MAX_BATCH_GET = 100
BATCH_ATTEMPTS = 6

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class BadCursor(ValueError):
    """The cursor is not one this service handed out."""


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_plain(v) for v in value]
    return value


def to_item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def from_item(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _plain(_deserializer.deserialize(v)) for k, v in item.items()}


def encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode()


def decode_cursor(cursor: str, recipient: str) -> dict[str, Any]:
    """The ``ExclusiveStartKey`` a cursor stands for; it must be of the caller's inbox."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise BadCursor("not a cursor of this inbox") from None
    if (not isinstance(key, dict) or set(key) != {"recipient", "sk", "inbox_of", "listed"}
            or key.get("inbox_of") != {"S": recipient}
            or key.get("recipient") != {"S": recipient}
            or not all(isinstance(v, dict) and isinstance(v.get("S"), str)
                       for v in key.values())):
        raise BadCursor("not a cursor of this inbox")
    return key


class NotificationsRepository(DynamoAccess):
    def __init__(self, client: Any | None = None, *,
                 sleep: Any = time.sleep) -> None:
        super().__init__(client)
        self.table = table_name("NOTIFICATIONS_TABLE")
        self.sleep = sleep

    # -- preferences ---------------------------------------------------------------------

    def preferences_of(self, recipients: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored preferences of each recipient that has some (BatchGetItem)."""
        wanted = sorted(set(recipients))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), MAX_BATCH_GET):
            keys = [{"recipient": {"S": r}, "sk": {"S": PREFERENCES_SK}}
                    for r in wanted[start:start + MAX_BATCH_GET]]
            request: dict[str, Any] = {self.table: {"Keys": keys, "ConsistentRead": True}}
            for attempt in range(BATCH_ATTEMPTS):
                if attempt:
                    self.sleep(0.05 * 2 ** attempt)
                answer = self.db.batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self.table, []):
                    plain = from_item(item)
                    found[plain["recipient"]] = plain.get("document") or {}
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise RuntimeError("preferences could not be read (throttled)")
        return found

    def get_preferences(self, recipient: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True, Key={
            "recipient": {"S": recipient}, "sk": {"S": PREFERENCES_SK}}).get("Item")
        if not item:
            return None
        document: dict[str, Any] = from_item(item).get("document") or {}
        return document

    def put_preferences(self, recipient: str, document: dict[str, Any]) -> None:
        self.db.put_item(TableName=self.table, Item=to_item({
            "recipient": recipient, "sk": PREFERENCES_SK, "document": document}))

    # -- the inbox -----------------------------------------------------------------------

    def create_entry(self, notification: Notification, *, source: str, detail_type: str,
                     received_at: str, deliveries: dict[str, dict[str, Any]]) -> bool:
        """The inbox entry, once: False if an entry with this id exists already."""
        item = to_item({
            "recipient": notification.recipient,
            "sk": inbox_key(notification.id),
            "inbox_of": notification.recipient,
            "listed": listed(received_at, notification.id),
            "notification": notification.as_detail(),
            "source": source,
            "detail_type": detail_type,
            "received_at": received_at,
            "deliveries": deliveries,
        })
        return applied(self.db, "put_item", TableName=self.table, Item=item,
                       ConditionExpression="attribute_not_exists(sk)")

    def get_entry(self, recipient: str, notification_id: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True, Key={
            "recipient": {"S": recipient}, "sk": {"S": inbox_key(notification_id)}}).get("Item")
        return from_item(item) if item else None

    def page(self, recipient: str, *, limit: int, cursor: dict[str, Any] | None
             ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        """One page of the inbox, newest first (ONE Query on the inbox index)."""
        query: dict[str, Any] = {
            "TableName": self.table, "IndexName": INBOX_INDEX,
            "KeyConditionExpression": "inbox_of = :me",
            "ExpressionAttributeValues": {":me": {"S": recipient}},
            "ScanIndexForward": False, "Limit": limit,
        }
        if cursor:
            query["ExclusiveStartKey"] = cursor
        answer = self.db.query(**query)
        return [from_item(i) for i in answer.get("Items", [])], answer.get("LastEvaluatedKey")

    def mark_read(self, recipient: str, notification_id: str, at: str) -> bool | None:
        """True if marked now, False if read before, None if there is no such entry."""
        try:
            self.db.update_item(
                TableName=self.table,
                Key={"recipient": {"S": recipient}, "sk": {"S": inbox_key(notification_id)}},
                UpdateExpression="SET read_at = :at",
                ConditionExpression="attribute_exists(sk) AND attribute_not_exists(read_at)",
                ExpressionAttributeValues={":at": {"S": at}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except self.db.exceptions.ConditionalCheckFailedException as error:
            return False if error.response.get("Item") else None
        return True

    # -- deliveries ----------------------------------------------------------------------

    def _delivery_update(self, recipient: str, notification_id: str, channel: Channel,
                         update: str, condition: str, values: dict[str, Any],
                         names: dict[str, str] | None = None) -> bool:
        return applied(
            self.db, "update_item",
            TableName=self.table,
            Key={"recipient": {"S": recipient}, "sk": {"S": inbox_key(notification_id)}},
            UpdateExpression=update, ConditionExpression=condition,
            ExpressionAttributeNames={"#d": "deliveries", "#c": channel, "#st": "state",
                                      **(names or {})},
            ExpressionAttributeValues={k: _serializer.serialize(v)
                                       for k, v in values.items()})

    def mark_sent(self, recipient: str, notification_id: str, channel: Channel, *,
                  reference: str, at: str) -> bool:
        """queued/failed → sent, once (a failed delivery may still be sent by a redrive)."""
        return self._delivery_update(
            recipient, notification_id, channel,
            "SET #d.#c.#st = :sent, #d.#c.sent_at = :at, #d.#c.#ref = :ref",
            "#d.#c.#st IN (:queued, :failed)",
            {":sent": SENT, ":at": at, ":ref": reference, ":queued": QUEUED, ":failed": FAILED},
            {"#ref": "reference"})

    def record_failure(self, recipient: str, notification_id: str, channel: Channel, *,
                       error: str, at: str, final: bool) -> bool:
        """Count a failed attempt (and, on the last one, move the delivery to failed)."""
        update = ("SET #d.#c.attempts = if_not_exists(#d.#c.attempts, :zero) + :one, "
                  "#d.#c.last_error = :error, #d.#c.last_attempt_at = :at")
        values: dict[str, Any] = {":zero": 0, ":one": 1, ":error": error[:300], ":at": at,
                                  ":sent": SENT}
        if final:
            update += ", #d.#c.#st = :failed"
            values[":failed"] = FAILED
        return self._delivery_update(recipient, notification_id, channel, update,
                                     "attribute_exists(#d.#c) AND #d.#c.#st <> :sent", values)
