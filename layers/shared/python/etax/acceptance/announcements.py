"""What the acceptance table's stream announces (the outbox): every trail entry inserted is
one state change of an application, published as a domain event carrying the applicant's
notification (the platform's notification contract)."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from etax.acceptance.applications import EVENT_TYPES, Action, State, TrailEntry, notification
from etax.platform.events import DomainEvent

_deserializer = TypeDeserializer()


def event_for(record: dict[str, Any]) -> DomainEvent | None:
    """The event of one stream record, or None if the record is not a new trail entry."""
    if record.get("eventName") != "INSERT":
        return None
    image = (record.get("dynamodb") or {}).get("NewImage") or {}
    sk = image.get("sk", {}).get("S", "")
    if not sk.startswith("trail#"):
        return None
    item = {k: _deserializer.deserialize(v) for k, v in image.items()}
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
