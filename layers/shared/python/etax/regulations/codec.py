"""Works, versions and drafts as plain JSON values: the table's attributes, the event's
canonical text and the seeds share these. Pure."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from etax.regulations.drafts import Draft
from etax.regulations.model import Act, Change, Provision, Version


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def act_json(act: Act) -> dict[str, str]:
    return {"title": act.title, "document_number": act.document_number,
            "issued": act.issued.isoformat()}


def act_from(raw: dict[str, Any]) -> Act:
    return Act(str(raw["title"]), str(raw["document_number"]), date.fromisoformat(raw["issued"]))


def provision_json(p: Provision) -> dict[str, Any]:
    shown: dict[str, Any] = {"article": p.article, "label": p.label, "text": p.text,
                             "status": p.status, "summary": p.summary}
    if p.paragraph is not None:
        shown["paragraph"] = p.paragraph
    if p.in_force_from is not None:
        shown["in_force_from"] = p.in_force_from.isoformat()
    return shown


def provision_from(raw: dict[str, Any]) -> Provision:
    paragraph = raw.get("paragraph")
    return Provision(int(raw["article"]), str(raw["text"]),
                     int(paragraph) if paragraph is not None else None,
                     raw.get("status", "in_force"), bool(raw.get("summary", False)),
                     _day(raw.get("in_force_from")))


def version_json(v: Version) -> dict[str, Any]:
    return {"number": v.number, "valid_from": v.valid_from.isoformat(), "act": act_json(v.act),
            "provisions": [provision_json(p) for p in v.provisions]}


def version_from(raw: dict[str, Any]) -> Version:
    return Version(int(raw["number"]), date.fromisoformat(raw["valid_from"]),
                   act_from(raw["act"]), tuple(provision_from(p) for p in raw["provisions"]))


def canonical_text(v: Version) -> str:
    """The version's provisions as one canonical JSON text (sorted keys, no spaces): what the
    event carries and what its ``text_sha256`` is computed over."""
    return json.dumps([provision_json(p) for p in v.provisions], ensure_ascii=False,
                      sort_keys=True, separators=(",", ":"))


def text_digest(v: Version) -> str:
    return hashlib.sha256(canonical_text(v).encode("utf-8")).hexdigest()


def change_json(c: Change) -> dict[str, Any]:
    shown: dict[str, Any] = {"action": c.action, "article": c.article, "text": c.text,
                             "summary": c.summary}
    if c.paragraph is not None:
        shown["paragraph"] = c.paragraph
    return shown


def change_from(raw: dict[str, Any]) -> Change:
    paragraph = raw.get("paragraph")
    return Change(raw["action"], int(raw["article"]), str(raw.get("text", "")),
                  int(paragraph) if paragraph is not None else None,
                  bool(raw.get("summary", False)))


DRAFT_TEXT = ("id", "work_id", "drafter", "drafted_at", "state", "submitted_at", "approver",
              "approved_at", "publisher", "published_at")


def draft_json(d: Draft) -> dict[str, Any]:
    shown: dict[str, Any] = {name: getattr(d, name) for name in DRAFT_TEXT}
    shown.update(base_version=d.base_version, act=act_json(d.act),
                 changes=[change_json(c) for c in d.changes], version=d.version,
                 valid_from=d.valid_from.isoformat() if d.valid_from else None)
    return shown


def draft_from(raw: dict[str, Any]) -> Draft:
    return Draft(
        id=raw["id"], work_id=raw["work_id"], base_version=int(raw["base_version"]),
        act=act_from(raw["act"]), changes=tuple(change_from(c) for c in raw["changes"]),
        drafter=raw["drafter"], drafted_at=raw["drafted_at"], state=raw["state"],
        submitted_at=raw.get("submitted_at"), approver=raw.get("approver"),
        approved_at=raw.get("approved_at"), publisher=raw.get("publisher"),
        published_at=raw.get("published_at"),
        version=int(raw["version"]) if raw.get("version") is not None else None,
        valid_from=_day(raw.get("valid_from")))
