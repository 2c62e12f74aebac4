"""The regulations table's stream records → ``RegulationVersionPublished`` (source
``tax.regulations``; the outbox, :mod:`etax.platform.outbox`).

A version item is written once, when it is published (or seeded), so its INSERT is the fact.
The event carries the version's canonical text (every provision, its label, status and
whether it is a summary) and its SHA-256, so every channel renders the same wording later
without reading the library again."""

from __future__ import annotations

import json
from typing import Final

from etax.platform.events import DomainEvent
from etax.platform.outbox import Change, text
from etax.regulations.codec import canonical_text, text_digest, version_from

SOURCE: Final = "tax.regulations"
PUBLISHED: Final = "RegulationVersionPublished"


def event_for(change: Change) -> DomainEvent | None:
    """The event of one stream record, or None (not a new version)."""
    new = change.new
    sk = text(new, "sk") or ""
    if change.name != "INSERT" or not sk.startswith("version#"):
        return None
    raw = text(new, "version")
    work_id = text(new, "work_id") or ""
    if raw is None:
        return None
    version = version_from(json.loads(raw))
    detail = {
        "work_id": work_id, "version": version.number,
        "valid_from": version.valid_from.isoformat(),
        "act": {"title": version.act.title, "document_number": version.act.document_number,
                "issued": version.act.issued.isoformat()},
        "published_by": text(new, "published_by"), "draft": text(new, "draft"),
        "text": canonical_text(version), "text_sha256": text_digest(version),
    }
    return DomainEvent(PUBLISHED, detail, resources=(f"{work_id}#{version.number}",))
