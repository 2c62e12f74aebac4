"""The knowledge table's stream records → ``KnowledgeArticleChanged`` (source
``tax.knowledge``; the outbox, :mod:`etax.platform.outbox`): an article flagged for review or
reviewed (its ``revision`` moved on), so the search index is built again. Seeding an article
announces nothing."""

from __future__ import annotations

from typing import Final

from etax.platform.events import DomainEvent
from etax.platform.outbox import Change, text

SOURCE: Final = "tax.knowledge"
CHANGED: Final = "KnowledgeArticleChanged"
ANNOUNCING: Final = (  # Lambda event filtering: the seeds' INSERTs and citations wake nothing
    {"eventName": ["MODIFY"], "dynamodb": {"Keys": {"sk": {"S": ["article"]}}}},)


def event_for(change: Change) -> DomainEvent | None:
    new, old = change.new, change.old
    if change.name != "MODIFY" or text(new, "sk") != "article":
        return None
    if new.get("revision") == old.get("revision"):
        return None
    article_id = (text(new, "pk") or "").removeprefix("article#")
    state = text(new, "state") or ""
    detail = {"id": article_id, "state": state, "revision": int(new.get("revision", 0)),
              "change": "flagged" if state == "under_review" else "reviewed"}
    if state != "under_review":
        detail["reviewed_by"] = text(new, "reviewed_by")
    return DomainEvent(CHANGED, detail, resources=(f"article#{article_id}",))
