"""Keeps the knowledge base in step with the regulations library: each
``RegulationVersionPublished`` (rule → queue → here) flags the articles citing a provision an
officer's version amended or repealed (:class:`etax.knowledge.keeping.Keeper`)."""

from __future__ import annotations

from etax.knowledge.keeping import Keeper
from etax.knowledge.repository import KnowledgeRepository
from etax.platform.consumer import consumer, detail_of
from etax.platform.observability import instrument
from etax.regulations.repository import RegulationRepository

keeper = Keeper(KnowledgeRepository(), RegulationRepository())
handler = instrument(consumer(
    "knowledge_flags", detail_of, lambda detail, _receives: keeper.on_published(detail),
    describe=lambda d: {"work_id": d.get("work_id"), "version": d.get("version")}))
