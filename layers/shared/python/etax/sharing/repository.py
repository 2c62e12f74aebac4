"""The sharing table (its layout: :mod:`etax.sharing`): consents, their reads, the guard of a
partner's open request."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from etax.errors import AlreadyExists, Malformed, StateChanged
from etax.platform.aws import DynamoAccess
from etax.platform.cursors import decode_cursor, encode_cursor
from etax.platform.dynamo import int_attr, table_name, text_attr, transact
from etax.sharing.consents import AUTHORISED, Consent
from etax.sharing.feed import Entry
from etax.sharing.tables import PAIR_INDEX, TAXPAYER_INDEX

PAIR_LIMIT = 100
"""the consents of one partner and one taxpayer a read looks through, newest first"""


def stamp(moment: datetime) -> str:
    """An instant as stored: UTC, ISO 8601 to the second (so stamps compare as text)."""
    if moment.tzinfo is None:
        raise ValueError("an instant must carry its time zone")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def pair(partner: str, taxpayer: str) -> str:
    return f"{partner}#{taxpayer}"


def _key(consent_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"consent#{consent_id}"}, "sk": {"S": "consent"}}


def _guard_key(partner: str, taxpayer: str) -> dict[str, Any]:
    return {"pk": {"S": f"pair#{pair(partner, taxpayer)}"}, "sk": {"S": "awaiting"}}


def _item(consent: Consent) -> dict[str, Any]:
    item: dict[str, Any] = {
        **_key(consent.consent_id),
        "consent_id": {"S": consent.consent_id}, "taxpayer": {"S": consent.taxpayer},
        "partner": {"S": consent.partner}, "pair": {"S": pair(consent.partner,
                                                              consent.taxpayer)},
        "created_key": {"S": f"{stamp(consent.created_at)}#{consent.consent_id}"},
        "scopes": {"S": json.dumps(list(consent.scopes))}, "purpose": {"S": consent.purpose},
        "status": {"S": consent.status}, "created_at": {"S": stamp(consent.created_at)},
        "created_by": {"S": consent.created_by}, "expires_at": {"S": stamp(consent.expires_at)},
        "updated_at": {"S": stamp(consent.updated_at)}, "reads": {"N": str(consent.reads)},
    }
    for name in ("authorised_at", "ended_at", "last_read_at"):
        value = getattr(consent, name)
        if value is not None:
            item[name] = {"S": stamp(value)}
    return item


def consent_from_item(item: dict[str, Any]) -> Consent:
    return Consent(
        consent_id=item["consent_id"]["S"], taxpayer=item["taxpayer"]["S"],
        partner=item["partner"]["S"], scopes=tuple(json.loads(item["scopes"]["S"])),
        purpose=item["purpose"]["S"], status=item["status"]["S"],
        created_at=datetime.fromisoformat(item["created_at"]["S"]),
        created_by=item["created_by"]["S"],
        expires_at=datetime.fromisoformat(item["expires_at"]["S"]),
        updated_at=datetime.fromisoformat(item["updated_at"]["S"]),
        authorised_at=_instant(text_attr(item, "authorised_at")),
        ended_at=_instant(text_attr(item, "ended_at")),
        reads=int_attr(item, "reads"), last_read_at=_instant(text_attr(item, "last_read_at")))


class ConsentWithdrawn(StateChanged):
    """The consent stopped permitting the read between the look-up and the read."""


class SharingRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("SHARING_TABLE")

    def create(self, consent: Consent, *, guard: bool) -> None:
        """Write a new consent; with ``guard`` (a partner's request) also the guard, which
        fails while another request of the pair awaits its answer (AlreadyExists naming it)."""
        actions: list[dict[str, Any]] = [{"Put": {
            "TableName": self.table, "Item": _item(consent),
            "ConditionExpression": "attribute_not_exists(pk)"}}]
        if guard:
            actions.append({"Put": {
                "TableName": self.table,
                "Item": {**_guard_key(consent.partner, consent.taxpayer),
                         "consent_id": {"S": consent.consent_id},
                         "expires_at": {"S": stamp(consent.expires_at)},
                         "guard_expires": {"N": str(int(consent.expires_at.timestamp()))}},
                "ConditionExpression": "attribute_not_exists(pk) OR expires_at <= :now",
                "ExpressionAttributeValues": {":now": {"S": stamp(consent.created_at)}}}})
        transact(self.db, actions, {
            0: lambda: AlreadyExists("a consent with this id exists; retry"),
            1: lambda: AlreadyExists(
                f"your request {self._awaiting(consent.partner, consent.taxpayer)} to this "
                "taxpayer still awaits its answer", field="credit_code")})

    def _awaiting(self, partner: str, taxpayer: str) -> str:
        item = self.db.get_item(TableName=self.table, Key=_guard_key(partner, taxpayer),
                                ConsistentRead=True).get("Item")
        return item["consent_id"]["S"] if item else "(answered since)"

    def get(self, consent_id: str) -> Consent | None:
        item = self.db.get_item(TableName=self.table, Key=_key(consent_id),
                                ConsistentRead=True).get("Item")
        return consent_from_item(item) if item else None

    def move(self, before: Consent, after: Consent) -> None:
        """``before`` → ``after``: the status and its instants only, if the status has not
        moved since ``before`` was read (StateChanged if it has). A read counted meanwhile
        touches only the read counter, so it neither stops the move nor is undone by it. A
        partner's request leaving AwaitingAuthorisation frees its guard in the same
        transaction."""
        moved = {name: getattr(after, name) for name in ("authorised_at", "ended_at")
                 if getattr(after, name) is not None}
        values: dict[str, Any] = {":status": {"S": before.status}, ":to": {"S": after.status},
                                  ":updated": {"S": stamp(before.updated_at)},
                                  ":now": {"S": stamp(after.updated_at)},
                                  **{f":{n}": {"S": stamp(v)} for n, v in moved.items()}}
        actions: list[dict[str, Any]] = [{"Update": {
            "TableName": self.table, "Key": _key(before.consent_id),
            "UpdateExpression": "SET #s = :to, updated_at = :now"
                                + "".join(f", {n} = :{n}" for n in moved),
            "ConditionExpression": "#s = :status AND updated_at = :updated",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": values}}]
        if before.created_by == "partner" and before.authorised_at is None:
            actions.append({"Delete": {
                "TableName": self.table, "Key": _guard_key(before.partner, before.taxpayer),
                "ConditionExpression": "attribute_not_exists(pk) OR consent_id = :id",
                "ExpressionAttributeValues": {":id": {"S": before.consent_id}}}})
        transact(self.db, actions, {0: lambda: StateChanged(
            f"consent {before.consent_id} changed meanwhile; read it again")})

    def of_taxpayer(self, taxpayer: str, cursor: str | None,
                    limit: int) -> tuple[list[Consent], str | None]:
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": TAXPAYER_INDEX, "Limit": limit,
            "KeyConditionExpression": "taxpayer = :t", "ScanIndexForward": False,
            "ExpressionAttributeValues": {":t": {"S": taxpayer}}}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(
                cursor, ("pk", "sk", "taxpayer", "created_key"), {"taxpayer": taxpayer})
        page = self.db.query(**request)
        return ([consent_from_item(i) for i in page["Items"]],
                encode_cursor(page.get("LastEvaluatedKey")))

    def of_pair(self, partner: str, taxpayer: str) -> list[Consent]:
        page = self.db.query(
            TableName=self.table, IndexName=PAIR_INDEX, Limit=PAIR_LIMIT,
            KeyConditionExpression="#p = :p", ScanIndexForward=False,
            ExpressionAttributeNames={"#p": "pair"},
            ExpressionAttributeValues={":p": {"S": pair(partner, taxpayer)}})
        return [consent_from_item(i) for i in page["Items"]]

    def record_read(self, consent: Consent, scope: str, read_id: str, now: datetime) -> None:
        """The read, logged in the transaction that checks the consent still permits it
        (Authorised, not expired at ``now``): a read racing a revocation is either logged and
        answered, or refused (ConsentWithdrawn); never answered unlogged."""
        at = stamp(now)
        transact(self.db, [
            {"Put": {"TableName": self.table, "Item": {
                "pk": {"S": f"consent#{consent.consent_id}"},
                "sk": {"S": f"read#{now.astimezone(UTC).isoformat(timespec='microseconds')}"
                            f"#{read_id}"}, "read_id": {"S": read_id},
                "scope": {"S": scope}, "partner": {"S": consent.partner}, "at": {"S": at}},
                "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {
                "TableName": self.table, "Key": _key(consent.consent_id),
                "UpdateExpression": "ADD #r :one SET last_read_at = :at",
                "ConditionExpression": "#s = :authorised AND expires_at > :at",
                "ExpressionAttributeNames": {"#r": "reads", "#s": "status"},
                "ExpressionAttributeValues": {":one": {"N": "1"}, ":at": {"S": at},
                                              ":authorised": {"S": AUTHORISED}}}},
        ], {1: lambda: ConsentWithdrawn("the consent no longer permits this read"),
            0: lambda: AlreadyExists("this read was logged already; retry")})

    def reads(self, consent_id: str, cursor: str | None,
              limit: int) -> tuple[list[dict[str, str]], str | None]:
        """The consent's reads, newest first."""
        request: dict[str, Any] = {
            "TableName": self.table, "Limit": limit, "ScanIndexForward": False,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :read)",
            "ExpressionAttributeValues": {":pk": {"S": f"consent#{consent_id}"},
                                          ":read": {"S": "read#"}}}
        if cursor:
            start = decode_cursor(cursor, ("pk", "sk"), {"pk": f"consent#{consent_id}"})
            if not start["sk"]["S"].startswith("read#"):
                raise Malformed("this cursor does not come from this list", field="cursor")
            request["ExclusiveStartKey"] = start
        page = self.db.query(**request)
        return ([{name: value["S"] for name, value in item.items()
                  if name in ("read_id", "scope", "partner", "at")} for item in page["Items"]],
                encode_cursor(page.get("LastEvaluatedKey")))


class FeedRepository(DynamoAccess):
    """Each department's feed in the sharing table: ``pk = feed#<department>``,
    ``sk = <received at, UTC, microseconds>#<event id>``, the fact as JSON; and beside each
    entry its guard (``pk = listed#<department>#<event id>``, ``sk = guard``), written in the
    same transaction, so a redelivered fact is listed once. Both are kept
    :data:`~etax.sharing.feed.KEEP_DAYS` days (the table's TTL)."""

    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("SHARING_TABLE")

    def append(self, department: str, entry: Entry) -> bool:
        """The entry on the department's feed; False when its fact is there already."""
        expires = {"N": str(entry.expires())}
        try:
            transact(self.db, [
                {"Put": {"TableName": self.table, "Item": {
                    "pk": {"S": f"listed#{department}#{entry.event_id}"}, "sk": {"S": "guard"},
                    "guard_expires": expires},
                    "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Put": {"TableName": self.table, "Item": {
                    "pk": {"S": f"feed#{department}"}, "sk": {"S": entry.position},
                    "entry": {"S": json.dumps(entry.shown(), ensure_ascii=False)},
                    "guard_expires": expires}}},
            ], {0: lambda: AlreadyExists("listed already")})
        except AlreadyExists:
            return False
        return True

    def page(self, department: str, cursor: str | None, before: str,
             limit: int) -> tuple[list[dict[str, Any]], str | None]:
        """The entries after ``cursor`` (one this department's feed gave, else Malformed
        naming ``cursor``) and before ``before`` (an instant), oldest first, and the cursor
        after the last of them (the one given when there are none)."""
        partition = f"feed#{department}"
        request: dict[str, Any] = {
            "TableName": self.table, "Limit": limit,
            "KeyConditionExpression": "pk = :pk AND sk < :before",
            "ExpressionAttributeValues": {":pk": {"S": partition}, ":before": {"S": before}}}
        start = decode_cursor(cursor, ("pk", "sk"), {"pk": partition}) if cursor else None
        if start is not None:
            request["ExclusiveStartKey"] = start
        items = self.db.query(**request)["Items"]
        last = {"pk": items[-1]["pk"], "sk": items[-1]["sk"]} if items else start
        return [json.loads(i["entry"]["S"]) for i in items], encode_cursor(last)
