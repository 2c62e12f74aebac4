"""DynamoDB access for the violators list (:mod:`etax.violators.tables`).

- ``id = <case id>``, ``kind = case``: a case; while it waits for approval it carries
  ``pending_office = <office>`` and ``pending_rank = <deadline>#<id>`` (the sparse
  ``pending_by_office`` index, soonest deadline first), taken away when it is published; while
  it is published it carries
  ``public_list = violators``, ``public_office = <office>``, ``public_rank = <listed on>#<id>``
  (the sparse ``published``/``published_by_office`` indexes, newest first) and ``ends_on``
  (``by_end``: the daily run's Query); removal takes the three ``public_*`` attributes away;
- ``id = <announcement id>``, ``kind = announcement``: an audit-case announcement, listed by
  ``public_list = announcements`` on the ``published`` index.

Every change of state is conditional on the state read (:class:`~etax.errors.StateChanged`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, fields
from typing import Any, Final

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from etax.errors import AlreadyExists, StateChanged
from etax.platform.aws import DynamoAccess
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.dynamo import applied, pages, table_name
from etax.violators.model import PENDING, PUBLISHED, REMOVED, Case
from etax.violators.results import Announcement

LIST: Final = "violators"
ANNOUNCEMENTS: Final = "announcements"
PAGE: Final = 20
_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
_CASE_FIELDS = {f.name for f in fields(Case)}


def _item(values: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in values.items() if v is not None}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def case_from(item: dict[str, Any]) -> Case:
    plain = _plain(item)
    values = {k: v for k, v in plain.items() if k in _CASE_FIELDS}
    values["grounds"] = tuple(values.get("grounds") or ())
    values["facts"] = {k: (v if isinstance(v, bool) else int(v))
                       for k, v in (values.get("facts") or {}).items()}
    return Case(**values)


class ViolatorRepository(DynamoAccess):
    def __init__(self, client: Any | None = None, table: str | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name("VIOLATORS_TABLE")

    def create(self, case: Case) -> None:
        if not applied(self.db, "put_item", TableName=self.table,
                       Item=_item({**asdict(case), "kind": "case",
                                   "grounds": list(case.grounds),
                                   "pending_office": case.tax_office,
                                   "pending_rank": f"{case.deadline}#{case.id}"}),
                       ConditionExpression="attribute_not_exists(id)"):
            raise AlreadyExists(f"case {case.id} already exists", field="id")

    def get(self, case_id: str) -> Case | None:
        item = self.db.get_item(TableName=self.table, Key={"id": {"S": case_id}},
                                ConsistentRead=True).get("Item")
        if not item or item.get("kind", {}).get("S") != "case":
            return None
        return case_from(item)

    def publish(self, case: Case, approver: str) -> None:
        """``case`` (pending, recorded by someone else) approved by ``approver`` and published
        on ``case.listed_on`` until ``case.period_ends_on``."""
        if not applied(
                self.db, "update_item", TableName=self.table, Key={"id": {"S": case.id}},
                UpdateExpression="SET #state = :published, approved_by = :by, listed_on = :on, "
                                 "late = :late, period_ends_on = :ends, ends_on = :ends, "
                                 "public_list = :list, public_office = :office, "
                                 "public_rank = :rank REMOVE pending_office, pending_rank",
                ConditionExpression="#state = :pending AND recorded_by <> :by",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=_item({
                    ":published": PUBLISHED, ":pending": PENDING, ":by": approver,
                    ":on": case.listed_on, ":late": bool(case.late),
                    ":ends": case.period_ends_on, ":list": LIST, ":office": case.tax_office,
                    ":rank": f"{case.listed_on}#{case.id}"})):
            raise StateChanged(f"case {case.id} is no longer waiting for approval",
                               field="state")

    def remove(self, case: Case) -> None:
        """``case`` (published) taken off the list on ``case.removed_on``."""
        if not applied(
                self.db, "update_item", TableName=self.table, Key={"id": {"S": case.id}},
                UpdateExpression="SET #state = :removed, removed_on = :on, removal_reason = "
                                 ":reason, removed_by = :by"
                                 + (", removal_note = :note" if case.removal_note else "")
                                 + " REMOVE public_list, public_office, public_rank, ends_on",
                ConditionExpression="#state = :published",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=_item({
                    ":removed": REMOVED, ":published": PUBLISHED, ":on": case.removed_on,
                    ":reason": case.removal_reason, ":by": case.removed_by,
                    **({":note": case.removal_note} if case.removal_note else {})})):
            raise StateChanged(f"case {case.id} is not on the list", field="state")

    def published(self, office: str | None, cursor: str | None,
                  limit: int = PAGE) -> tuple[list[Case], str | None]:
        """A page of the entries published now (of ``office``), newest first: one Query."""
        index, partition, value = (("published_by_office", "public_office", office) if office
                                   else ("published", "public_list", LIST))
        items, after = self._page(index, partition, value, cursor, limit)
        return [case_from(i) for i in items], after

    def pending(self, office: str, cursor: str | None,
                limit: int = PAGE) -> tuple[list[Case], str | None]:
        """A page of ``office``'s cases waiting for approval, soonest deadline first."""
        items, after = self._page("pending_by_office", "pending_office", office, cursor, limit,
                                  rank="pending_rank", newest_first=False)
        return [case_from(i) for i in items], after

    def _page(self, index: str, partition: str, value: str, cursor: str | None,
              limit: int, *, rank: str = "public_rank",
              newest_first: bool = True) -> tuple[list[dict[str, Any]], str | None]:
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": index, "ScanIndexForward": not newest_first,
            "Limit": limit, "KeyConditionExpression": f"{partition} = :v",
            "ExpressionAttributeValues": {":v": {"S": value}}}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor, ("id", partition, rank),
                                                         {partition: value})
        answer = self.db.query(**request)
        return answer.get("Items", []), encode_cursor(answer.get("LastEvaluatedKey"))

    def ending(self, on: str) -> Iterator[Case]:
        """Every published entry whose period ends on or before ``on`` (``by_end``)."""
        for page in pages(self.db, "query", TableName=self.table, IndexName="by_end",
                          KeyConditionExpression="public_list = :list AND ends_on <= :on",
                          ExpressionAttributeValues={":list": {"S": LIST},
                                                     ":on": {"S": on}}):
            yield from (case_from(i) for i in page.get("Items", []))

    # -- audit-case announcements ---------------------------------------------------------------

    def announce(self, announcement: Announcement) -> None:
        if not applied(self.db, "put_item", TableName=self.table, Item=_item({
                **asdict(announcement), "kind": "announcement", "public_list": ANNOUNCEMENTS,
                "public_rank": f"{announcement.published_on}#{announcement.id}"}),
                ConditionExpression="attribute_not_exists(id)"):
            raise AlreadyExists(f"announcement {announcement.id} already exists", field="id")

    def announcements(self, cursor: str | None,
                      limit: int = PAGE) -> tuple[list[Announcement], str | None]:
        items, after = self._page("published", "public_list", ANNOUNCEMENTS, cursor, limit)
        names = {f.name for f in fields(Announcement)}
        return [Announcement(**{k: v for k, v in _plain(i).items() if k in names})
                for i in items], after
