"""What the complaints table's stream announces (the outbox, :mod:`etax.platform.outbox`): a
case answered by its office is ``ComplaintAnswered`` (for the service ratings' invitation);
a named filer's notice rides in it as the notification contract's ``notification``, whose
recipient is the only place the filer is named. An anonymous report has no account: its
event carries no notification and invites no rating."""

from __future__ import annotations

import json
from typing import Any, Final

from etax.complaints.rules import ANSWERED, kinds
from etax.platform.events import DomainEvent
from etax.platform.outbox import Change, text

SOURCE: Final = "tax.complaints"
ANSWERED_EVENT: Final = "ComplaintAnswered"
ANNOUNCING: Final = (  # Lambda event filtering: only a case entering "answered" wakes it
    {"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"state": {"S": [ANSWERED]}}}},)


def _answered_at(item: dict[str, Any]) -> str:
    for step in reversed(item.get("history") or []):
        try:
            found = json.loads(step)
        except (TypeError, ValueError):
            continue
        if isinstance(found, dict) and found.get("event") == ANSWERED:
            return str(found.get("at", ""))
    return ""


def event_for(change: Change) -> DomainEvent | None:
    new = change.new
    if (change.name != "MODIFY" or text(new, "state") != ANSWERED
            or text(change.old, "state") == ANSWERED or text(new, "id") is None):
        return None
    case_id, kind = str(new["id"]), str(new["kind"])
    detail: dict[str, Any] = {"case_id": case_id, "kind": kind, "office": new["office"],
                              "answered_at": _answered_at(new)}
    filer = text(new, "filer")
    if filer is not None:
        label = kinds()[kind].label if kind in kinds() else "投诉举报"
        detail["notification"] = {
            "id": f"complaint-answered:{case_id}", "recipient": filer,
            "kind": "complaint.answered", "title": f"您的{label}已答复",
            "body": f"您提交的{label}“{str(new.get('title', ''))[:40]}”已由税务机关答复，"
                    "请查看答复并评价办理情况。",
            "link": f"/v1/complaints/{case_id}"}
    return DomainEvent(ANSWERED_EVENT, detail, resources=(f"complaint/{case_id}",))
