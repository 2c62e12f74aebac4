"""Internal approvals (内部审批): a document an officer submits is routed through reviewers of
its office, one after the other in the order the submitter gave, each deciding in turn, every
step kept on its trail.

The rules, pure (no storage, no clock): :func:`decide` turns a stored approval and one
person's action into the change to write, or refuses it naming why. The service writes the
change conditioned on the version it read, so two decisions sent at once never both apply.

States and who moves them:

- ``pending`` — waiting for the reviewer at ``position`` (``reviewers[position]``):
  ``approve`` moves it to the next reviewer, or ends it ``approved`` after the last;
  ``approve`` with ``conditions`` (附条件同意) does the same and keeps the conditions, which
  travel with the approval and are listed on its outcome; ``return`` (退回修改, a comment
  required) sends it back to the submitter; ``reject`` (不予同意, a comment required) ends it;
- ``returned`` — the submitter revises it (title and body, optionally) and ``resubmit``\\ s
  it: pending again with the reviewer who returned it (the reviewers before keep their
  approvals, and the new round is on the trail);
- ``withdrawn`` — the submitter takes it back while pending or returned;
- ``approved``, ``rejected``, ``withdrawn`` — final.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from etax.errors import Invalid, Refused, StateChanged

MAX_REVIEWERS: Final = 8
MAX_ROUNDS: Final = 10  # resubmissions after a return: a document sent back ten times is redone
CATEGORIES: Final = {
    "document": "文书审批",
    "case": "案件审理",
    "expense": "费用报销",
    "leave": "请休假",
    "other": "其他事项",
}
APPROVAL_ID: Final = re.compile(r"ap-[0-9a-f]{20}")
FINAL: Final = frozenset({"approved", "rejected", "withdrawn"})
Decision = Literal["approve", "return", "reject"]


@dataclass(frozen=True, slots=True)
class Change:
    """What an action changes: the new values of the stored approval, the step added to the
    trail, and who is told (recipient, what happened)."""

    values: Mapping[str, Any]
    step: Mapping[str, Any]
    tell: Sequence[tuple[str, str]] = field(default_factory=tuple)


def step(at: str, by: str, action: str, text: str | None = None) -> dict[str, Any]:
    return {"at": at, "by": by, "action": action, **({"text": text} if text else {})}


def check_reviewers(submitter: str, reviewers: Sequence[str]) -> list[str]:
    """The reviewers in order: 1 to :data:`MAX_REVIEWERS`, each once, not the submitter."""
    if not 1 <= len(reviewers) <= MAX_REVIEWERS:
        raise Invalid(f"reviewers: 1 to {MAX_REVIEWERS} officers, in order", field="reviewers")
    seen: set[str] = set()
    for at, reviewer in enumerate(reviewers):
        if reviewer == submitter:
            raise Invalid("reviewers: the submitter does not review its own document",
                          field=f"reviewers[{at}]")
        if reviewer in seen:
            raise Invalid("reviewers: each officer once", field=f"reviewers[{at}]")
        seen.add(reviewer)
    return list(reviewers)


def current_reviewer(stored: Mapping[str, Any]) -> str | None:
    if stored["state"] != "pending":
        return None
    return str(stored["reviewers"][int(stored["position"])])


def decide(stored: Mapping[str, Any], by: str, office: str | None, decision: Decision,
           comment: str | None, conditions: str | None, at: str) -> Change:
    """A reviewer's decision on ``stored`` (``by`` an officer of ``office``)."""
    if stored["state"] != "pending":
        raise StateChanged(f"this approval is {stored['state']}: nothing to decide",
                           field="approval_id")
    if office != stored["office"] or by != current_reviewer(stored):
        raise Refused("an approval is decided by the reviewer whose turn it is")
    if conditions is not None and decision != "approve":
        raise Invalid("conditions: only an approval is given with conditions",
                      field="conditions")
    if decision in ("return", "reject") and not comment:
        raise Invalid(f"comment: a reviewer says why it {decision}s", field="comment")
    position = int(stored["position"])
    text = "；".join(t for t in (conditions and f"条件：{conditions}", comment) if t) or None
    if decision == "approve":
        kept = list(stored.get("conditions", []))
        if conditions:
            kept.append({"by": by, "at": at, "text": conditions})
        action = "approved_with_conditions" if conditions else "approved"
        if position + 1 < len(stored["reviewers"]):
            following = str(stored["reviewers"][position + 1])
            return Change({"position": position + 1, "conditions": kept},
                          step(at, by, action, text),
                          ((following, "to_review"),))
        return Change({"state": "approved", "conditions": kept, "decided_at": at},
                      step(at, by, action, text), ((stored["submitted_by"], "approved"),))
    if decision == "return":
        return Change({"state": "returned"}, step(at, by, "returned", text),
                      ((stored["submitted_by"], "returned"),))
    return Change({"state": "rejected", "decided_at": at}, step(at, by, "rejected", text),
                  ((stored["submitted_by"], "rejected"),))


def resubmit(stored: Mapping[str, Any], by: str, revised: Mapping[str, str],
             comment: str | None, at: str) -> Change:
    """The submitter sends a returned approval again (``revised``: a new title or body):
    pending with the reviewer who returned it."""
    if by != stored["submitted_by"]:
        raise Refused("an approval is resubmitted by its submitter")
    if stored["state"] != "returned":
        raise StateChanged(f"this approval is {stored['state']}: only a returned one is "
                           "resubmitted", field="approval_id")
    rounds = int(stored.get("round", 1)) + 1
    if rounds > MAX_ROUNDS:
        raise StateChanged(f"returned {MAX_ROUNDS - 1} times: submit it anew",
                           field="approval_id")
    reviewer = str(stored["reviewers"][int(stored["position"])])
    return Change({"state": "pending", "round": rounds, **revised},
                  step(at, by, "resubmitted", comment), ((reviewer, "to_review"),))


def withdraw(stored: Mapping[str, Any], by: str, reason: str, at: str) -> Change:
    """The submitter takes back an approval still pending or returned; the reviewer whose
    turn it was is told."""
    if by != stored["submitted_by"]:
        raise Refused("an approval is withdrawn by its submitter")
    if stored["state"] not in ("pending", "returned"):
        raise StateChanged(f"this approval is {stored['state']} already", field="approval_id")
    waiting = current_reviewer(stored)
    return Change({"state": "withdrawn", "decided_at": at}, step(at, by, "withdrawn", reason),
                  ((waiting, "withdrawn"),) if waiting else ())


WORDS: Final = {
    "to_review": ("待审批：{title}",
                  "{submitter}提交的{category}“{title}”待你审批（第 {turn}/{of} 位）。"),
    "approved": ("已审批通过：{title}", "你提交的{category}“{title}”已审批通过{conditions}。"),
    "returned": ("退回修改：{title}", "你提交的{category}“{title}”被退回修改：{text}"),
    "rejected": ("不予同意：{title}", "你提交的{category}“{title}”未获同意：{text}"),
    "withdrawn": ("已撤回：{title}", "{submitter}撤回了{category}“{title}”，无需再审批。"),
}


def words(what: str, stored: Mapping[str, Any], change: Change) -> tuple[str, str]:
    """The title and body of the message telling ``what`` happened to ``stored``."""
    merged = {**stored, **change.values}
    conditions = merged.get("conditions") or []
    title, body = WORDS[what]
    facts = {
        "title": merged["title"], "submitter": merged["submitted_by"],
        "category": CATEGORIES[merged["category"]],
        "turn": int(merged["position"]) + 1, "of": len(merged["reviewers"]),
        "text": change.step.get("text", ""),
        "conditions": ("（附条件：" + "；".join(c["text"] for c in conditions) + "）"
                       if conditions else ""),
    }
    return title.format(**facts), body.format(**facts)
