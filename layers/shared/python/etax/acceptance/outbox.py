"""What the acceptance table's stream announces (the outbox, :mod:`etax.platform.outbox`):
every trail entry inserted is one state change of an application, published as a domain
event carrying the applicant's notification (the platform's notification contract)."""

from __future__ import annotations

from typing import Final

from etax.acceptance.applications import EVENT_TYPES, Action, State, TrailEntry, notification
from etax.platform.events import DomainEvent
from etax.platform.outbox import Change

SOURCE: Final = "tax.acceptance"


def event_for(change: Change) -> DomainEvent | None:
    """The event of one stream record, or None if the record is not a new trail entry."""
    if change.name != "INSERT":
        return None
    item = change.new
    if not str(item.get("sk", "")).startswith("trail#"):
        return None
    by = item.get("by") or {}
    entry = TrailEntry(seq=int(item["seq"]), state=State(item["state"]),
                       action=Action(item["action"]), actor_role=str(by.get("role", "")),
                       actor=str(by.get("subject", "")), at=str(item["at"]),
                       reason=item.get("reason"))
    application_id = str(item["application_id"])
    applicant = str(item["applicant"])
    return DomainEvent(
        detail_type=EVENT_TYPES[entry.state],
        detail={
            "application_id": application_id,
            "item": item["item"],
            "applicant": applicant,
            "tax_office": item["office"],
            "seq": entry.seq,
            "state": entry.state.value,
            "action": entry.action.value,
            "reason": entry.reason,
            "at": entry.at,
            "notification": notification(application_id, applicant, str(item["item_name"]),
                                         entry),
        },
        resources=(f"application/{application_id}",),
    )
