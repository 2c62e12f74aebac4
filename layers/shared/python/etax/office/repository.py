"""The mobile office's table (keys: :mod:`etax.office`): field documents and their numbers,
the on-duty roster, the alerts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from etax.errors import StateChanged
from etax.office.tables import REVIEWING_INDEX
from etax.platform.aws import DynamoAccess
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.dynamo import (
    applied,
    attribute,
    failed_conditions,
    from_item,
    int_attr,
    pages,
    stepped,
    table_name,
    to_item,
    transact,
    write_transaction,
)

PAGE = 50
ALERTS = "alerts"
DUTY = "duty"


class SequenceMoved(Exception):
    """Another document took the next number meanwhile: number it again."""


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def document_key(document_id: str) -> dict[str, Any]:
    return _key(f"fdoc#{document_id}", "doc")


def number_key(number: str) -> dict[str, Any]:
    return _key(f"fnum#{number}", "doc")


def approval_key(approval_id: str) -> dict[str, Any]:
    return _key(f"appr#{approval_id}", "doc")


def sequence_key(office: str, kind: str, year: int) -> dict[str, Any]:
    return _key(f"fseq#{office}#{kind}#{year}", "seq")


class OfficeRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("OFFICE_TABLE")

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, Key=key, ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def _put_new(self, key: dict[str, Any], values: Mapping[str, Any]) -> bool:
        return applied(self.db, "put_item", TableName=self.table,
                       Item={**to_item(values), **key},
                       ConditionExpression="attribute_not_exists(pk)")

    # -- field documents ----------------------------------------------------------------------

    def put_draft(self, document_id: str, values: Mapping[str, Any]) -> bool:
        return self._put_new(document_key(document_id), values)

    def document(self, document_id: str) -> dict[str, Any] | None:
        return self._get(document_key(document_id))

    def document_of_number(self, number: str) -> dict[str, Any] | None:
        pointer = self._get(number_key(number))
        return self.document(pointer["document_id"]) if pointer else None

    def last_number(self, office: str, kind: str, year: int) -> int:
        item = self.db.get_item(TableName=self.table, Key=sequence_key(office, kind, year),
                                ConsistentRead=True).get("Item")
        return int_attr(item or {}, "n")

    def issue(self, document_id: str, *, office: str, kind: str, year: int, sequence: int,
              number: str, issued: Mapping[str, Any], step: Mapping[str, Any]) -> None:
        """Number ``sequence`` taken (the last one being ``sequence - 1``), the draft issued
        with ``issued``'s values and ``step`` on its trail, and the number pointing at it — in
        one transaction. :class:`SequenceMoved` if another document took the number;
        StateChanged if the draft was issued meanwhile."""
        previous = {":previous": {"N": str(sequence - 1)}}
        taken = ("attribute_not_exists(n)" if sequence == 1 else "n = :previous")
        values = to_item({f":{k}": v for k, v in issued.items()})
        sets = ", ".join(f"#{k} = :{k}" for k in issued)
        actions: list[dict[str, Any]] = [
            {"Update": {"TableName": self.table, "Key": sequence_key(office, kind, year),
                        "UpdateExpression": "SET n = :next",
                        "ConditionExpression": taken,
                        "ExpressionAttributeValues": {":next": {"N": str(sequence)},
                                                      **(previous if sequence > 1 else {})}}},
            {"Update": {"TableName": self.table, "Key": document_key(document_id),
                        "UpdateExpression": f"SET {sets}, trail = list_append(trail, :step) "
                                            "REMOVE expires_at",
                        "ConditionExpression": "#state = :drafted",
                        "ExpressionAttributeNames": {**{f"#{k}": k for k in issued},
                                                     "#state": "state"},
                        "ExpressionAttributeValues": {
                            **values, ":drafted": {"S": "drafted"},
                            ":step": {"L": [attribute(dict(step))]}}}},
            {"Put": {"TableName": self.table,
                     "Item": {**number_key(number), "document_id": {"S": document_id}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
        ]
        try:
            write_transaction(self.db, actions)
        except self.db.exceptions.TransactionCanceledException as error:
            failed = failed_conditions(error)
            if 1 in failed:
                raise StateChanged("this document was issued or withdrawn meanwhile",
                                   field="document_id") from None
            if failed & {0, 2}:
                raise SequenceMoved from None
            raise

    def withdraw(self, document_id: str, step: Mapping[str, Any], at: str) -> None:
        """issued → withdrawn with ``step`` on the trail; StateChanged if it is not issued."""
        if not applied(self.db, "update_item", TableName=self.table,
                       Key=document_key(document_id),
                       UpdateExpression="SET #state = :withdrawn, withdrawn_at = :at, "
                                        "trail = list_append(trail, :step)",
                       ConditionExpression="#state = :issued",
                       ExpressionAttributeNames={"#state": "state"},
                       ExpressionAttributeValues={
                           ":withdrawn": {"S": "withdrawn"}, ":issued": {"S": "issued"},
                           ":at": {"S": at}, ":step": {"L": [attribute(dict(step))]}}):
            raise StateChanged("only an issued document is withdrawn", field="document_id")

    # -- the on-duty roster ---------------------------------------------------------------------

    def put_shift(self, ends_at: str, shift_id: str, values: Mapping[str, Any]) -> None:
        self._put_new(_key(DUTY, f"{ends_at}#{shift_id}"), values)

    def shifts_ending_after(self, moment: str) -> list[dict[str, Any]]:
        """Every shift that ends after ``moment`` (ISO, UTC ``Z``): the current and the coming."""
        return [from_item(item) for page in pages(
            self.db, "query", TableName=self.table, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND sk > :after",
            ExpressionAttributeValues={":pk": {"S": DUTY}, ":after": {"S": moment}})
            for item in page.get("Items", [])]

    def delete_shift(self, sk: str) -> bool:
        return applied(self.db, "delete_item", TableName=self.table, Key=_key(DUTY, sk),
                       ConditionExpression="attribute_exists(pk)")

    # -- alerts ---------------------------------------------------------------------------------

    def raise_alert(self, alarm: str, alert_id: str, values: Mapping[str, Any]) -> bool:
        """The alert, once, and the alarm's open alert pointing at it, in one transaction;
        False if this alert was recorded before."""
        try:
            transact(self.db, [
                {"Put": {"TableName": self.table,
                         "Item": {**to_item(values), **_key(ALERTS, alert_id)},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"TableName": self.table,
                         "Item": {**_key(f"alarm#{alarm}", "open"),
                                  "alert_id": {"S": alert_id},
                                  "expires_at": {"N": str(values["expires_at"])}}}},
            ], {0: lambda: StateChanged("recorded before")})
        except StateChanged:
            return False
        return True

    def alert(self, alert_id: str) -> dict[str, Any] | None:
        return self._get(_key(ALERTS, alert_id))

    def open_alert_of(self, alarm: str) -> str | None:
        item = self._get(_key(f"alarm#{alarm}", "open"))
        return str(item["alert_id"]) if item else None

    def resolve(self, alarm: str, alert_id: str, at: str) -> bool:
        """The open alert resolved and the alarm's pointer removed, in one transaction; False
        if it was resolved before (a redelivered OK)."""
        try:
            transact(self.db, [
                {"Update": {"TableName": self.table, "Key": _key(ALERTS, alert_id),
                            "UpdateExpression": "SET resolved_at = :at",
                            "ConditionExpression": "attribute_exists(pk) AND "
                                                   "attribute_not_exists(resolved_at)",
                            "ExpressionAttributeValues": {":at": {"S": at}}}},
                {"Delete": {"TableName": self.table, "Key": _key(f"alarm#{alarm}", "open"),
                            "ConditionExpression": "alert_id = :id",
                            "ExpressionAttributeValues": {":id": {"S": alert_id}}}},
            ], {0: lambda: StateChanged("resolved before"),
                1: lambda: StateChanged("resolved before")})
        except StateChanged:
            return False
        return True

    def acknowledge(self, alert_id: str, officer: str, at: str) -> bool:
        """The alert acknowledged by ``officer``, once; False if it was before."""
        return applied(self.db, "update_item", TableName=self.table, Key=_key(ALERTS, alert_id),
                       UpdateExpression="SET acknowledged_by = :by, acknowledged_at = :at",
                       ConditionExpression="attribute_exists(pk) AND "
                                           "attribute_not_exists(acknowledged_by)",
                       ExpressionAttributeValues={":by": {"S": officer}, ":at": {"S": at}})

    def alerts(self, recipient: str | None, cursor: str | None,
               limit: int = PAGE) -> tuple[list[dict[str, Any]], str | None]:
        """A page of alerts, newest first; only those sent to ``recipient`` when given."""
        request: dict[str, Any] = {
            "TableName": self.table, "Limit": limit, "ScanIndexForward": False,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": ALERTS}}}
        if recipient is not None:
            request["FilterExpression"] = "contains(recipients, :me)"
            request["ExpressionAttributeValues"][":me"] = {"S": recipient}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor, ("pk", "sk"), {"pk": ALERTS})
        answer = self.db.query(**request)
        return ([{**from_item(i), "alert_id": i["sk"]["S"]} for i in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))

    # -- internal approvals ---------------------------------------------------------------------

    def put_approval(self, approval_id: str, values: Mapping[str, Any]) -> bool:
        return self._put_new(approval_key(approval_id), values)

    def approval(self, approval_id: str) -> dict[str, Any] | None:
        return self._get(approval_key(approval_id))

    def change_approval(self, approval_id: str, version: int, values: Mapping[str, Any],
                        step: Mapping[str, Any], reviewing: tuple[str, str] | None) -> bool:
        """The approval read at ``version`` changed to ``values`` with ``step`` on its trail,
        waiting for ``reviewing`` (its index key and queue position) or for nobody; False if it
        changed meanwhile."""
        if reviewing is None:
            return stepped(self.db, self.table, approval_key(approval_id), version, values,
                           step, removes=("reviewing", "queued"))
        return stepped(self.db, self.table, approval_key(approval_id), version,
                       {**values, "reviewing": reviewing[0], "queued": reviewing[1]}, step)

    def approvals(self, index: str, key: str, cursor: str | None,
                  limit: int = PAGE) -> tuple[list[dict[str, Any]], str | None]:
        """A page of the approvals of ``index`` (:data:`REVIEWING_INDEX`: waiting for
        ``key``'s officer, longest waiting first; :data:`SUBMITTED_INDEX`: submitted by them,
        newest first)."""
        partition = "reviewing" if index == REVIEWING_INDEX else "submitter"
        sort = "queued" if index == REVIEWING_INDEX else "pk"
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": index, "Limit": limit,
            "ScanIndexForward": index == REVIEWING_INDEX,
            "KeyConditionExpression": f"{partition} = :key",
            "ExpressionAttributeValues": {":key": {"S": key}}}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, tuple(dict.fromkeys(("pk", "sk", partition, sort))), {partition: key})
        answer = self.db.query(**request)
        return ([{**from_item(i), "id": i["pk"]["S"].removeprefix("appr#")}
                 for i in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))
