"""DynamoDB access for refund cases (keys and access patterns: :mod:`etax.refunds`).

The low-level client, as in :mod:`etax.lottery.repository`: every move of a case is one
``UpdateItem`` with an exact ``ConditionExpression`` on its current state, and the stream
images the outbox reads are in the same attribute format.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from etax.errors import AlreadyExists
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import (
    applied,
    cancellation_codes,
    failed_conditions,
    table_name,
    write_transaction,
)
from etax.platform.results import as_json
from etax.refunds.cases import REVIEW, Case, Stage, claim_key, from_item, released_when, to_item

REVIEW_INDEX = "by_review_office"
APPLICANT_INDEX = "by_applicant"
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class CaseExists(AlreadyExists):
    """A case with this id exists already."""

    def __init__(self, case_id: str) -> None:
        super().__init__("a case with this id exists; apply again")
        self.case_id = case_id


class ClaimTaken(Exception):
    """Another case holds what this case would claim (an obligation with an open case, a
    customs declaration or an input invoice used already)."""

    def __init__(self, claim: str, holder: str | None) -> None:
        super().__init__(f"{claim} is held by {holder}")
        self.claim = claim
        self.holder = holder


class LedgerMoved(Exception):
    """A record the transition's transaction also writes was not as read (retry)."""


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


class RefundRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("REFUNDS_TABLE")

    def create(self, case: Case, also: Sequence[dict[str, Any]] = ()) -> None:
        """Store a new case and its claims in one transaction: the case id must be new and
        nothing it claims may be held by another case (:class:`ClaimTaken` names which); the
        ``also`` actions (the ledger it was computed from, unchanged) must hold too
        (:class:`LedgerMoved` if one does not)."""
        if not case.claims and not also:
            if not applied(self.db, "put_item", TableName=self.table,
                           Item=serialize(to_item(case)),
                           ConditionExpression="attribute_not_exists(case_id)"):
                raise CaseExists(case.case_id)
            return
        actions = [{"Put": {"TableName": self.table, "Item": serialize(to_item(case)),
                            "ConditionExpression": "attribute_not_exists(case_id)"}}]
        actions += [{"Put": {"TableName": self.table,
                             "Item": serialize({"case_id": claim_key(claim),
                                                "holder": case.case_id,
                                                "claimed_at": case.submitted_at}),
                             "ConditionExpression": "attribute_not_exists(case_id)"}}
                    for claim in case.claims]
        actions += also
        try:
            write_transaction(self.db, actions)
        except self.db.exceptions.TransactionCanceledException as error:
            failed = failed_conditions(error)
            if 0 in failed:
                raise CaseExists(case.case_id) from None
            for index in sorted(failed):
                if index > len(case.claims):
                    raise LedgerMoved(f"case {case.case_id}: the ledger moved") from None
                claim = case.claims[index - 1]
                raise ClaimTaken(claim, self.holder(claim)) from None
            for claim in case.claims:  # no reasons given: find the claim that is held
                if self.holder(claim) is not None:
                    raise ClaimTaken(claim, self.holder(claim)) from None
            raise

    def holder(self, claim: str) -> str | None:
        """The case holding ``claim``, or None."""
        item = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                Key={"case_id": {"S": claim_key(claim)}}).get("Item")
        return item["holder"]["S"] if item else None

    def release_actions(self, case: Case, target: str) -> list[dict[str, Any]]:
        """The deletes of the claims ``case`` lets go of on entering ``target`` (each only if
        this case holds it)."""
        return [{"Delete": {"TableName": self.table, "Key": {"case_id": {"S": claim_key(c)}},
                            "ConditionExpression": "attribute_not_exists(case_id) OR "
                                                   "holder = :case",
                            "ExpressionAttributeValues": {":case": {"S": case.case_id}}}}
                for c in case.claims if released_when(c, target)]

    def get(self, case_id: str, *, consistent: bool = False) -> Case | None:
        item = self.db.get_item(TableName=self.table, Key={"case_id": {"S": case_id}},
                                ConsistentRead=consistent).get("Item")
        return from_item(deserialize(item)) if item else None

    def transition(self, case: Case, target: str, stage: Stage, *,
                   also: Sequence[dict[str, Any]] = (), **changes: Any) -> Case | None:
        """Move ``case`` to ``target`` if it is still in the state it was read in.

        One ``UpdateItem``: the state, the time, the stage appended to the trail, the
        ``changes`` (a ``None`` removes the attribute) and the review index key, under
        ``state = :from``. Returns the case as stored, or None when the case had moved on
        (a repeated or out-of-order message: nothing is written).

        When the move lets go of claims (:func:`~etax.refunds.cases.released_when`) or
        ``also`` holds other actions (the ledger's record of a refund), all of it is one
        ``TransactWriteItems``: the case moves if and only if they are written;
        :class:`LedgerMoved` if one of the other actions' conditions failed.
        """
        moved = case.moved(target, stage, **changes)
        stored = to_item(moved)
        names = {"#state": "state", "#updated_at": "updated_at", "#trail": "trail"}
        values: dict[str, Any] = {":from": case.state, ":to": target, ":at": stage.at,
                                  ":stage": [as_json(stage)]}
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
        update = {"TableName": self.table, "Key": {"case_id": {"S": case.case_id}},
                  "UpdateExpression": expression, "ConditionExpression": "#state = :from",
                  "ExpressionAttributeNames": names,
                  "ExpressionAttributeValues": serialize(values)}
        others = [*also, *self.release_actions(case, target)]
        if others:
            try:
                write_transaction(self.db, [{"Update": update}, *others])
            except self.db.exceptions.TransactionCanceledException as error:
                reasons = cancellation_codes(error)
                if not reasons or reasons[0] == "ConditionalCheckFailed":
                    current = self.get(case.case_id, consistent=True)
                    if current is None or current.state != case.state:
                        return None
                raise LedgerMoved(f"case {case.case_id}: {reasons}") from None
            return self.get(case.case_id, consistent=True)
        try:
            answer = self.db.update_item(**update, ReturnValues="ALL_NEW")
        except self.db.exceptions.ConditionalCheckFailedException:
            return None
        return from_item(deserialize(answer["Attributes"]))

    def record_failure(self, case_id: str, *, state: str, error: str, at: str) -> bool:
        """Count a failed attempt on a case still in ``state`` (the payment stage's retries)."""
        return applied(
            self.db, "update_item",
            TableName=self.table, Key={"case_id": {"S": case_id}},
            UpdateExpression="ADD attempts :one SET last_error = :error, updated_at = :at",
            ConditionExpression="#state = :state",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=serialize({":one": 1, ":error": error[:500],
                                                 ":at": at, ":state": state}))

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
