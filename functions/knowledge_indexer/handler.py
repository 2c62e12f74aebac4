"""Builds the search index (ADR 0022): on each ``RegulationVersionPublished`` and
``KnowledgeArticleChanged`` event (from its queue), on the daily schedule (a provision or an
article whose day has come) and when invoked directly (the local stack's seeding). Writes the
artefact and moves the pointer only when the corpus changed, so a message delivered twice
builds nothing new."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from etax.knowledge.indexing import IndexBuilder, IndexStore
from etax.knowledge.repository import KnowledgeRepository
from etax.platform.consumer import batch_consumer, detail_of
from etax.platform.observability import instrument, logger
from etax.regulations.repository import RegulationRepository

# the articles from the knowledge base's table: those under review are left out
builder = IndexBuilder(RegulationRepository().works, IndexStore(),
                       articles=KnowledgeRepository().current_articles)


def build() -> dict[str, Any]:
    built = builder.build()
    logger.info("search index built", extra=asdict(built))
    return asdict(built)


def _work(body: str) -> str:
    """What a message is about: a work published or an article changed."""
    detail = detail_of(body)
    return str(detail.get("work_id") or f"article {detail.get('id')}")


def _rebuild(batch: Sequence[tuple[str, str]]) -> tuple[list[str], Mapping[str, Any]]:
    """One build for the whole batch (it reads every published version anyway); when it
    fails, every message is received again."""
    try:
        built = build()
    except Exception:
        logger.exception("search index build failed")
        return [message_id for message_id, _ in batch], {"works": sorted({w for _, w in batch})}
    return [], {"works": sorted({w for _, w in batch}), "written": built["written"]}


published = batch_consumer("knowledge_indexer", _work, _rebuild)


def _handle(event: dict[str, Any], context: Any) -> Any:
    """A queue's batch (events published), or a direct or scheduled invocation."""
    if isinstance(event, dict) and "Records" in event:
        return published(event, context)
    return build()


handler = instrument(_handle)
