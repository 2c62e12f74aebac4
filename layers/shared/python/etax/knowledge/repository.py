"""DynamoDB access for the knowledge base (:mod:`etax.knowledge.tables`).

One item collection per article, ``pk = article#<id>``:

- ``sk = article`` — the article (JSON, its answer as last reviewed), ``state``, ``revision``
  (moved on by every flag and review), ``reasons`` (a list of JSON texts, while under review),
  ``flags`` (the string set of ``<work>#<version>`` that flagged it: a flag is a conditional
  write on it, so a version flags an article once), ``reviewed_by``/``reviewed_at``;
  ``catalog = article`` for the list, and ``review_queue``/``flagged_at`` while under review
  (the sparse ``reviews`` index);
- ``sk = cites#<work>#<key>`` — one per citation, ``cited = <work>#<key>`` (``by_provision``).

Seeding writes an article only if it is not there yet: a reseed never clears a review flag nor
overwrites a reviewed answer, and never duplicates a citation (its key is its identity).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from etax.errors import Malformed, StateChanged
from etax.knowledge.articles import Article, article_of
from etax.knowledge.codec import article_json, reason_from, reason_json
from etax.knowledge.review import CURRENT, UNDER_REVIEW, Entry, Reason, flag_key
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import (
    applied,
    batch_get,
    batch_put,
    int_attr,
    pages,
    table_name,
    text_attr,
)

CATALOG = "article"
QUEUE = "under_review"


def _pk(article_id: str) -> dict[str, str]:
    return {"S": f"article#{article_id}"}


def cited(work_id: str, provision: str) -> str:
    return f"{work_id}#{provision}"


def entry_of(item: dict[str, Any]) -> Entry:
    reasons = item.get("reasons", {}).get("L", [])
    return Entry(article_of(json.loads(item["article"]["S"])), item["state"]["S"],
                 int_attr(item, "revision"),
                 tuple(reason_from(json.loads(r["S"])) for r in reasons),
                 text_attr(item, "flagged_at"), text_attr(item, "reviewed_by"),
                 text_attr(item, "reviewed_at"))


def encode_cursor(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(key, dict) or set(key) != {"pk", "sk", "review_queue", "flagged_at"}:
            raise ValueError(cursor)
        return key
    except ValueError:
        raise Malformed("cursor is not a cursor this route gave", field="cursor") from None


class KnowledgeRepository(DynamoAccess):
    def __init__(self, client: Any | None = None, table: str | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name("KNOWLEDGE_TABLE")

    # reading
    def entry(self, article_id: str) -> Entry | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True, Key={
            "pk": _pk(article_id), "sk": {"S": "article"}}).get("Item")
        return entry_of(item) if item else None

    def citing(self, work_id: str, provision: str) -> list[str]:
        """The ids of the articles citing ``provision`` of ``work_id`` (a paged Query)."""
        return sorted(item["pk"]["S"].removeprefix("article#") for page in pages(
            self.db, "query", TableName=self.table, IndexName="by_provision",
            KeyConditionExpression="cited = :c",
            ExpressionAttributeValues={":c": {"S": cited(work_id, provision)}})
            for item in page.get("Items", []))

    def entries(self) -> Iterator[Entry]:
        """Every article of the base, page by page (the ``catalog`` index)."""
        for page in pages(self.db, "query", TableName=self.table, IndexName="catalog",
                          KeyConditionExpression="catalog = :c",
                          ExpressionAttributeValues={":c": {"S": CATALOG}}):
            yield from (entry_of(item) for item in page.get("Items", []))

    def current_articles(self, day: date) -> list[Article]:
        """The articles served as current on ``day`` (not under review, within their own
        validity), each with its answer as last reviewed: what the search index is built
        from."""
        return sorted((e.article for e in self.entries() if e.served_on(day)),
                      key=lambda a: a.id)

    def reviews(self, limit: int, cursor: str | None) -> tuple[list[Entry], str | None]:
        """One page of the review queue, the longest waiting first."""
        request: dict[str, Any] = {
            "TableName": self.table, "IndexName": "reviews", "Limit": limit,
            "KeyConditionExpression": "review_queue = :q",
            "ExpressionAttributeValues": {":q": {"S": QUEUE}}}
        if cursor:
            request["ExclusiveStartKey"] = decode_cursor(cursor)
        page = self.db.query(**request)
        last = page.get("LastEvaluatedKey")
        return ([entry_of(item) for item in page.get("Items", [])],
                encode_cursor(last) if last else None)

    # writing
    def seed(self, articles: Iterable[Article], at: str) -> int:
        """Each article not there yet (a strongly consistent read of the seed's keys), with
        its citations, 25 items a call; answers the articles written. An article already there
        is never rewritten (its review state and reviewed answer kept); the citations are
        written before the articles, so a seed cut short leaves no article without its
        citations, and the next one writes the rest."""
        wanted = list(articles)
        present = {item["pk"]["S"] for item in batch_get(
            self.db, self.table, [{"pk": _pk(a.id), "sk": {"S": "article"}} for a in wanted],
            ProjectionExpression="pk")}
        new = [article for article in wanted if _pk(article.id)["S"] not in present]
        batch_put(self.db, self.table, [
            {"pk": _pk(article.id), "sk": {"S": f"cites#{cited(c.work_id, c.provision)}"},
             "cited": {"S": cited(c.work_id, c.provision)}}
            for article in new for c in article.citations])
        batch_put(self.db, self.table, [
            {"pk": _pk(article.id), "sk": {"S": "article"}, "catalog": {"S": CATALOG},
             "article": {"S": json.dumps(article_json(article), ensure_ascii=False)},
             "state": {"S": CURRENT}, "revision": {"N": "0"}, "seeded_at": {"S": at}}
            for article in new])
        return len(new)

    def flag(self, article_id: str, work_id: str, version: int,
             reasons: tuple[Reason, ...]) -> bool:
        """Put the article under review for ``reasons`` unless this version flagged it already
        (one conditional write); False when it had (or the article is gone)."""
        key = flag_key(work_id, version)
        return applied(
            self.db, "update_item", TableName=self.table,
            Key={"pk": _pk(article_id), "sk": {"S": "article"}},
            UpdateExpression=(
                "SET #state = :ur, review_queue = :q, revision = revision + :one, "
                "flagged_at = if_not_exists(flagged_at, :at), "
                "reasons = list_append(if_not_exists(reasons, :none), :reasons) ADD flags :key"),
            ConditionExpression="attribute_exists(pk) AND NOT contains(flags, :k)",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":ur": {"S": UNDER_REVIEW}, ":q": {"S": QUEUE}, ":one": {"N": "1"},
                ":at": {"S": reasons[0].flagged_at}, ":key": {"SS": [key]}, ":k": {"S": key},
                ":none": {"L": []}, ":reasons": {"L": [
                    {"S": json.dumps(reason_json(r), ensure_ascii=False)} for r in reasons]}})

    def reviewed(self, entry: Entry, by: str, at: str, article: Article) -> None:
        """Current again with ``article`` (its answer confirmed or replaced) if the entry is
        still the revision the reviewer read and under review (else 409)."""
        if not applied(
                self.db, "update_item", TableName=self.table,
                Key={"pk": _pk(article.id), "sk": {"S": "article"}},
                UpdateExpression=(
                    "SET #state = :current, revision = revision + :one, reviewed_by = :by, "
                    "reviewed_at = :at, article = :article "
                    "REMOVE review_queue, flagged_at, reasons"),
                ConditionExpression="revision = :seen AND #state = :ur",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues={
                    ":current": {"S": CURRENT}, ":one": {"N": "1"}, ":by": {"S": by},
                    ":at": {"S": at}, ":ur": {"S": UNDER_REVIEW},
                    ":seen": {"N": str(entry.revision)},
                    ":article": {"S": json.dumps(article_json(article), ensure_ascii=False)}}):
            raise StateChanged(f"article {article.id} changed since revision {entry.revision} "
                               "(flagged again or reviewed): read it again", field="revision")
