"""Subscriptions to works of the regulations library, and the notice each subscriber gets
when an officer publishes a version of a work they follow.

A taxpayer (an enterprise or a natural person) follows at most :data:`MAX_WORKS` works. The
subscriptions table holds one item per subscriber and work (:mod:`etax.knowledge.tables`);
the ``by_work`` index lists a work's subscribers page by page (a Query, never a Scan).

The notice is the platform's notification contract (docs/usage/notifications.md): its id
``regulation:<work>:<version>:<subscriber>`` makes a replayed event notify nobody twice, and
its body is :func:`etax.regulations.render.announcement` of the version the event carries —
the wording the API shows on that version (cut, with a pointer to the link, past the
contract's 2,000 characters: an amendment of many provisions).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

from etax.errors import Invalid
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import pages, table_name
from etax.regulations.model import Version, Work
from etax.regulations.render import announcement

MAX_WORKS: Final = 20
KIND: Final = "regulation.published"
MAX_BODY: Final = 2000  # the notification contract's (etax.notifications.contract)
MAX_TITLE: Final = 100
MORE: Final = "……（全文见链接）"


def _within(text: str, limit: int, more: str) -> str:
    return text if len(text) <= limit else text[:limit - len(more)] + more


def checked_works(requested: Sequence[str], known: dict[str, Work]) -> list[str]:
    """The works asked for, each once in the order given; an unknown one is :class:`Invalid`
    naming its place (``works[2]``), more than :data:`MAX_WORKS` names ``works``."""
    chosen: list[str] = []
    for index, work_id in enumerate(requested):
        if work_id not in known:
            raise Invalid(f"the library has no work {work_id!r}", field=f"works[{index}]")
        if work_id not in chosen:
            chosen.append(work_id)
    if len(chosen) > MAX_WORKS:
        raise Invalid(f"at most {MAX_WORKS} works", field="works")
    return chosen


def notice(work: Work, version: Version, previous: Version | None,
           subscriber: str) -> dict[str, Any]:
    """The notification of ``version`` of ``work`` for one subscriber."""
    return {"id": f"regulation:{work.id}:{version.number}:{subscriber}",
            "recipient": subscriber, "kind": KIND,
            "title": _within(f"《{work.title}》已修改（第{version.number}版）", MAX_TITLE, "…"),
            "body": _within(announcement(version, previous), MAX_BODY, MORE),
            "link": f"/v1/regulations/works/{work.id}?as_of={version.valid_from.isoformat()}"}


class SubscriptionRepository(DynamoAccess):
    def __init__(self, client: Any | None = None, table: str | None = None) -> None:
        super().__init__(client)
        self.table = table or table_name("REGULATION_SUBSCRIPTIONS_TABLE")

    def works_of(self, subscriber: str) -> list[str]:
        return [item["work_id"]["S"] for page in pages(
            self.db, "query", TableName=self.table,
            KeyConditionExpression="subscriber = :s",
            ExpressionAttributeValues={":s": {"S": subscriber}}) for item in page["Items"]]

    def replace(self, subscriber: str, works: Sequence[str], at: str) -> None:
        """The subscriber's works become ``works``: the others removed, the new ones added."""
        had = set(self.works_of(subscriber))
        for work_id in had - set(works):
            self.db.delete_item(TableName=self.table, Key={
                "subscriber": {"S": subscriber}, "work_id": {"S": work_id}})
        for work_id in works:
            if work_id not in had:
                self.db.put_item(TableName=self.table, Item={
                    "subscriber": {"S": subscriber}, "work_id": {"S": work_id},
                    "since": {"S": at}})

    def subscribers(self, work_id: str, page_size: int = 100) -> Iterator[list[str]]:
        """The work's subscribers, one page at a time (the ``by_work`` index)."""
        for page in pages(self.db, "query", TableName=self.table, IndexName="by_work",
                          Limit=page_size, KeyConditionExpression="work_id = :w",
                          ExpressionAttributeValues={":w": {"S": work_id}}):
            found = [item["subscriber"]["S"] for item in page.get("Items", [])]
            if found:
                yield found
