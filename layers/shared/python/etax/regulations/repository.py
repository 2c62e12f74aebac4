"""DynamoDB access for the regulations library (:mod:`etax.regulations.tables`).

One item collection per work, ``pk = work#<id>``:

- ``sk = work`` — the work's facts and ``latest``, the number of its last published version
  (the publishing transaction's guard);
- ``sk = version#00001`` … — each published version, written once (``attribute_not_exists``)
  and never again: the stream announces it (:mod:`etax.regulations.outbox`);
- ``sk = draft#<id>`` — an officer's draft and its review, each step a conditional write on
  the state it leaves.

Works and versions carry ``catalog = work``: the ``catalog`` index lists the library in one
query, drafts stay out of it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from etax.errors import AlreadyExists, StateChanged
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import applied, int_attr, pages, table_name, text_attr, transact
from etax.regulations.codec import draft_from, draft_json, version_from, version_json
from etax.regulations.drafts import Draft
from etax.regulations.model import Version, Work

CATALOG = "work"


def _pk(work_id: str) -> dict[str, str]:
    return {"S": f"work#{work_id}"}


def _version_sk(number: int) -> dict[str, str]:
    return {"S": f"version#{number:05d}"}


def work_item(work: Work) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": _pk(work.id), "sk": {"S": "work"}, "catalog": {"S": CATALOG},
        "id": {"S": work.id}, "title": {"S": work.title}, "kind": {"S": work.kind},
        "document_number": {"S": work.document_number},
        "issuers": {"L": [{"S": i} for i in work.issuers]},
        "issued": {"S": work.issued.isoformat()}, "latest": {"N": str(len(work.versions))}}
    if work.expires is not None:
        item["expires"] = {"S": work.expires.isoformat()}
    return item


def version_item(work_id: str, version: Version, *, by: str, at: str,
                 draft: str | None) -> dict[str, Any]:
    return {"pk": _pk(work_id), "sk": _version_sk(version.number), "catalog": {"S": CATALOG},
            "work_id": {"S": work_id}, "number": {"N": str(version.number)},
            "valid_from": {"S": version.valid_from.isoformat()},
            "version": {"S": json.dumps(version_json(version), ensure_ascii=False)},
            "published_by": {"S": by}, "published_at": {"S": at},
            "draft": {"S": draft or "seed"}}


def works_of(items: Iterable[dict[str, Any]]) -> list[Work]:
    """Works from their items and their versions' items (any order)."""
    facts: dict[str, dict[str, Any]] = {}
    versions: dict[str, list[Version]] = {}
    for item in items:
        sk = item["sk"]["S"]
        key = item["pk"]["S"]
        if sk == "work":
            facts[key] = item
        elif sk.startswith("version#"):
            versions.setdefault(key, []).append(version_from(json.loads(item["version"]["S"])))
    works = []
    for key, item in facts.items():
        expires = text_attr(item, "expires")
        latest = int_attr(item, "latest")
        own = sorted((v for v in versions.get(key, []) if v.number <= latest),
                     key=lambda v: v.number)
        works.append(Work(
            item["id"]["S"], item["title"]["S"], item["kind"]["S"],
            item["document_number"]["S"], tuple(i["S"] for i in item["issuers"]["L"]),
            date.fromisoformat(item["issued"]["S"]), tuple(own),
            date.fromisoformat(expires) if expires else None))
    return works


class DraftExists(AlreadyExists):
    def __init__(self, draft_id: str) -> None:
        super().__init__(f"draft {draft_id} exists already", field="id")


class RegulationRepository(DynamoAccess):
    def __init__(self, client: Any | None = None, table: str | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name("REGULATIONS_TABLE")

    # reading
    def works(self) -> list[Work]:
        items = [item for page in pages(
            self.db, "query", TableName=self.table, IndexName="catalog",
            KeyConditionExpression="catalog = :c", ExpressionAttributeValues={
                ":c": {"S": CATALOG}}) for item in page.get("Items", [])]
        return sorted(works_of(items), key=lambda w: w.id)

    def work(self, work_id: str) -> Work | None:
        items = [item for page in pages(
            self.db, "query", TableName=self.table, ConsistentRead=True,
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={
                ":pk": _pk(work_id)}) for item in page.get("Items", [])]
        found = works_of(items)
        return found[0] if found else None

    def draft(self, work_id: str, draft_id: str) -> Draft | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True, Key={
            "pk": _pk(work_id), "sk": {"S": f"draft#{draft_id}"}}).get("Item")
        return draft_from(json.loads(item["draft"]["S"])) if item else None

    # writing
    def _draft_item(self, draft: Draft) -> dict[str, Any]:
        return {"pk": _pk(draft.work_id), "sk": {"S": f"draft#{draft.id}"},
                "state": {"S": draft.state},
                "draft": {"S": json.dumps(draft_json(draft), ensure_ascii=False)}}

    def add_draft(self, draft: Draft) -> None:
        if not applied(self.db, "put_item", TableName=self.table, Item=self._draft_item(draft),
                       ConditionExpression="attribute_not_exists(pk)"):
            raise DraftExists(draft.id)

    def move_draft(self, draft: Draft, leaving: str) -> None:
        """Write the draft's new state if it is still in ``leaving`` (else 409)."""
        if not applied(self.db, "put_item", TableName=self.table, Item=self._draft_item(draft),
                       ConditionExpression="#state = :leaving",
                       ExpressionAttributeNames={"#state": "state"},
                       ExpressionAttributeValues={":leaving": {"S": leaving}}):
            raise StateChanged(f"draft {draft.id} is no longer {leaving}", field="state")

    def publish(self, draft: Draft, version: Version, *, leaving: str) -> None:
        """In one transaction: the version (new), the work's ``latest`` moved from the draft's
        base version to the new one, the draft published. Two publishes of one work never
        both pass the ``latest`` guard."""
        at = draft.published_at or ""
        transact(self.db, [
            {"Put": {"TableName": self.table,
                     "Item": version_item(draft.work_id, version, by=draft.publisher or "",
                                          at=at, draft=draft.id),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Update": {"TableName": self.table,
                        "Key": {"pk": _pk(draft.work_id), "sk": {"S": "work"}},
                        "UpdateExpression": "SET latest = :new",
                        "ConditionExpression": "latest = :base",
                        "ExpressionAttributeValues": {":new": {"N": str(version.number)},
                                                      ":base": {"N": str(draft.base_version)}}}},
            {"Put": {"TableName": self.table, "Item": self._draft_item(draft),
                     "ConditionExpression": "#state = :leaving",
                     "ExpressionAttributeNames": {"#state": "state"},
                     "ExpressionAttributeValues": {":leaving": {"S": leaving}}}},
        ], {0: lambda: StateChanged("that version of the work is published already",
                                    field="version"),
            1: lambda: StateChanged("the work has a newer version than the draft amends: "
                                    "draft the amendment again", field="base_version"),
            2: lambda: StateChanged(f"draft {draft.id} is no longer {leaving}",
                                    field="state")})

    def seed(self, works: Iterable[Work], at: str) -> int:
        """Write the corpus: each work's facts, and each version not yet there (a published
        version is never rewritten). Answers the versions written."""
        written = 0
        for work in works:
            # the facts, unless officers have published beyond the seeded versions since
            applied(self.db, "put_item", TableName=self.table, Item=work_item(work),
                    ConditionExpression="attribute_not_exists(pk) OR latest <= :n",
                    ExpressionAttributeValues={":n": {"N": str(len(work.versions))}})
            for version in work.versions:
                written += applied(
                    self.db, "put_item", TableName=self.table,
                    Item=version_item(work.id, version, by="seed", at=at, draft=None),
                    ConditionExpression="attribute_not_exists(pk)")
        return written
