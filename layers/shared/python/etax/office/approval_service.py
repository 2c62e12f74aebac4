"""Internal approvals' service (the rules: :mod:`etax.office.approvals`): an approval is
submitted by an officer to reviewers of its office, decided by the reviewer whose turn it is,
resubmitted or withdrawn by its submitter; read by its submitter, its reviewers and the
administrators (anyone else: 404). Each change is written conditioned on the version read;
the reviewer whose turn it is and the submitter are told in their inbox."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from etax.errors import AlreadyExists, Invalid, NotFound, StateChanged
from etax.office import approvals
from etax.office.repository import OfficeRepository
from etax.office.requests import ApprovalRequest, DecisionRequest, ResubmitRequest
from etax.office.results import Approval, ApprovalPage, Condition, Step
from etax.office.service import office_of_officer
from etax.office.tables import REVIEWING_INDEX, SUBMITTED_INDEX
from etax.platform.auth import Principal
from etax.platform.events import DomainEvent, Publisher
from etax.rules.dates import utc_stamp


@dataclass
class Approvals:
    """Internal approvals (:mod:`etax.office.approvals`): each change written conditioned on
    the version read, the reviewer whose turn it is and the submitter told in their inbox."""

    repository: OfficeRepository
    publisher: Publisher
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def submit(self, principal: Principal, request: ApprovalRequest) -> Approval:
        office = _approver(principal)
        reviewers = approvals.check_reviewers(principal.subject, request.reviewers)
        now = self.now()
        at = utc_stamp(now)
        approval_id = f"ap-{int(now.timestamp() * 1000):012x}{secrets.token_hex(4)}"
        values: dict[str, Any] = {
            "state": "pending", "category": request.category, "title": request.title,
            "body": request.body, "office": office, "submitted_by": principal.subject,
            "submitter": f"{office}#{principal.subject}", "submitted_at": at,
            "reviewers": reviewers, "position": 0, "round": 1, "conditions": [],
            "trail": [approvals.step(at, principal.subject, "submitted")], "version": 1,
            "reviewing": f"{office}#{reviewers[0]}", "queued": f"{at}#{approval_id}",
            **({"reference": request.reference} if request.reference else {}),
        }
        if not self.repository.put_approval(approval_id, values):
            raise AlreadyExists("an approval with this id exists already; send it again")
        stored = {**values, "id": approval_id}
        self._tell(stored, approvals.Change({}, values["trail"][0],
                                            ((reviewers[0], "to_review"),)))
        return _shown_approval(stored)

    def _stored(self, approval_id: str) -> dict[str, Any]:
        stored = (self.repository.approval(approval_id)
                  if approvals.APPROVAL_ID.fullmatch(approval_id) else None)
        if stored is None:
            raise NotFound(f"no approval {approval_id}")
        return {**stored, "id": approval_id}

    def _visible(self, principal: Principal, approval_id: str) -> dict[str, Any]:
        """The approval for its submitter, its reviewers (officers of its office) and the
        administrators; NotFound for anyone else (its existence is the office's business)."""
        stored = self._stored(approval_id)
        if principal.role == "admin" or (
                principal.role == "officer" and principal.tax_office == stored["office"]
                and principal.subject in (stored["submitted_by"], *stored["reviewers"])):
            return stored
        raise NotFound(f"no approval {approval_id}")

    def read(self, principal: Principal, approval_id: str) -> Approval:
        return _shown_approval(self._visible(principal, approval_id))

    def decide(self, principal: Principal, approval_id: str,
               request: DecisionRequest) -> Approval:
        _approver(principal)
        stored = self._visible(principal, approval_id)
        change = approvals.decide(stored, principal.subject, principal.tax_office,
                                  request.decision, request.comment, request.conditions,
                                  utc_stamp(self.now()))
        return self._apply(stored, change)

    def resubmit(self, principal: Principal, approval_id: str,
                 request: ResubmitRequest) -> Approval:
        _approver(principal)
        stored = self._visible(principal, approval_id)
        revised = {k: v for k, v in (("title", request.title), ("body", request.body)) if v}
        change = approvals.resubmit(stored, principal.subject, revised, request.comment,
                                    utc_stamp(self.now()))
        return self._apply(stored, change)

    def withdraw(self, principal: Principal, approval_id: str, reason: str) -> Approval:
        _approver(principal)
        stored = self._visible(principal, approval_id)
        change = approvals.withdraw(stored, principal.subject, reason, utc_stamp(self.now()))
        return self._apply(stored, change)

    def _apply(self, stored: dict[str, Any], change: approvals.Change) -> Approval:
        changed = {**stored, **change.values}
        waiting = approvals.current_reviewer(changed)
        reviewing = None if waiting is None else (
            f"{stored['office']}#{waiting}", f"{change.step['at']}#{stored['id']}")
        if not self.repository.change_approval(stored["id"], int(stored["version"]),
                                               change.values, change.step, reviewing):
            raise StateChanged("this approval changed meanwhile: read it again",
                               field="approval_id")
        self._tell(stored, change)
        return _shown_approval({**changed, "trail": [*stored["trail"], change.step]})

    def _tell(self, stored: dict[str, Any], change: approvals.Change) -> None:
        announced = []
        for recipient, what in change.tell:
            title, body = approvals.words(what, stored, change)
            announced.append(DomainEvent("ApprovalMoved", {
                "approval_id": stored["id"], "tax_office": stored["office"], "what": what,
                "notification": {
                    "id": f"approval:{stored['id']}:{len(stored['trail'])}:{what}",
                    "recipient": recipient, "kind": f"office.approval_{what}",
                    "title": title, "body": body,
                    "link": f"/v1/office/approvals/{stored['id']}"}}))
        if announced:
            self.publisher.publish(announced)

    def listed(self, principal: Principal, box: str | None,
               cursor: str | None) -> ApprovalPage:
        """``box=to-review`` (the default): the approvals waiting for the caller, longest
        waiting first; ``box=submitted``: the caller's own, newest first."""
        office = _approver(principal)
        if box not in (None, "to-review", "submitted"):
            raise Invalid("box: to-review or submitted", field="box")
        index = SUBMITTED_INDEX if box == "submitted" else REVIEWING_INDEX
        found, following = self.repository.approvals(index, f"{office}#{principal.subject}",
                                                     cursor)
        return ApprovalPage([_shown_approval(a) for a in found], following)


def _approver(principal: Principal) -> str:
    """The office of a signed-in officer (internal approvals are the officers' own)."""
    return office_of_officer(principal, "internal approvals are the officers' own")


def _shown_approval(stored: dict[str, Any]) -> Approval:
    return Approval(
        id=stored["id"], state=stored["state"], category=stored["category"],
        category_name=approvals.CATEGORIES[stored["category"]], title=stored["title"],
        body=stored["body"], tax_office=stored["office"], submitted_by=stored["submitted_by"],
        submitted_at=stored["submitted_at"], reviewers=list(stored["reviewers"]),
        position=int(stored["position"]), round=int(stored["round"]),
        conditions=[Condition(**c) for c in stored.get("conditions", [])],
        trail=[Step(**s) for s in stored["trail"]], reference=stored.get("reference"),
        waiting_for=approvals.current_reviewer(stored), decided_at=stored.get("decided_at"))
