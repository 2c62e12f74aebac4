"""The supply table's stream records → domain events (source ``tax.supply``).

Each state an application enters is one event (``detail-type`` by state, below). The
decisions and the delivery carry, in ``detail.notification``, the notice for the applicant
(the platform's notification contract: ``id`` stable per application and state, so a
replayed record never notifies twice).
"""

from __future__ import annotations

from typing import Any, Final

from etax.platform.events import DomainEvent
from etax.rules import supply

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


def _s(image: dict[str, Any], name: str) -> str | None:
    value = image.get(name) or {}
    return str(value["S"]) if "S" in value else None


def _last_note(image: dict[str, Any]) -> str:
    trail = (image.get("trail") or {}).get("L") or []
    if not trail:
        return ""
    return str(trail[-1]["M"].get("note", {}).get("S", ""))


def notification(application_id: str, applicant: str, state: str,
                 note: str) -> dict[str, str] | None:
    if state not in NOTICES:
        return None
    title, body = NOTICES[state]
    return {"id": f"invoice-supply:{application_id}:{state}", "recipient": applicant,
            "kind": f"invoice_supply.{state}", "title": title,
            "body": body.format(id=application_id, note=note),
            "link": f"/v1/invoice-supplies/{application_id}"}


def event_for(record: dict[str, Any]) -> DomainEvent | None:
    """The event of one stream record, or None (not an application, or no new state)."""
    change = record.get("dynamodb", {})
    new = change.get("NewImage") or {}
    old = change.get("OldImage") or {}
    if not new or "applicant" not in new:
        return None
    state, before = _s(new, "state"), _s(old, "state")
    if state is None or state == before or state not in DETAIL_TYPES:
        return None
    application_id = _s(new, "id") or ""
    applicant = _s(new, "applicant") or ""
    detail: dict[str, Any] = {
        "application_id": application_id, "applicant": applicant,
        "tax_office": _s(new, "tax_office"), "kind": _s(new, "kind"), "state": state,
        "previous_state": before,
    }
    notice = notification(application_id, applicant, state, _last_note(new))
    if notice is not None:
        detail["notification"] = notice
    return DomainEvent(DETAIL_TYPES[state], detail, resources=(application_id,))
