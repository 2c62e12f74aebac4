"""The idea space's rules (plan action A2, 创意空间), pure: who may do what to an idea, what each
step changes and what it puts on the public trail.

The workflow (docs/usage/ideas.md; the shape of Decidim's proposals and Consul's citizen
proposals: docs/sources.md#idea-space):

- ``submitted`` — open for supports for :data:`SUPPORT_DAYS` days from its submission; a
  verified account of the public (a taxpayer signed in: an enterprise by its credit code or
  a natural person by its resident ID) supports it once. The support
  that brings it to :data:`SUPPORT_THRESHOLD` within its window sends it to
- ``under_review`` — an officer decides: ``adopt`` (with a note, optional) or ``decline``
  (with a public reason, required);
- ``adopted`` — an officer marks it ``deliver``\\ ed, saying what was delivered;
- ``declined``, ``delivered`` — final; ``withdrawn`` by its author while submitted or under
  review; ``merged`` into another idea by an officer (its supports moved there).

An officer may also hide an idea (a reason required): it leaves the public lists and pages, and
stays readable, with its reason, to the officers and administrators and its author.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from etax.errors import Invalid, Refused, StateChanged
from etax.rules import uscc

SUPPORT_THRESHOLD: Final = 100  # supports within the window that send an idea to review
SUPPORT_DAYS: Final = 90  # the window, from its submission
DAILY: Final = {"ideas": 3, "supports": 100, "comments": 20}  # a person's allowance a day
AUTHORS: Final = ("taxpayer", "officer")  # who submits and comments
SUPPORTERS: Final = ("taxpayer",)  # verified accounts of the public: enterprises and persons
MODERATORS: Final = ("officer", "admin")
CATEGORIES: Final = {
    "service": "办税服务", "invoices": "发票", "filing": "申报缴税", "refunds": "退税",
    "apps": "应用与平台", "policy": "政策宣传", "other": "其他",
}
OPEN: Final = ("submitted", "under_review")  # supported, withdrawn, merged in these states
FINAL: Final = frozenset({"declined", "delivered", "withdrawn", "merged"})
AUTHOR_STEP: Final = "author"  # how the trail shows the author (never its identifier)
Decision = Literal["adopt", "decline", "deliver"]


@dataclass(frozen=True, slots=True)
class Change:
    """An idea's new values and the step its trail gains."""

    values: Mapping[str, Any]
    step: Mapping[str, Any]


def author_kind(role: str, subject: str) -> str:
    """How an author is shown: ``officer``, ``enterprise`` (a credit code) or ``person``."""
    if role == "officer":
        return "officer"
    return "enterprise" if uscc.is_valid(subject) else "person"


def step(at: str, by: str, action: str, text: str | None = None,
         public: bool = True) -> dict[str, Any]:
    return {"at": at, "by": by, "action": action, "public": public,
            **({"text": text} if text else {})}


def window_ends(submitted: datetime) -> datetime:
    return submitted + timedelta(days=SUPPORT_DAYS)


def check_supportable(stored: Mapping[str, Any], supporter: str, now: str) -> None:
    """A support is given to an open idea, within its window, not by its author."""
    if stored["state"] not in OPEN:
        raise StateChanged(f"this idea is {stored['state']}: it takes no more supports",
                           field="idea_id")
    if stored["window_ends"] <= now:
        raise StateChanged("this idea's window for supports has closed", field="idea_id")
    if supporter == stored["author"]:
        raise Refused("an idea is supported by others than its author")


def reached(stored: Mapping[str, Any]) -> bool:
    """Whether the supports sent a submitted idea to review."""
    return stored["state"] == "submitted" and int(stored["supports"]) >= SUPPORT_THRESHOLD


def decide(stored: Mapping[str, Any], by: str, decision: Decision, reason: str | None,
           at: str) -> Change:
    """An officer's decision: adopt or decline an idea under review, deliver an adopted one."""
    if decision == "deliver":
        if stored["state"] != "adopted":
            raise StateChanged(f"this idea is {stored['state']}: only an adopted idea is "
                               "delivered", field="idea_id")
        if not reason:
            raise Invalid("reason: say what was delivered", field="reason")
        return Change({"state": "delivered", "decided_at": at}, step(at, by, "delivered",
                                                                     reason))
    if stored["state"] != "under_review":
        raise StateChanged(f"this idea is {stored['state']}: only an idea under review is "
                           f"{'adopted' if decision == 'adopt' else 'declined'}",
                           field="idea_id")
    if decision == "decline":
        if not reason:
            raise Invalid("reason: a declined idea is told why, in public", field="reason")
        return Change({"state": "declined", "decided_at": at},
                      step(at, by, "declined", reason))
    return Change({"state": "adopted", "decided_at": at}, step(at, by, "adopted", reason))


def withdraw(stored: Mapping[str, Any], by: str, reason: str | None, at: str) -> Change:
    if by != stored["author"]:
        raise Refused("an idea is withdrawn by its author")
    if stored["state"] not in OPEN:
        raise StateChanged(f"this idea is {stored['state']}: it is not withdrawn now",
                           field="idea_id")
    return Change({"state": "withdrawn", "decided_at": at},
                  step(at, AUTHOR_STEP, "withdrawn", reason))


def hide(stored: Mapping[str, Any], by: str, reason: str, at: str) -> Change:
    if stored.get("hidden"):
        raise StateChanged("this idea is hidden already", field="idea_id")
    return Change({"hidden": {"by": by, "at": at, "reason": reason}},
                  step(at, by, "hidden", reason, public=False))


def merge(source: Mapping[str, Any], target: Mapping[str, Any], by: str, at: str) -> Change:
    """``source`` merged into ``target`` (both open, not hidden, not the same idea)."""
    if source["id"] == target["id"]:
        raise Invalid("into: another idea", field="into")
    for idea, field in ((source, "idea_id"), (target, "into")):
        if idea["state"] not in OPEN or idea.get("hidden"):
            raise StateChanged(f"idea {idea['id']} is {idea['state']}: only open ideas are "
                               "merged", field=field)
    return Change({"state": "merged", "merged_into": target["id"], "decided_at": at},
                  step(at, by, "merged", f"→ {target['id']}"))
