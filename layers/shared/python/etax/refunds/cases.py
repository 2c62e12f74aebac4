"""A refund case and its state machine (pure: no AWS).

States and the one stage that may make each move::

    submitted --checks--> checked           the automatic document check passed it
    submitted --checks--> review            …or flagged it: an officer of its tax office looks
    review    --officer-> checked           the officer approves the documents
    review    --officer-> rejected          the officer rejects, with a reason
    checked   --approval--> approved        the approved amount is fixed
    approved  --payment--> paid             the treasury paid (idempotent by the case id)
    paid      --notify--> notified          the applicant is told (notification contract)
    rejected  --notify--> notified

Every move is a conditional write on the case's current state (``state = :from``), so a
message delivered twice, late or out of order finds the case elsewhere and moves nothing; the
treasury pays by payment key = case id, so a payment retried after a crash is found, not made
again. Together: at most one payment per case, whatever the deliveries (the property test in
``tests/unit/test_refund_cases.py`` holds the code to it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Final

from etax.platform.results import as_json, optional
from etax.refunds.results import Account, CaseView, Payment, StageView
from etax.rules.money import format_yuan

SUBMITTED: Final = "submitted"
REVIEW: Final = "review"
CHECKED: Final = "checked"
APPROVED: Final = "approved"
PAID: Final = "paid"
REJECTED: Final = "rejected"
NOTIFIED: Final = "notified"

STATES: Final = (SUBMITTED, REVIEW, CHECKED, APPROVED, PAID, REJECTED, NOTIFIED)
TRANSITIONS: Final = frozenset({
    (SUBMITTED, CHECKED), (SUBMITTED, REVIEW),
    (REVIEW, CHECKED), (REVIEW, REJECTED),
    (CHECKED, APPROVED),
    (APPROVED, PAID),
    (PAID, NOTIFIED), (REJECTED, NOTIFIED),
})
LABELS: Final = {SUBMITTED: "已提交", REVIEW: "待人工审核", CHECKED: "资料审核通过",
                 APPROVED: "已审批", PAID: "国库已退付", REJECTED: "不予退税",
                 NOTIFIED: "已通知"}
KIND_LABELS: Final = {"general": "多缴税款退税", "iit_annual": "个人所得税综合所得年度汇算退税",
                      "export": "出口退税（免退税）"}


def can_move(source: str, target: str) -> bool:
    return (source, target) in TRANSITIONS


@dataclass(frozen=True, slots=True)
class Stage:
    """One entry of a case's trail: the state it entered, when, and who moved it."""

    state: str
    at: str
    by: str
    note: str | None = optional()


@dataclass(frozen=True, slots=True)
class Case:
    case_id: str
    kind: str
    applicant: str
    applicant_kind: str
    """``enterprise`` (a registered credit code) or ``person`` (a resident ID)"""
    tax_office: str
    state: str
    amount_fen: int
    claim: dict[str, Any]
    """the request as submitted (amounts as yuan strings), account excluded"""
    computation: dict[str, Any]
    account_bank: str
    account_number: str
    submitted_at: str
    updated_at: str
    trail: tuple[Stage, ...]
    conditions: tuple[str, ...] = ()
    """what submission found that the check may weigh (``registration_not_active`` …)"""
    flags: tuple[str, ...] = ()
    approved_fen: int | None = None
    treasury_ref: str | None = None
    paid_at: str | None = None
    attempts: int = 0
    last_error: str | None = None
    reason: str | None = None
    notification: dict[str, str] | None = None
    obligation_id: str | None = None
    """the filing obligation whose ledger pays a general or IIT annual refund"""
    claims: tuple[str, ...] = ()
    """what the case holds while it is open (:func:`claim_key`): its obligation
    (``open#obligation#…``, released when the case ends) and, for an export, its customs
    declaration and input invoices (``used#…``, kept once paid, released if rejected)"""

    def moved(self, target: str, stage: Stage, **changes: Any) -> Case:
        """This case after the move to ``target`` (what the conditional write stores)."""
        if not can_move(self.state, target):
            raise ValueError(f"no move from {self.state} to {target}")
        return replace(self, state=target, updated_at=stage.at, trail=(*self.trail, stage),
                       **changes)

    def view(self) -> CaseView:
        """What the applicant, an officer of its office and an admin see."""
        payment = None
        if self.treasury_ref is not None or self.attempts:
            payment = Payment(treasury_ref=self.treasury_ref, paid_at=self.paid_at,
                              attempts=self.attempts, last_error=self.last_error)
        return CaseView(
            id=self.case_id,
            kind=self.kind,
            kind_label=KIND_LABELS.get(self.kind, self.kind),
            applicant=self.applicant,
            tax_office=self.tax_office,
            state=self.state,
            state_label=LABELS.get(self.state, self.state),
            amount=format_yuan(self.amount_fen),
            claim=self.claim,
            computation=self.computation,
            account=Account(bank=self.account_bank, number=mask(self.account_number)),
            flags=list(self.flags),
            stages=[StageView(state=s.state, at=s.at, by=s.by, note=s.note,
                              label=LABELS.get(s.state, s.state)) for s in self.trail],
            submitted_at=self.submitted_at,
            updated_at=self.updated_at,
            approved_amount=(format_yuan(self.approved_fen) if self.approved_fen is not None
                             else None),
            payment=payment,
            reason=self.reason,
            notification=self.notification,
            obligation_id=self.obligation_id,
        )


def mask(account: str) -> str:
    """A bank account as shown back: the last four characters."""
    return "*" * max(len(account) - 4, 0) + account[-4:]


def notification_for(case: Case) -> dict[str, str]:
    """The notification the applicant gets when the case ends (paid or rejected), in the
    platform's notification contract: a stable id per case and outcome, the applicant as the
    recipient, a dotted kind, a title, a body and the case's API path."""
    link = f"/v1/refunds/{case.case_id}"
    label = KIND_LABELS.get(case.kind, case.kind)
    if case.state == PAID:
        amount = format_yuan(case.approved_fen if case.approved_fen is not None
                             else case.amount_fen)
        return {"id": f"refund:{case.case_id}:paid", "recipient": case.applicant,
                "kind": "refund.paid", "title": "退税已退付",
                "body": f"您的{label}申请 {case.case_id} 已由国库退付 {amount} 元，"
                        f"请留意银行账户 {mask(case.account_number)} 的到账信息。",
                "link": link}
    if case.state == REJECTED:
        return {"id": f"refund:{case.case_id}:rejected", "recipient": case.applicant,
                "kind": "refund.rejected", "title": "退税申请未获批准",
                "body": f"您的{label}申请 {case.case_id} 未获批准。原因：{case.reason or '—'}",
                "link": link}
    raise ValueError(f"a case in state {case.state} has no outcome to notify")


# -- the item ------------------------------------------------------------------------------------

_OPTIONAL_TEXT = ("treasury_ref", "paid_at", "last_error", "reason", "obligation_id")
CLAIM_PREFIX: Final = "claim#"


def claim_key(claim: str) -> str:
    """The table key of a claim item (``claim#open#obligation#<id>``, ``claim#used#invoice#…``):
    one item per thing a case holds, created with the case and conditional on not existing."""
    return CLAIM_PREFIX + claim


def released_when(claim: str, state: str) -> bool:
    """Whether a case entering ``state`` lets go of ``claim``: a rejected case lets go of
    everything; a paid case of its ``open#`` claims (the obligation may be refunded again if
    its ledger later shows a new overpayment) but keeps its ``used#`` ones for good."""
    return state == REJECTED or (state == PAID and claim.startswith("open#"))


def to_item(case: Case) -> dict[str, Any]:
    """The case as a DynamoDB item (plain Python values: the repository serializes them)."""
    item: dict[str, Any] = {
        "case_id": case.case_id, "kind": case.kind, "applicant": case.applicant,
        "applicant_kind": case.applicant_kind, "tax_office": case.tax_office,
        "state": case.state, "amount_fen": case.amount_fen,
        "claim": json.dumps(case.claim, ensure_ascii=False, sort_keys=True),
        "computation": json.dumps(case.computation, ensure_ascii=False, sort_keys=True),
        "account_bank": case.account_bank, "account_number": case.account_number,
        "submitted_at": case.submitted_at, "updated_at": case.updated_at,
        "trail": as_json(case.trail),
        "conditions": list(case.conditions), "flags": list(case.flags),
        "attempts": case.attempts,
        "claims": list(case.claims),
    }
    if case.approved_fen is not None:
        item["approved_fen"] = case.approved_fen
    for name in _OPTIONAL_TEXT:
        if getattr(case, name) is not None:
            item[name] = getattr(case, name)
    if case.notification is not None:
        item["notification"] = dict(case.notification)
    if case.state == REVIEW:
        item["review_office"] = case.tax_office
    return item


def from_item(item: dict[str, Any]) -> Case:
    """The case from a (deserialized) item; numbers may come back as Decimal."""
    def text(name: str) -> str | None:
        value = item.get(name)
        return None if value is None else str(value)

    return Case(
        case_id=str(item["case_id"]), kind=str(item["kind"]), applicant=str(item["applicant"]),
        applicant_kind=str(item["applicant_kind"]), tax_office=str(item["tax_office"]),
        state=str(item["state"]), amount_fen=int(item["amount_fen"]),
        claim=json.loads(item["claim"]), computation=json.loads(item["computation"]),
        account_bank=str(item["account_bank"]), account_number=str(item["account_number"]),
        submitted_at=str(item["submitted_at"]), updated_at=str(item["updated_at"]),
        trail=tuple(Stage(str(s["state"]), str(s["at"]), str(s["by"]),
                          None if s.get("note") is None else str(s["note"]))
                    for s in item.get("trail", [])),
        conditions=tuple(str(c) for c in item.get("conditions", [])),
        flags=tuple(str(f) for f in item.get("flags", [])),
        approved_fen=None if item.get("approved_fen") is None else int(item["approved_fen"]),
        treasury_ref=text("treasury_ref"), paid_at=text("paid_at"),
        attempts=int(item.get("attempts", 0)), last_error=text("last_error"),
        reason=text("reason"),
        notification=({str(k): str(v) for k, v in item["notification"].items()}
                      if item.get("notification") else None),
        obligation_id=text("obligation_id"),
        claims=tuple(str(c) for c in item.get("claims", [])),
    )
