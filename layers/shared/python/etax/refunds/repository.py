"""DynamoDB access for refund cases (keys and access patterns: :mod:`etax.refunds`).

The low-level client, as in :mod:`etax.lottery.repository`: every move of a case is one
``UpdateItem`` with an exact ``ConditionExpression`` on its current state, and the stream
images the outbox reads are in the same attribute format.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from etax.platform.dynamo import region, table_name
from etax.refunds.cases import REVIEW, Case, Stage, from_item, to_item

REVIEW_INDEX = "by_review_office"
APPLICANT_INDEX = "by_applicant"
APPLICANT_ATTRIBUTES = ("kind", "state", "amount_fen", "tax_office", "updated_at")
"""what ``by_applicant`` projects besides the keys: enough for the applicant's list"""
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class CaseExists(Exception):
    """A case with this id exists already."""


def serialize(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items()}


def deserialize(image: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in image.items()}


def encode_cursor(key: dict[str, Any] | None) -> str | None:
    if not key:
        return None
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def decode_cursor(cursor: str, partition: str) -> dict[str, Any]:
    """A cursor back to the key it came from (a list on the index partitioned by
    ``partition``); ValueError if it is not one of that list's."""
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, TypeError) as error:
        raise ValueError("not a cursor of this list") from error
    if not isinstance(key, dict) or set(key) != {"case_id", partition, "submitted_at"} \
            or not all(isinstance(v, str) for v in key.values()):
        raise ValueError("not a cursor of this list")
    return key


@dataclass(frozen=True, slots=True)
class CaseSummary:
    """A line of the applicant's list of cases."""

    case_id: str
    kind: str
    state: str
    amount_fen: int
    tax_office: str
    submitted_at: str
    updated_at: str


class RefundRepository:
    def __init__(self, client: Any | None = None) -> None:
        if client is None:
            import boto3

            client = boto3.client("dynamodb", region_name=region())
        self.db = client
        self.table = table_name("REFUNDS_TABLE")

    def create(self, case: Case) -> None:
        """Store a new case (its id must be new)."""
        try:
            self.db.put_item(TableName=self.table, Item=serialize(to_item(case)),
                             ConditionExpression="attribute_not_exists(case_id)")
        except self.db.exceptions.ConditionalCheckFailedException:
            raise CaseExists(case.case_id) from None

    def get(self, case_id: str, *, consistent: bool = False) -> Case | None:
        item = self.db.get_item(TableName=self.table, Key={"case_id": {"S": case_id}},
                                ConsistentRead=consistent).get("Item")
        return from_item(deserialize(item)) if item else None

    def transition(self, case: Case, target: str, stage: Stage, **changes: Any) -> Case | None:
        """Move ``case`` to ``target`` if it is still in the state it was read in.

        One ``UpdateItem``: the state, the time, the stage appended to the trail, the
        ``changes`` (a ``None`` removes the attribute) and the review index key, under
        ``state = :from``. Returns the case as stored, or None when the case had moved on
        (a repeated or out-of-order message: nothing is written).
        """
        moved = case.moved(target, stage, **changes)
        stored = to_item(moved)
        names = {"#state": "state", "#updated_at": "updated_at", "#trail": "trail"}
        values: dict[str, Any] = {":from": case.state, ":to": target, ":at": stage.at,
                                  ":stage": [stage.as_dict()]}
        sets = ["#state = :to", "#updated_at = :at", "#trail = list_append(#trail, :stage)"]
        removes = []
        for index, name in enumerate(sorted(changes)):
            names[f"#c{index}"] = name
            if name in stored:
                values[f":c{index}"] = stored[name]
                sets.append(f"#c{index} = :c{index}")
            else:
                removes.append(f"#c{index}")
        names["#review"] = "review_office"
        if target == REVIEW:
            values[":office"] = case.tax_office
            sets.append("#review = :office")
        else:
            removes.append("#review")
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes)
                                                  if removes else "")
        try:
            answer = self.db.update_item(
                TableName=self.table, Key={"case_id": {"S": case.case_id}},
                UpdateExpression=expression,
                ConditionExpression="#state = :from",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=serialize(values),
                ReturnValues="ALL_NEW")
        except self.db.exceptions.ConditionalCheckFailedException:
            return None
        return from_item(deserialize(answer["Attributes"]))

    def record_failure(self, case_id: str, *, state: str, error: str, at: str) -> bool:
        """Count a failed attempt on a case still in ``state`` (the payment stage's retries)."""
        try:
            self.db.update_item(
                TableName=self.table, Key={"case_id": {"S": case_id}},
                UpdateExpression="ADD attempts :one SET last_error = :error, updated_at = :at",
                ConditionExpression="#state = :state",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=serialize({":one": 1, ":error": error[:500],
                                                     ":at": at, ":state": state}))
        except self.db.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def review_queue(self, office: str, *, limit: int,
                     cursor: dict[str, Any] | None = None) -> tuple[list[Case], str | None]:
        """The office's cases waiting for an officer, oldest first: one Query on the sparse
        ``by_review_office`` index. Returns the page and the cursor of the next one."""
        kwargs: dict[str, Any] = {
            "TableName": self.table, "IndexName": REVIEW_INDEX, "Limit": limit,
            "KeyConditionExpression": "review_office = :office",
            "ExpressionAttributeValues": {":office": {"S": office}},
        }
        if cursor is not None:
            kwargs["ExclusiveStartKey"] = {k: {"S": str(v)} for k, v in cursor.items()}
        answer = self.db.query(**kwargs)
        cases = [from_item(deserialize(i)) for i in answer.get("Items", [])]
        last = answer.get("LastEvaluatedKey")
        return cases, encode_cursor({k: v["S"] for k, v in last.items()} if last else None)

    def of_applicant(self, applicant: str, *, limit: int, cursor: dict[str, Any] | None = None
                     ) -> tuple[list[CaseSummary], str | None]:
        """The applicant's cases, newest first: one Query on ``by_applicant``."""
        kwargs: dict[str, Any] = {
            "TableName": self.table, "IndexName": APPLICANT_INDEX, "Limit": limit,
            "ScanIndexForward": False,
            "KeyConditionExpression": "applicant = :applicant",
            "ExpressionAttributeValues": {":applicant": {"S": applicant}},
        }
        if cursor is not None:
            kwargs["ExclusiveStartKey"] = {k: {"S": str(v)} for k, v in cursor.items()}
        answer = self.db.query(**kwargs)
        found = []
        for raw in answer.get("Items", []):
            item = deserialize(raw)
            found.append(CaseSummary(str(item["case_id"]), str(item["kind"]),
                                     str(item["state"]), int(item["amount_fen"]),
                                     str(item["tax_office"]), str(item["submitted_at"]),
                                     str(item["updated_at"])))
        last = answer.get("LastEvaluatedKey")
        return found, encode_cursor({k: v["S"] for k, v in last.items()} if last else None)
