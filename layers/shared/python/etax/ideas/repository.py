"""DynamoDB access for the idea space (``IDEAS_TABLE``, :mod:`etax.ideas.tables`), by ``pk``:

- ``idea#<id>`` / ``idea`` — the idea (its trail, ``supports``, ``version``: each change of
  state conditioned on it); ``listed = ideas`` and ``listed_at = <submitted at>#<id>`` while
  the public sees it (the ``by_listing`` index), ``hidden_listed = hidden`` once hidden (the
  ``by_hidden`` index);
- ``idea#<id>`` / ``support#<subject>`` — a support, once a person (written with the count in
  one transaction); ``idea#<id>`` / ``comment#<at>#<cid>`` — a comment;
- ``quota#<subject>#<kind>`` / ``<day>`` — a person's count of ``kind`` that day (TTL).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from etax.errors import StateChanged
from etax.ideas.tables import AUTHOR_INDEX, HIDDEN_INDEX, LISTING_INDEX
from etax.platform.aws import DynamoAccess
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.dynamo import (
    applied,
    count_under,
    from_item,
    pages,
    stepped,
    table_name,
    to_item,
    transact,
)

LISTED: Final = "ideas"
HIDDEN: Final = "hidden"
PAGE: Final = 20


class AlreadySupported(StateChanged):
    def __init__(self) -> None:
        super().__init__("you support this idea already: one support a person",
                         field="idea_id")


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def idea_key(idea_id: str) -> dict[str, Any]:
    return _key(f"idea#{idea_id}", "idea")


class IdeaRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("IDEAS_TABLE")

    def put_idea(self, idea_id: str, values: Mapping[str, Any]) -> bool:
        return applied(self.db, "put_item", TableName=self.table,
                       Item={**to_item({**values, "listed": LISTED,
                                        "listed_at": f"{values['submitted_at']}#{idea_id}"}),
                             **idea_key(idea_id)},
                       ConditionExpression="attribute_not_exists(pk)")

    def idea(self, idea_id: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, Key=idea_key(idea_id),
                                ConsistentRead=True).get("Item")
        return {**from_item(item), "id": idea_id} if item else None

    def change(self, idea_id: str, version: int, values: Mapping[str, Any],
               step: Mapping[str, Any], *, unlist: bool = False, hide: bool = False) -> bool:
        """The idea read at ``version`` changed to ``values``, ``step`` on its trail; taken out
        of the public list (``unlist``) and put on the hidden one (``hide``); False if it
        changed meanwhile."""
        return stepped(self.db, self.table, idea_key(idea_id), version,
                       {**values, **({"hidden_listed": HIDDEN} if hide else {})}, step,
                       removes=("listed",) if unlist or hide else ())

    def support(self, idea_id: str, subject: str, at: str, open_states: tuple[str, ...],
                now: str) -> None:
        """``subject``'s support and the idea's count, in one transaction, while the idea is
        open, listed and within its window; :class:`AlreadySupported` the second time,
        StateChanged if the idea closed meanwhile."""
        states = {f":s{i}": {"S": s} for i, s in enumerate(open_states)}
        transact(self.db, [
            {"Put": {"TableName": self.table,
                     "Item": {**_key(f"idea#{idea_id}", f"support#{subject}"),
                              "at": {"S": at}},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": self.table, "Key": idea_key(idea_id),
                        "UpdateExpression": "ADD supports :one",
                        "ConditionExpression": f"#state IN ({', '.join(states)}) AND "
                                               "window_ends > :now AND attribute_exists(listed)",
                        "ExpressionAttributeNames": {"#state": "state"},
                        "ExpressionAttributeValues": {":one": {"N": "1"},
                                                      ":now": {"S": now}, **states}}},
        ], {0: AlreadySupported,
            1: lambda: StateChanged("this idea takes no more supports", field="idea_id")})

    def supporters(self, idea_id: str) -> list[str]:
        return [item["sk"]["S"].removeprefix("support#") for page in pages(
            self.db, "query", TableName=self.table, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :support)",
            ExpressionAttributeValues={":pk": {"S": f"idea#{idea_id}"},
                                       ":support": {"S": "support#"}})
            for item in page.get("Items", [])]

    def move_support(self, target: str, subject: str, at: str) -> bool:
        """``subject``'s support given to ``target`` with its count, unless it supports it
        already (False); the target's state is the merge's to check."""
        try:
            transact(self.db, [
                {"Put": {"TableName": self.table,
                         "Item": {**_key(f"idea#{target}", f"support#{subject}"),
                                  "at": {"S": at}, "moved": {"BOOL": True}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Update": {"TableName": self.table, "Key": idea_key(target),
                            "UpdateExpression": "ADD supports :one",
                            "ConditionExpression": "attribute_exists(pk)",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            ], {0: AlreadySupported})
        except AlreadySupported:
            return False
        return True

    def add_comment(self, idea_id: str, comment_id: str, values: Mapping[str, Any]) -> None:
        self.db.put_item(TableName=self.table,
                         Item={**to_item(values),
                               **_key(f"idea#{idea_id}", f"comment#{values['at']}#{comment_id}")},
                         ConditionExpression="attribute_not_exists(pk)")

    def comments(self, idea_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """The idea's first ``limit`` comments, oldest first."""
        answer = self.db.query(
            TableName=self.table, Limit=limit,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :comment)",
            ExpressionAttributeValues={":pk": {"S": f"idea#{idea_id}"},
                                       ":comment": {"S": "comment#"}})
        return [{**from_item(i), "id": i["sk"]["S"].rsplit("#", 1)[1]}
                for i in answer.get("Items", [])]

    def listing(self, hidden: bool, cursor: str | None, state: str | None = None,
                limit: int = PAGE, author: str | None = None
                ) -> tuple[list[dict[str, Any]], str | None]:
        """A page of the ideas the public sees (the hidden ones; ``author``'s own, whatever
        their state), newest first; of one ``state`` when given (a filter: a page may hold
        fewer)."""
        index, partition, value = (
            (AUTHOR_INDEX, "author", author) if author is not None
            else (HIDDEN_INDEX, "hidden_listed", HIDDEN) if hidden
            else (LISTING_INDEX, "listed", LISTED))
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": index, "Limit": limit,
            "ScanIndexForward": False, "KeyConditionExpression": f"{partition} = :p",
            "ExpressionAttributeValues": {":p": {"S": value}}}
        if state:
            request["FilterExpression"] = "#state = :state"
            request["ExpressionAttributeNames"] = {"#state": "state"}
            request["ExpressionAttributeValues"][":state"] = {"S": state}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, ("pk", "sk", partition, "listed_at"), {partition: value})
        answer = self.db.query(**request)
        return ([{**from_item(i), "id": i["pk"]["S"].removeprefix("idea#")}
                 for i in answer.get("Items", [])],
                encode_cursor(answer.get("LastEvaluatedKey")))

    def count(self, subject: str, kind: str, day: str, ceiling: int, expires: int) -> bool:
        """One more of ``kind`` for ``subject`` on ``day`` while under ``ceiling``; False when
        the day's allowance is used up (nothing counted then)."""
        return count_under(self.db, self.table, _key(f"quota#{subject}#{kind}", day), ceiling,
                           expires)
