"""The complaints table's repository (the layout is in :mod:`etax.complaints`): cases put
once, every change one conditional UpdateItem on the case's state, lists by one Query."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

from etax.complaints.model import Case
from etax.complaints.rules import OPEN_SHARDS
from etax.complaints.tables import DEADLINE_INDEX, FILER_INDEX, OFFICE_INDEX
from etax.errors import AlreadyExists
from etax.platform.aws import DynamoAccess
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.dynamo import applied, int_attr, pages, table_name, text_attr

PAGE = 50
OPTIONAL = ("filer", "reported", "secret_salt", "secret_hash", "answer", "refusal",
            "rating_comment")


def _key(case_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"case#{case_id}"}}


def _steps(values: tuple[dict[str, Any], ...] | list[dict[str, Any]]) -> dict[str, Any]:
    return {"L": [{"S": json.dumps(v, ensure_ascii=False, sort_keys=True)} for v in values]}


def _read_steps(item: dict[str, Any], name: str) -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(v["S"]) for v in item.get(name, {}).get("L", []))


def to_item(case: Case) -> dict[str, Any]:
    item: dict[str, Any] = {
        **_key(case.id), "id": {"S": case.id}, "kind": {"S": case.kind},
        "state": {"S": case.state}, "title": {"S": case.title}, "facts": {"S": case.facts},
        "office": {"S": case.office}, "filed_at": {"S": case.filed_at},
        "due_on": {"S": case.due_on}, "queued": {"S": f"{case.filed_at}#{case.id}"},
        "open_shard": {"S": OPEN_SHARDS.of(case.id)},
        "history": _steps(case.history), "escalations": _steps(case.escalations)}
    for name in OPTIONAL:
        value = getattr(case, name)
        if value is not None:
            item[name] = {"S": value}
    return item


def to_case(item: dict[str, Any]) -> Case:
    rating = int_attr(item, "rating", 0)
    return Case(
        id=item["id"]["S"], kind=item["kind"]["S"], state=item["state"]["S"],
        title=item["title"]["S"], facts=item["facts"]["S"], office=item["office"]["S"],
        filed_at=item["filed_at"]["S"], due_on=item["due_on"]["S"],
        **{name: text_attr(item, name) for name in OPTIONAL},
        rating=rating or None,
        escalations=_read_steps(item, "escalations"), history=_read_steps(item, "history"))


class CaseExists(AlreadyExists):
    def __init__(self, case_id: str) -> None:
        super().__init__(f"case {case_id} exists already", field="id")


class ComplaintsRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("COMPLAINTS_TABLE")

    def create(self, case: Case) -> None:
        if not applied(self.db, "put_item", TableName=self.table, Item=to_item(case),
                       ConditionExpression="attribute_not_exists(pk)"):
            raise CaseExists(case.id)

    def get(self, case_id: str) -> Case | None:
        item = self.db.get_item(TableName=self.table, Key=_key(case_id),
                                ConsistentRead=True).get("Item")
        return to_case(item) if item else None

    def change(self, case_id: str, *, states: frozenset[str], to: str, step: dict[str, Any],
               sets: dict[str, Any] | None = None, closes: bool = False,
               once: str | None = None) -> Case | None:
        """Move the case from one of ``states`` to ``to``, adding ``step`` to its history and
        setting ``sets``; ``closes`` takes it off the overdue index; ``once`` is an attribute
        that must not exist yet. None when the case was not in one of ``states``."""
        names = {"#state": "state"}
        values: dict[str, Any] = {":to": {"S": to}, ":step": _steps([step])}
        assignments = ["#state = :to", "history = list_append(history, :step)"]
        for index, (name, value) in enumerate((sets or {}).items()):
            names[f"#s{index}"] = name
            values[f":s{index}"] = {"N": str(value)} if isinstance(value, int) else {"S": value}
            assignments.append(f"#s{index} = :s{index}")
        allowed = []
        for index, state in enumerate(sorted(states)):
            values[f":from{index}"] = {"S": state}
            allowed.append(f":from{index}")
        condition = f"#state IN ({', '.join(allowed)})"
        if once is not None:
            names["#once"] = once
            condition += " AND attribute_not_exists(#once)"
        expression = "SET " + ", ".join(assignments) + (" REMOVE open_shard" if closes else "")
        try:
            answer = self.db.update_item(
                TableName=self.table, Key=_key(case_id), UpdateExpression=expression,
                ConditionExpression=f"attribute_exists(pk) AND {condition}",
                ExpressionAttributeNames=names, ExpressionAttributeValues=values,
                ReturnValues="ALL_NEW")
        except self.db.exceptions.ConditionalCheckFailedException:
            return None
        return to_case(answer["Attributes"])

    def _list(self, index: str, partition: str, value: str, cursor: str | None,
              state: str | None) -> tuple[list[Case], str | None]:
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": index,
            "KeyConditionExpression": "#p = :v", "ExpressionAttributeNames": {"#p": partition},
            "ExpressionAttributeValues": {":v": {"S": value}}, "ScanIndexForward": False,
            "Limit": PAGE}
        if state is not None:
            request["FilterExpression"] = "#state = :state"
            request["ExpressionAttributeNames"]["#state"] = "state"
            request["ExpressionAttributeValues"][":state"] = {"S": state}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor, ("pk", partition, "queued"),
                                                         {partition: value})
        answer = self.db.query(**request)
        return ([to_case(item) for item in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))

    def queue(self, office: str, cursor: str | None,
              state: str | None = None) -> tuple[list[Case], str | None]:
        """The office's cases, newest first: one Query of ``by_office``."""
        return self._list(OFFICE_INDEX, "office", office, cursor, state)

    def of_filer(self, filer: str, cursor: str | None) -> tuple[list[Case], str | None]:
        return self._list(FILER_INDEX, "filer", filer, cursor, None)

    def overdue(self, today: date, *, page_size: int = 500) -> Iterator[dict[str, str]]:
        """Open cases whose deadline is before ``today`` (a Query of ``by_deadline`` per
        shard)."""
        for shard in OPEN_SHARDS.all():
            for page in pages(self.db, "query", TableName=self.table, IndexName=DEADLINE_INDEX,
                              KeyConditionExpression="open_shard = :open AND due_on < :today",
                              ExpressionAttributeValues={":open": {"S": shard},
                                                         ":today": {"S": today.isoformat()}},
                              Limit=page_size):
                for item in page.get("Items", []):
                    yield {name: value["S"] for name, value in item.items() if "S" in value}

    def escalate(self, case_id: str, escalation: dict[str, Any],
                 step: dict[str, Any]) -> Case | None:
        """Mark an open case escalated, once: the escalation and its step added, the case off
        the overdue index. None when it was answered, refused or escalated meanwhile."""
        try:
            answer = self.db.update_item(
                TableName=self.table, Key=_key(case_id),
                UpdateExpression="SET escalations = list_append(escalations, :e), "
                                 "history = list_append(history, :step), escalated_on = :on "
                                 "REMOVE open_shard",
                ConditionExpression="attribute_exists(open_shard) AND "
                                    "attribute_not_exists(escalated_on) AND "
                                    "#state IN (:filed, :accepted)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":e": _steps([escalation]), ":step": _steps([step]),
                    ":on": {"S": escalation["on"]}, ":filed": {"S": "filed"},
                    ":accepted": {"S": "accepted"}},
                ReturnValues="ALL_NEW")
        except self.db.exceptions.ConditionalCheckFailedException:
            return None
        return to_case(answer["Attributes"])

    def release(self, case: Case) -> None:
        """Undo :meth:`escalate` (its event could not be published): the retry escalates it."""
        applied(self.db, "update_item", TableName=self.table, Key=_key(case.id),
                UpdateExpression=f"SET open_shard = :open REMOVE escalated_on, "
                                 f"escalations[{len(case.escalations) - 1}], "
                                 f"history[{len(case.history) - 1}]",
                ConditionExpression="attribute_exists(escalated_on)",
                ExpressionAttributeValues={":open": {"S": OPEN_SHARDS.of(case.id)}})
