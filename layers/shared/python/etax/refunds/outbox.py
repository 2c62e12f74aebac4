"""The refunds table's stream as the outbox of the pipeline's events (the kit:
:mod:`etax.platform.outbox`).

A case's write is its event: a new case announces ``RefundSubmitted``, each change of
``state`` the fact of the state it entered. The EventBridge rules route each fact to the
next stage's queue; ``RefundNotified`` carries the ``notification`` object of the platform's
notification contract for the push fan-out. A batch retried whole may announce a fact twice:
every stage is idempotent on the case's state, and the notification id is stable.
"""

from __future__ import annotations

from typing import Any, Final

from etax.platform.events import DomainEvent
from etax.platform.outbox import Change, text
from etax.refunds import cases

SOURCE: Final = "tax.refunds"
DETAIL_TYPES: Final = {
    cases.SUBMITTED: "RefundSubmitted",
    cases.REVIEW: "RefundReviewRequired",
    cases.CHECKED: "RefundDocumentsChecked",
    cases.APPROVED: "RefundApproved",
    cases.PAID: "RefundPaid",
    cases.REJECTED: "RefundRejected",
    cases.NOTIFIED: "RefundNotified",
}


def event_for(change: Change) -> DomainEvent | None:
    """The fact a stream record announces, or None (no change of state)."""
    new = change.new
    if not new or "case_id" not in new:
        return None
    name = change.name
    old_state = text(change.old, "state")
    if name == "INSERT":
        if new.get("state") != cases.SUBMITTED:
            return None
    elif name != "MODIFY" or new.get("state") == old_state:
        return None
    case = cases.from_item(new)
    detail: dict[str, Any] = {
        "case_id": case.case_id, "kind": case.kind, "applicant": case.applicant,
        "tax_office": case.tax_office, "state": case.state, "amount_fen": case.amount_fen,
        "at": case.trail[-1].at if case.trail else case.updated_at,
    }
    if case.state == cases.REVIEW:
        detail["flags"] = list(case.flags)
    if case.state == cases.PAID:
        detail["treasury_ref"] = case.treasury_ref
        detail["approved_fen"] = case.approved_fen
    if case.state == cases.REJECTED:
        detail["reason"] = case.reason
    if case.state == cases.NOTIFIED and case.notification is not None:
        detail["notification"] = case.notification
    return DomainEvent(DETAIL_TYPES[case.state], detail, resources=(case.case_id,))
