"""The outreach table's items (layout in :mod:`etax.outreach`): one GetItem or one Query per
access, writes conditional, the subscription and its segment members in one transaction."""

from __future__ import annotations

from typing import Any, Final, Literal

from etax.errors import AlreadyExists, StateChanged
from etax.outreach.segments import Profile, Segment, subscriber_of
from etax.outreach.tables import WARNINGS_INDEX
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import (
    applied,
    attribute,
    cancellation_codes,
    from_item,
    pages,
    table_name,
    to_item,
    write_transaction,
)

PAGE: Final = 100
Outcome = Literal["sent", "capped", "again", "done"]


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def plain(item: dict[str, Any]) -> dict[str, Any]:
    """An item as Python values (numbers as int), its ``pk``'s id as ``id``, no keys."""
    values = {k: v for k, v in from_item(item).items() if k not in ("pk", "sk")}
    return {"id": item["pk"]["S"].split("#", 1)[1], **values}


def profile_from(item: dict[str, Any]) -> Profile:
    return Profile(subscriber=item["pk"]["S"].split("#", 1)[1],
                   topics=tuple(item["topics"]["SS"]) if "topics" in item else (),
                   province=item["province"]["S"], taxpayer_type=item["taxpayer_type"]["S"],
                   industry=item.get("industry", {"S": ""})["S"])


class OutreachRepository(DynamoAccess):
    def __init__(self, client: Any | None = None, table: str | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name("OUTREACH_TABLE")

    # -- subscriptions ----------------------------------------------------------------------

    def subscription(self, subscriber: str) -> tuple[Profile, dict[str, Any]] | None:
        """The subscription and its item's values (``revision``, ``updated_at``)."""
        item = self.db.get_item(TableName=self.table, ConsistentRead=True, Key={
            "pk": _s(f"subscriber#{subscriber}"), "sk": _s("profile")}).get("Item")
        return (profile_from(item), plain(item)) if item else None

    def replace(self, new: Profile | None, old: Profile | None, revision: int, at: str,
                subscriber: str) -> None:
        """The subscription becomes ``new`` (None: removed), its members with it, in one
        transaction conditional on the ``revision`` read (a concurrent change: StateChanged)."""
        key = {"pk": _s(f"subscriber#{subscriber}"), "sk": _s("profile")}
        keep = set(new.members()) if new else set()
        actions: list[dict[str, Any]] = []
        if old is not None:
            actions += [{"Delete": {"TableName": self.table,
                                    "Key": {"pk": _s(pk), "sk": _s(sk)}}}
                        for pk, sk in old.members() if (pk, sk) not in keep]
        had = set(old.members()) if old else set()
        if new is not None:
            actions += [{"Put": {"TableName": self.table, "Item": {
                "pk": _s(pk), "sk": _s(sk), "since": _s(at)}}}
                for pk, sk in new.members() if (pk, sk) not in had]
        condition = ("attribute_not_exists(pk)" if old is None else "revision = :revision")
        values = {} if old is None else {":revision": {"N": str(revision)}}
        if new is None:
            actions.append({"Delete": {"TableName": self.table, "Key": key,
                                       "ConditionExpression": condition,
                                       **({"ExpressionAttributeValues": values}
                                          if values else {})}})
        else:
            item = {**key, "topics": {"SS": list(new.topics)}, "province": _s(new.province),
                    "taxpayer_type": _s(new.taxpayer_type), "industry": _s(new.industry),
                    "updated_at": _s(at), "revision": {"N": str(revision + 1)}}
            actions.append({"Put": {"TableName": self.table, "Item": item,
                                    "ConditionExpression": condition,
                                    **({"ExpressionAttributeValues": values} if values else {})}})
        try:
            write_transaction(self.db, actions)
        except self.db.exceptions.TransactionCanceledException as error:
            if "ConditionalCheckFailed" in cancellation_codes(error):
                raise StateChanged("the subscription changed meanwhile: read it and try again",
                                   field="topics") from None
            raise

    # -- segments ---------------------------------------------------------------------------

    def members(self, partition: str, prefix: str | None, start: dict[str, Any] | None,
                limit: int = PAGE) -> tuple[list[str], dict[str, Any] | None]:
        """One page of a segment partition's members (``prefix``: of one industry)."""
        condition = "pk = :pk" + (" AND begins_with(sk, :prefix)" if prefix else "")
        values = {":pk": _s(partition), **({":prefix": _s(prefix)} if prefix else {})}
        request: dict[str, Any] = {"TableName": self.table, "KeyConditionExpression": condition,
                                   "ExpressionAttributeValues": values, "Limit": limit,
                                   "ProjectionExpression": "sk"}
        if start:
            request["ExclusiveStartKey"] = start
        page = self.db.query(**request)
        return ([subscriber_of(i["sk"]["S"]) for i in page.get("Items", [])],
                page.get("LastEvaluatedKey"))

    def distinct_members(self, segment: Segment) -> int:
        """How many people the segment holds (one in several partitions counted once).

        A person is a member of one partition per topic (its facts are one province, one
        taxpayer type, one industry), so a segment of one topic is counted by DynamoDB
        (``Select=COUNT``: no member read back); several topics read the members' keys to
        count each person once."""
        seen: set[str] = set()
        counted = 0
        for partition in segment.partitions():
            for prefix in segment.prefixes():
                condition = "pk = :pk" + (" AND begins_with(sk, :prefix)" if prefix else "")
                values = {":pk": _s(partition), **({":prefix": _s(prefix)} if prefix else {})}
                query: dict[str, Any] = {"TableName": self.table,
                                         "KeyConditionExpression": condition,
                                         "ExpressionAttributeValues": values}
                if len(segment.topics) == 1:
                    counted += sum(page["Count"] for page in pages(
                        self.db, "query", **query, Select="COUNT"))
                    continue
                for page in pages(self.db, "query", **query, ProjectionExpression="sk"):
                    seen.update(subscriber_of(i["sk"]["S"]) for i in page.get("Items", []))
        return counted + len(seen)

    # -- mailings ---------------------------------------------------------------------------

    def create_mailing(self, mailing_id: str, values: dict[str, Any]) -> None:
        if not applied(self.db, "put_item", TableName=self.table,
                       Item={"pk": _s(f"mailing#{mailing_id}"), "sk": _s("mailing"),
                             **to_item(values)},
                       ConditionExpression="attribute_not_exists(pk)"):
            raise AlreadyExists(f"mailing {mailing_id} exists already", field="id")

    def mailing(self, mailing_id: str) -> dict[str, Any] | None:
        item = self.db.get_item(
            TableName=self.table, ConsistentRead=True,
            Key={"pk": _s(f"mailing#{mailing_id}"), "sk": _s("mailing")}).get("Item")
        return plain(item) if item else None

    def deliver_once(self, mailing_id: str, subscriber: str, part: int, week: str, cap: int,
                     expires_at: int, at: str) -> Outcome:
        """Mark ``subscriber`` as reached by the mailing (by its ``part``) and count it in the
        week, in one transaction: ``sent``; the week's cap reached: ``capped`` (marked, not
        counted); marked before: ``again`` when sent by this same part (a page received again:
        publish it again, the fan-out drops the repeat by its id), else ``done`` (capped, or
        reached through another of the mailing's partitions)."""
        marker = {"pk": _s(f"mailing#{mailing_id}"), "sk": _s(f"to#{subscriber}")}
        try:
            write_transaction(self.db, [
                {"Put": {"TableName": self.table,
                         "Item": {**marker, "state": _s("sent"), "at": _s(at),
                                  "part": {"N": str(part)}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Update": {"TableName": self.table,
                            "Key": {"pk": _s(f"cap#{subscriber}#{week}"), "sk": _s("cap")},
                            "UpdateExpression": "ADD n :one SET expires_at = :ttl",
                            "ConditionExpression": "attribute_not_exists(n) OR n < :cap",
                            "ExpressionAttributeValues": {
                                ":one": {"N": "1"}, ":cap": {"N": str(cap)},
                                ":ttl": {"N": str(expires_at)}}}}])
            return "sent"
        except self.db.exceptions.TransactionCanceledException as error:
            codes = cancellation_codes(error)
            if codes and codes[0] == "ConditionalCheckFailed":
                found = self.db.get_item(TableName=self.table, Key=marker,
                                         ConsistentRead=True).get("Item") or {}
                again = (found.get("state", {}).get("S") == "sent"
                         and found.get("part", {}).get("N") == str(part))
                return "again" if again else "done"
            if len(codes) > 1 and codes[1] == "ConditionalCheckFailed":
                if applied(self.db, "put_item", TableName=self.table,
                           Item={**marker, "state": _s("capped"), "at": _s(at)},
                           ConditionExpression="attribute_not_exists(pk)"):
                    return "capped"
                return "done"
            raise

    def tally(self, mailing_id: str) -> tuple[int, int]:
        """(sent, capped) as the mailing's markers say."""
        sent = capped = 0
        for page in pages(self.db, "query", TableName=self.table,
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :to)",
                          ExpressionAttributeValues={":pk": _s(f"mailing#{mailing_id}"),
                                                     ":to": _s("to#")},
                          ProjectionExpression="#s", ExpressionAttributeNames={"#s": "state"}):
            for item in page.get("Items", []):
                if item["state"]["S"] == "sent":
                    sent += 1
                else:
                    capped += 1
        return sent, capped

    def finish(self, mailing_id: str, sent: int, capped: int, at: str) -> None:
        self.db.update_item(
            TableName=self.table,
            Key={"pk": _s(f"mailing#{mailing_id}"), "sk": _s("mailing")},
            UpdateExpression="SET #state = :sent_state, sent = :sent, capped = :capped, "
                             "sent_at = if_not_exists(sent_at, :at)",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":sent_state": _s("sent"), ":sent": {"N": str(sent)},
                                       ":capped": {"N": str(capped)}, ":at": _s(at)})



    # -- risk warnings ----------------------------------------------------------------------

    def create_warning(self, warning_id: str, values: dict[str, Any]) -> None:
        if not applied(self.db, "put_item", TableName=self.table,
                       Item={"pk": _s(f"warning#{warning_id}"), "sk": _s("warning"),
                             **to_item(values)},
                       ConditionExpression="attribute_not_exists(pk)"):
            raise AlreadyExists(f"warning {warning_id} exists already", field="id")

    def warning(self, warning_id: str) -> dict[str, Any] | None:
        item = self.db.get_item(
            TableName=self.table, ConsistentRead=True,
            Key={"pk": _s(f"warning#{warning_id}"), "sk": _s("warning")}).get("Item")
        return plain(item) if item else None

    def step(self, warning_id: str, state: str, new_state: str, step: dict[str, Any]) -> None:
        """Append ``step`` to the trail and move the state, if it is still ``state``."""
        if not applied(self.db, "update_item", TableName=self.table,
                       Key={"pk": _s(f"warning#{warning_id}"), "sk": _s("warning")},
                       UpdateExpression="SET #state = :new, trail = list_append(trail, :step)",
                       ConditionExpression="#state = :state",
                       ExpressionAttributeNames={"#state": "state"},
                       ExpressionAttributeValues={":new": _s(new_state), ":state": _s(state),
                                                  ":step": {"L": [attribute(step)]}}):
            raise StateChanged("the warning changed meanwhile: read it and try again",
                               field="action")

    def warnings_of(self, taxpayer: str, limit: int = 50) -> list[dict[str, Any]]:
        return [plain(item) for item in self.db.query(
            TableName=self.table, IndexName=WARNINGS_INDEX, Limit=limit,
            ScanIndexForward=False, KeyConditionExpression="warned = :t",
            ExpressionAttributeValues={":t": _s(taxpayer)}).get("Items", [])]

