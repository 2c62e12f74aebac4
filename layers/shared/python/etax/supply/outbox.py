"""The supply table's stream records → domain events (source ``tax.supply``; the outbox,
:mod:`etax.platform.outbox`).

Each state an application enters is one event (``detail-type`` by state, below). The
decisions and the delivery carry, in ``detail.notification``, the notice for the applicant
(the platform's notification contract: ``id`` stable per application and state, so a
replayed record never notifies twice).
"""

from __future__ import annotations

from typing import Any, Final

from etax.platform.events import DomainEvent
from etax.platform.outbox import Change, text
from etax.supply import rules as supply

SOURCE: Final = "tax.supply"
DETAIL_TYPES: Final = {
    supply.SUBMITTED: "InvoiceSupplyApplied",
    supply.REVIEW: "InvoiceSupplyReviewRequested",
    supply.APPROVED: "InvoiceSupplyApproved",
    supply.REJECTED: "InvoiceSupplyRejected",
    supply.SHIPPED: "InvoiceSupplyShipped",
    supply.DELIVERED: "InvoiceSupplyDelivered",
    supply.QUOTA_RAISED: "InvoiceQuotaRaised",
}

NOTICES: Final = {
    supply.REVIEW: ("发票领用申请待税务机关审核",
                    "您的发票领用申请 {id} 未能自动通过验旧或超出自动核准额度，"
                    "已转主管税务机关审核。"),
    supply.APPROVED: ("发票领用申请已核准", "您的发票领用申请 {id} 已核准。"),
    supply.REJECTED: ("发票领用申请未核准", "您的发票领用申请 {id} 未获核准：{note}"),
    supply.SHIPPED: ("发票已寄出", "您申领的发票（申请 {id}）已寄出：{note}。"),
    supply.DELIVERED: ("发票已送达", "您申领的发票（申请 {id}）已签收。"),
    supply.QUOTA_RAISED: ("开票额度已调整", "您的数电发票开票额度已调整（申请 {id}）：{note}。"),
}


def _last_note(item: dict[str, Any]) -> str:
    trail = item.get("trail") or []
    if not trail:
        return ""
    return text(trail[-1], "note") or ""


def notification(application_id: str, applicant: str, state: str,
                 note: str) -> dict[str, str] | None:
    if state not in NOTICES:
        return None
    title, body = NOTICES[state]
    return {"id": f"invoice-supply:{application_id}:{state}", "recipient": applicant,
            "kind": f"invoice_supply.{state}", "title": title,
            "body": body.format(id=application_id, note=note),
            "link": f"/v1/invoice-supplies/{application_id}"}


def event_for(change: Change) -> DomainEvent | None:
    """The event of one stream record, or None (not an application, or no new state)."""
    new, old = change.new, change.old
    if not new or "applicant" not in new:
        return None
    state, before = text(new, "state"), text(old, "state")
    if state is None or state == before or state not in DETAIL_TYPES:
        return None
    application_id = text(new, "id") or ""
    applicant = text(new, "applicant") or ""
    detail: dict[str, Any] = {
        "application_id": application_id, "applicant": applicant,
        "tax_office": text(new, "tax_office"), "kind": text(new, "kind"), "state": state,
        "previous_state": before,
    }
    notice = notification(application_id, applicant, state, _last_note(new))
    if notice is not None:
        detail["notification"] = notice
    return DomainEvent(DETAIL_TYPES[state], detail, resources=(application_id,))
