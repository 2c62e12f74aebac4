"""What the sharing table's stream announces (the outbox, :mod:`etax.platform.outbox`): a
consent's every move, each a fact for the analytical store; the ones someone must act on or
know of also carry a notification (the notification contract):

* ``ConsentRequested`` — a partner asked: the taxpayer is told who asks for what, why and until
  when, and where to answer;
* ``ConsentAuthorised`` / ``ConsentRejected`` / ``ConsentRevoked`` — the partner is told (its
  inbox, ``GET /v1/me/inbox``), and for a revocation the taxpayer too.

A consent granted by the taxpayer itself announces ``ConsentAuthorised`` to the partner. A
read moves only the consent's counter: nothing is announced (the reads are listed to the
taxpayer by ``GET /v1/consents/{id}/reads``). Consumers dedupe on ``consent_id`` and the
status (a notification's id is ``consent:<id>:<status>``)."""

from __future__ import annotations

import json
from typing import Any, Final

from etax.platform.events import DomainEvent
from etax.platform.outbox import Change, text
from etax.sharing.consents import AUTHORISED, AWAITING, REJECTED, REVOKED, Agreements

SOURCE: Final = "tax.sharing"
REQUESTED: Final = "ConsentRequested"
NAMES: Final = {AWAITING: REQUESTED, AUTHORISED: "ConsentAuthorised",
                REJECTED: "ConsentRejected", REVOKED: "ConsentRevoked"}

# only the consents' own items wake the function (not a read's item, not a guard)
ANNOUNCING: Final = ({"dynamodb": {"Keys": {"sk": {"S": ["consent"]}}}},)


def event_for(change: Change, agreements: Agreements | None = None) -> DomainEvent | None:
    """The fact of one stream record: a consent created or whose status moved; else None."""
    if change.name not in ("INSERT", "MODIFY") or text(change.new, "sk") != "consent":
        return None
    status = text(change.new, "status") or ""
    if change.name == "MODIFY" and text(change.old, "status") == status:
        return None  # a read counted, nothing moved
    if status not in NAMES:
        return None
    item = change.new
    detail: dict[str, Any] = {
        "consent_id": item["consent_id"], "taxpayer": item["taxpayer"],
        "partner": item["partner"], "purpose": item["purpose"], "status": status,
        "created_by": item["created_by"], "expires_at": item["expires_at"],
        "at": item["updated_at"]}
    notice = _notification(item, status, agreements or Agreements.shipped())
    if notice is not None:
        detail["notification"] = notice
    return DomainEvent(NAMES[status], detail, resources=(f"consent/{item['consent_id']}",))


def _notification(item: dict[str, Any], status: str,
                  agreements: Agreements) -> dict[str, str] | None:
    consent_id, taxpayer, partner_id = item["consent_id"], item["taxpayer"], item["partner"]
    partner = agreements.partners.get(partner_id)
    name = partner.name if partner else partner_id
    base = {"id": f"consent:{consent_id}:{status}", "link": f"/v1/consents/{consent_id}"}
    if status == AWAITING:
        return {**base, "recipient": taxpayer, "kind": "sharing.consent_requested",
                "title": f"{name}请求读取您的涉税信息",
                "body": (f"{name}请求授权读取：{_scopes(item, agreements)}；用途："
                         f"{agreements.purposes.get(item['purpose'], item['purpose'])}；"
                         f"有效至 {item['expires_at'][:10]}。请在授权前核实；可同意或拒绝，"
                         "同意后也可随时撤销。")}
    if status == REVOKED:
        return {**base, "recipient": partner_id, "kind": "sharing.consent_revoked",
                "title": "授权已撤销", "body": f"纳税人已撤销授权 {consent_id}，读取即时停止。"}
    if status == AUTHORISED:
        return {**base, "recipient": partner_id, "kind": "sharing.consent_authorised",
                "title": "纳税人已授权", "body": f"授权 {consent_id} 已生效："
                                               f"{_scopes(item, agreements)}。"}
    return {**base, "recipient": partner_id, "kind": "sharing.consent_rejected",
            "title": "纳税人拒绝授权", "body": f"纳税人拒绝了授权请求 {consent_id}。"}


def _scopes(item: dict[str, Any], agreements: Agreements) -> str:
    return "、".join(agreements.labels.get(s, s) for s in json.loads(item["scopes"]))
