"""The violators table's stream records → domain events (source ``tax.violators``; the outbox,
:mod:`etax.platform.outbox`), for the credit board (a listing rates the party D):

- a case entering ``published``: ``ViolatorListed`` ``{"case_id", "credit_code", "listed_on"}``;
- a case leaving ``published``: ``ViolatorRemoved`` ``{"case_id", "credit_code", "removed_on"}``.

Announcements and the other changes of a case announce nothing.
"""

from __future__ import annotations

from typing import Final

from etax.platform.events import DomainEvent
from etax.platform.outbox import Change, text
from etax.violators.model import PUBLISHED

SOURCE: Final = "tax.violators"
LISTED: Final = "ViolatorListed"
REMOVED: Final = "ViolatorRemoved"


def event_for(change: Change) -> DomainEvent | None:
    new, old = change.new, change.old
    if text(new, "kind") != "case":
        return None
    state, before = text(new, "state"), text(old, "state")
    case_id, credit_code = text(new, "id") or "", text(new, "credit_code") or ""
    if state == PUBLISHED and before != PUBLISHED:
        return DomainEvent(LISTED, {"case_id": case_id, "credit_code": credit_code,
                                    "listed_on": text(new, "listed_on") or ""},
                           resources=(case_id,))
    if before == PUBLISHED and state != PUBLISHED:
        return DomainEvent(REMOVED, {"case_id": case_id, "credit_code": credit_code,
                                     "removed_on": text(new, "removed_on") or ""},
                           resources=(case_id,))
    return None
