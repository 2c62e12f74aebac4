"""DynamoDB access for the app square (``APPS_TABLE``, :mod:`etax.apps.tables`), by ``pk``:

- ``app#<id>`` / ``app`` — the app, its publisher (``owner``, ``owner_role``; ``by_owner``),
  its counts (``downloads``, ``published``, ``ratings``, ``score_sum``) and, while a version
  is published, ``listed`` and ``listed_key`` (``by_listing``: the public's list);
- ``app#<id>`` / ``version#<sortable number>`` — a version, its ``state`` (every move
  conditioned on the state it leaves) and, while waiting for a reviewer, ``in_review``
  (``by_review``);
- ``app#<id>`` / ``rating#<subject>`` — a person's rating, once;
- ``app#<id>`` / ``report#<version>#<subject>`` — a person's report of a broken version, once
  (counted on the version: ``reports``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from etax.apps import rules
from etax.apps.tables import LISTING_INDEX, OWNER_INDEX, REVIEW_INDEX
from etax.errors import StateChanged
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import applied, from_item, pages, table_name, to_item, transact

LISTED: Final = "apps"
REVIEW: Final = "review"
MAX_LISTED: Final = 500  # the public list read for a search (beyond: a search index)


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def app_key(app_id: str) -> dict[str, Any]:
    return _key(f"app#{app_id}", "app")


def version_key(app_id: str, version: str) -> dict[str, Any]:
    return _key(f"app#{app_id}", f"version#{rules.version_key(version)}")


class AlreadyRated(StateChanged):
    def __init__(self) -> None:
        super().__init__("you rated this app already: once a person", field="app_id")


class AlreadyReported(StateChanged):
    def __init__(self) -> None:
        super().__init__("you reported this version already: once a person", field="version")


class AppRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("APPS_TABLE")

    def put_app(self, app_id: str, values: Mapping[str, Any]) -> None:
        self.db.put_item(TableName=self.table,
                         Item={**to_item({**values, "downloads": 0, "published": 0,
                                          "ratings": 0, "score_sum": 0}), **app_key(app_id)},
                         ConditionExpression="attribute_not_exists(pk)")

    def app(self, app_id: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, Key=app_key(app_id),
                                ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def versions(self, app_id: str) -> list[dict[str, Any]]:
        """Every version of the app, the newest number first."""
        return [from_item(item) for page in pages(
            self.db, "query", TableName=self.table, ConsistentRead=True,
            ScanIndexForward=False,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :v)",
            ExpressionAttributeValues={":pk": {"S": f"app#{app_id}"}, ":v": {"S": "version#"}})
            for item in page.get("Items", [])]

    def version(self, app_id: str, version: str) -> dict[str, Any] | None:
        item = self.db.get_item(TableName=self.table, Key=version_key(app_id, version),
                                ConsistentRead=True).get("Item")
        return from_item(item) if item else None

    def declare(self, app_id: str, values: Mapping[str, Any]) -> bool:
        """A version declared (or declared again while its package is not accepted yet);
        False if the number is taken by one submitted, published or decided."""
        return applied(self.db, "put_item", TableName=self.table,
                       Item={**to_item(values), **version_key(app_id, values["version"])},
                       ConditionExpression="attribute_not_exists(pk) OR #state IN (:a, :f)",
                       ExpressionAttributeNames={"#state": "state"},
                       ExpressionAttributeValues={":a": {"S": rules.AWAITING_UPLOAD},
                                                  ":f": {"S": rules.FAILED_CHECKS}})

    def move(self, app_id: str, version: str, was: str, values: Mapping[str, Any],
             removes: tuple[str, ...] = ()) -> bool:
        """The version from state ``was`` to ``values`` (with its new ``state``); False if
        it was not in ``was``."""
        names = {f"#v{i}": name for i, name in enumerate(values)}
        sets = ", ".join(f"#v{i} = :v{i}" for i in range(len(values)))
        removed = f" REMOVE {', '.join(removes)}" if removes else ""
        return applied(self.db, "update_item", TableName=self.table,
                       Key=version_key(app_id, version),
                       UpdateExpression=f"SET {sets}{removed}",
                       ConditionExpression="#state = :was",
                       ExpressionAttributeNames={**names, "#state": "state"},
                       ExpressionAttributeValues={
                           **{f":v{i}": to_item({"v": v})["v"]
                              for i, v in enumerate(values.values())},
                           ":was": {"S": was}})

    def publish(self, app_id: str, version: str, at: str, by: str, listed_key: str,
                latest: str) -> None:
        """The version published and the app listed, in one transaction: StateChanged if
        the version left review meanwhile."""
        transact(self.db, [
            {"Update": {"TableName": self.table, "Key": version_key(app_id, version),
                        "UpdateExpression": "SET #state = :published, decided_at = :at, "
                                            "decided_by = :by REMOVE in_review",
                        "ConditionExpression": "#state = :review",
                        "ExpressionAttributeNames": {"#state": "state"},
                        "ExpressionAttributeValues": {
                            ":published": {"S": rules.PUBLISHED}, ":at": {"S": at},
                            ":by": {"S": by}, ":review": {"S": rules.IN_REVIEW}}}},
            {"Update": {"TableName": self.table, "Key": app_key(app_id),
                        "UpdateExpression": "SET listed = :listed, listed_key = :key, "
                                            "latest = :latest ADD published :one",
                        "ExpressionAttributeValues": {
                            ":listed": {"S": LISTED}, ":key": {"S": listed_key},
                            ":latest": {"S": latest}, ":one": {"N": "1"}}}},
        ], {0: lambda: StateChanged("this version is no longer waiting for review",
                                    field="version")})

    def withdraw(self, app_id: str, version: str, at: str, by: str, reason: str,
                 latest: str | None) -> None:
        """The published version withdrawn and the app's count and latest with it; the app
        leaves the public list when no version is published any more."""
        transact(self.db, [
            {"Update": {"TableName": self.table, "Key": version_key(app_id, version),
                        "UpdateExpression": "SET #state = :withdrawn, withdrawn_at = :at, "
                                            "withdrawn_by = :by, reason = :reason",
                        "ConditionExpression": "#state = :published",
                        "ExpressionAttributeNames": {"#state": "state"},
                        "ExpressionAttributeValues": {
                            ":withdrawn": {"S": rules.WITHDRAWN}, ":at": {"S": at},
                            ":by": {"S": by}, ":reason": {"S": reason},
                            ":published": {"S": rules.PUBLISHED}}}},
            {"Update": {"TableName": self.table, "Key": app_key(app_id),
                        "UpdateExpression": ("ADD published :minus SET latest = :latest"
                                             if latest else "ADD published :minus "
                                             "REMOVE latest, listed"),
                        "ExpressionAttributeValues": {
                            ":minus": {"N": "-1"},
                            **({":latest": {"S": latest}} if latest else {})}}},
        ], {0: lambda: StateChanged("only a published version is withdrawn",
                                    field="version")})

    def count_download(self, app_id: str, version: str) -> bool:
        """One more download of a published version (and of its app); False if the version
        is not published."""
        try:
            transact(self.db, [
                {"Update": {"TableName": self.table, "Key": version_key(app_id, version),
                            "UpdateExpression": "ADD downloads :one",
                            "ConditionExpression": "#state = :published",
                            "ExpressionAttributeNames": {"#state": "state"},
                            "ExpressionAttributeValues": {
                                ":one": {"N": "1"}, ":published": {"S": rules.PUBLISHED}}}},
                {"Update": {"TableName": self.table, "Key": app_key(app_id),
                            "UpdateExpression": "ADD downloads :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            ], {0: lambda: StateChanged("not offered", field="version")})
        except StateChanged:
            return False
        return True

    def rate(self, app_id: str, subject: str, values: Mapping[str, Any]) -> None:
        transact(self.db, [
            {"Put": {"TableName": self.table,
                     "Item": {**to_item(values), **_key(f"app#{app_id}", f"rating#{subject}")},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": self.table, "Key": app_key(app_id),
                        "UpdateExpression": "ADD ratings :one, score_sum :score",
                        "ConditionExpression": "attribute_exists(listed)",
                        "ExpressionAttributeValues": {
                            ":one": {"N": "1"}, ":score": {"N": str(values["score"])}}}},
        ], {0: AlreadyRated,
            1: lambda: StateChanged("only a listed app is rated", field="app_id")})

    def report(self, app_id: str, version: str, subject: str,
               values: Mapping[str, Any]) -> None:
        """A person's report of a published version, once, counted on the version."""
        transact(self.db, [
            {"Put": {"TableName": self.table,
                     "Item": {**to_item(values),
                              **_key(f"app#{app_id}", f"report#{version}#{subject}")},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": self.table, "Key": version_key(app_id, version),
                        "UpdateExpression": "ADD reports :one",
                        "ConditionExpression": "#state = :published",
                        "ExpressionAttributeNames": {"#state": "state"},
                        "ExpressionAttributeValues": {
                            ":one": {"N": "1"}, ":published": {"S": rules.PUBLISHED}}}},
        ], {0: AlreadyReported,
            1: lambda: StateChanged("only a published version is reported", field="version")})

    def listed(self) -> list[dict[str, Any]]:
        """The apps the public sees, by name (at most :data:`MAX_LISTED`)."""
        found: list[dict[str, Any]] = []
        for page in pages(self.db, "query", TableName=self.table, IndexName=LISTING_INDEX,
                          KeyConditionExpression="listed = :l",
                          ExpressionAttributeValues={":l": {"S": LISTED}}):
            found.extend(from_item(i) for i in page.get("Items", []))
            if len(found) >= MAX_LISTED:
                break
        return found[:MAX_LISTED]

    def owned(self, owner: str) -> list[dict[str, Any]]:
        return [from_item(item) for page in pages(
            self.db, "query", TableName=self.table, IndexName=OWNER_INDEX,
            ScanIndexForward=False, KeyConditionExpression="#owner = :o",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":o": {"S": owner}})
            for item in page.get("Items", [])]

    def in_review(self, limit: int = 50) -> list[dict[str, Any]]:
        """The versions waiting for a reviewer, the longest waiting first."""
        answer = self.db.query(TableName=self.table, IndexName=REVIEW_INDEX, Limit=limit,
                               KeyConditionExpression="in_review = :r",
                               ExpressionAttributeValues={":r": {"S": REVIEW}})
        return [from_item(i) for i in answer.get("Items", [])]
