"""The application state machine (pure): which action moves which state where, who may act,
and what the applicant is told.

::

    record-filing item:  (file) ──────────────────────────────▶ accepted
    other items:         (open) ─▶ draft ──submit──▶ submitted ──approve──▶ approved
                                            ▲            │ └────reject───▶ rejected
                                            │        request_documents
                                            └─submit── documents_requested

A transition is stored as a conditional write on (state, version) together with its trail
entry (sequence = the version after it), so a repeated or stale request cannot apply twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from etax.acceptance.catalogue import Category


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    DOCUMENTS_REQUESTED = "documents_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    ACCEPTED = "accepted"

    @property
    def final(self) -> bool:
        return self in (State.APPROVED, State.REJECTED, State.ACCEPTED)

    @property
    def label(self) -> str:
        return {State.DRAFT: "待提交", State.SUBMITTED: "已提交，待审核",
                State.DOCUMENTS_REQUESTED: "需补正资料", State.APPROVED: "已批准",
                State.REJECTED: "不予批准", State.ACCEPTED: "已受理（备案）"}[self]


class Action(StrEnum):
    FILE = "file"                            # create a record-filing application
    OPEN = "open"                            # create any other application
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    REQUEST_DOCUMENTS = "request_documents"


DECISIONS = (Action.APPROVE, Action.REJECT, Action.REQUEST_DOCUMENTS)
NEEDS_REASON = (Action.REJECT, Action.REQUEST_DOCUMENTS)

TRANSITIONS: dict[tuple[State, Action], State] = {
    (State.DRAFT, Action.SUBMIT): State.SUBMITTED,
    (State.DOCUMENTS_REQUESTED, Action.SUBMIT): State.SUBMITTED,
    (State.SUBMITTED, Action.APPROVE): State.APPROVED,
    (State.SUBMITTED, Action.REJECT): State.REJECTED,
    (State.SUBMITTED, Action.REQUEST_DOCUMENTS): State.DOCUMENTS_REQUESTED,
}

# States in which the applicant may add documents.
EDITABLE = (State.DRAFT, State.DOCUMENTS_REQUESTED)


class InvalidTransition(ValueError):
    def __init__(self, state: State, action: Action) -> None:
        super().__init__(f"an application in state {state.value} cannot {action.value}")
        self.state = state
        self.action = action


def initial(category: Category) -> tuple[Action, State]:
    """How an application of ``category`` begins: record-filing is accepted at once."""
    if category is Category.RECORD_FILING:
        return Action.FILE, State.ACCEPTED
    return Action.OPEN, State.DRAFT


def next_state(state: State, action: Action) -> State:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(state, action) from None


def missing_documents(required: tuple[str, ...], confirmed_kinds: set[str]) -> list[str]:
    """The required document kinds with no confirmed upload yet (submission waits for them)."""
    return [kind for kind in required if kind not in confirmed_kinds]


EVENT_TYPES: dict[State, str] = {
    State.DRAFT: "ApplicationOpened",
    State.SUBMITTED: "ApplicationSubmitted",
    State.DOCUMENTS_REQUESTED: "ApplicationDocumentsRequested",
    State.APPROVED: "ApplicationApproved",
    State.REJECTED: "ApplicationRejected",
    State.ACCEPTED: "ApplicationAccepted",
}


@dataclass(frozen=True, slots=True)
class TrailEntry:
    """One state change: the state after it, the action, who acted, when, and why."""

    seq: int
    state: State
    action: Action
    actor_role: str
    actor: str
    at: str
    reason: str | None = None

    def view(self) -> dict[str, Any]:
        return {"seq": self.seq, "state": self.state.value, "state_label": self.state.label,
                "action": self.action.value, "by": {"role": self.actor_role,
                                                    "subject": self.actor},
                "at": self.at, "reason": self.reason}


def notification(application_id: str, applicant: str, item_name: str,
                 entry: TrailEntry) -> dict[str, str]:
    """The notification of one trail entry, per the platform's notification contract.

    Its id is stable (the trail sequence is fixed by the conditional transition), so a
    re-announced entry is never delivered twice.
    """
    kind = f"application.{entry.state.value}"
    title = f"{item_name}：{entry.state.label}"
    body = f"您的申请 {application_id}（{item_name}）状态：{entry.state.label}。"
    if entry.reason:
        body += f"原因：{entry.reason}"
    return {
        "id": f"application:{application_id}:{entry.seq}:{entry.state.value}",
        "recipient": applicant,
        "kind": kind,
        "title": title,
        "body": body,
        "link": f"/v1/applications/{application_id}",
    }
