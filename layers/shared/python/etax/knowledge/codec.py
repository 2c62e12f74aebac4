"""Articles and review reasons as plain JSON values, in the seeded base's format
(:func:`etax.knowledge.articles.article_of` reads what :func:`article_json` writes). Pure."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from etax.knowledge.articles import Article
from etax.knowledge.review import Reason


def article_json(a: Article) -> dict[str, Any]:
    return {"id": a.id, "topic": a.topic, "question": a.question,
            "also_asked": list(a.also_asked), "answer": a.answer,
            "citations": [{"work": c.work_id, "provision": c.provision} for c in a.citations],
            "tags": list(a.tags), "taxpayer_types": list(a.taxpayer_types),
            "valid_from": a.valid_from.isoformat(),
            "valid_to": a.valid_to.isoformat() if a.valid_to else None}


def reason_json(r: Reason) -> dict[str, Any]:
    return asdict(r)


def reason_from(raw: dict[str, Any]) -> Reason:
    return Reason(str(raw["work_id"]), str(raw["provision"]), str(raw["label"]),
                  str(raw["change"]), int(raw["version"]), str(raw["valid_from"]),
                  str(raw["act_title"]), str(raw["document_number"]), str(raw["flagged_at"]))
