"""The idea space's service (the rules: :mod:`etax.ideas.rules`). Who may do what:

- submit and comment: a signed-in taxpayer (an enterprise or a natural person) or officer,
  within a day's allowance (:data:`~etax.ideas.rules.DAILY`); support: a taxpayer (the
  verified accounts of the public), once an idea, not its author;
- read and list: anyone; a hidden idea only its author, the officers and the administrators
  (404 to anyone else), who also see the steps not shown in public;
- decide, hide, merge: officers and administrators; withdraw: its author.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from etax.crowd.similarity import Candidate, similar
from etax.errors import (
    AlreadyExists,
    Invalid,
    LimitReached,
    Malformed,
    NotFound,
    Refused,
    StateChanged,
)
from etax.ideas import rules
from etax.ideas.repository import IdeaRepository
from etax.ideas.requests import CommentRequest, DecisionRequest, IdeaRequest
from etax.ideas.results import (
    Comment,
    Hidden,
    Idea,
    IdeaList,
    IdeaPage,
    IdeaSummary,
    Similar,
    Step,
    Submitted,
    Supported,
)
from etax.platform.auth import Principal
from etax.rules.dates import day_allowance, utc_stamp

IDEA_ID = re.compile(r"id-[0-9a-f]{20}")
CANDIDATES = 200  # the newest listed ideas a new one is compared with
STATES = ("submitted", "under_review", "adopted", "declined", "delivered")


def _role(principal: Principal | None, roles: tuple[str, ...], what: str) -> Principal:
    if principal is None or principal.role not in roles:
        raise Refused(what)
    return principal


@dataclass
class IdeaService:
    repository: IdeaRepository
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    # -- helpers ---------------------------------------------------------------------------------

    def _allowance(self, subject: str, kind: str) -> None:
        day, expires, retry = day_allowance(self.now())
        ceiling = rules.DAILY[kind]
        if not self.repository.count(subject, kind, day, ceiling, expires):
            raise LimitReached(f"at most {ceiling} {kind} a day; the allowance renews in "
                               f"{retry} s", retry_after=retry)

    def _stored(self, idea_id: str) -> dict[str, Any]:
        stored = self.repository.idea(idea_id) if IDEA_ID.fullmatch(idea_id) else None
        if stored is None:
            raise NotFound(f"no idea {idea_id}")
        return stored

    @staticmethod
    def _insider(principal: Principal | None, stored: Mapping[str, Any]) -> bool:
        """A moderator, or the idea's author: sees it hidden, and every step."""
        return principal is not None and (principal.role in rules.MODERATORS
                                          or principal.subject == stored["author"])

    def _visible(self, principal: Principal | None, idea_id: str) -> dict[str, Any]:
        stored = self._stored(idea_id)
        if stored.get("hidden") and not self._insider(principal, stored):
            raise NotFound(f"no idea {idea_id}")
        return stored

    def _summary(self, stored: Mapping[str, Any]) -> IdeaSummary:
        return IdeaSummary(
            id=stored["id"], title=stored["title"], category=stored["category"],
            category_name=rules.CATEGORIES[stored["category"]], state=stored["state"],
            supports=int(stored["supports"]), threshold=rules.SUPPORT_THRESHOLD,
            submitted_at=stored["submitted_at"], window_ends=stored["window_ends"])

    def _shown(self, principal: Principal | None, stored: Mapping[str, Any]) -> Idea:
        insider = self._insider(principal, stored)
        mine = principal is not None and principal.subject == stored["author"]
        hidden = stored.get("hidden")
        comments = [Comment(c["id"], c["at"], c["author_kind"], c["body"],
                            principal is not None and principal.subject == c["author"])
                     for c in self.repository.comments(stored["id"])]
        return Idea(
            id=stored["id"], title=stored["title"], body=stored["body"],
            category=stored["category"], category_name=rules.CATEGORIES[stored["category"]],
            author_kind=stored["author_kind"], state=stored["state"],
            supports=int(stored["supports"]), threshold=rules.SUPPORT_THRESHOLD,
            submitted_at=stored["submitted_at"], window_ends=stored["window_ends"],
            supportable=(stored["state"] in rules.OPEN and not hidden
                         and stored["window_ends"] > utc_stamp(self.now())),
            trail=[Step(s["at"], s["by"], s["action"], s.get("text"))
                   for s in stored["trail"] if insider or s.get("public", True)],
            comments=comments, mine=mine, merged_into=stored.get("merged_into"),
            hidden=Hidden(**hidden) if hidden and insider else None)

    def _similar(self, title: str) -> list[IdeaSummary]:
        recent, _ = self.repository.listing(False, None, limit=CANDIDATES)
        by_id = {i["id"]: i for i in recent}
        found = similar(title, (Candidate("idea", i["id"], i["title"], (i["title"],))
                                for i in by_id.values()))
        return [self._summary(by_id[s.id]) for s in found]

    # -- the public's ------------------------------------------------------------------------------

    def submit(self, principal: Principal, request: IdeaRequest) -> Submitted:
        _role(principal, rules.AUTHORS, "ideas are submitted by taxpayers and officers "
                                        "signed in")
        self._allowance(principal.subject, "ideas")
        now = self.now()
        at = utc_stamp(now)
        idea_id = f"id-{int(now.timestamp() * 1000):012x}{secrets.token_hex(4)}"
        values = {
            "title": request.title, "body": request.body, "category": request.category,
            "author": principal.subject,
            "author_kind": rules.author_kind(principal.role, principal.subject),
            "state": "submitted",
            "supports": 0, "submitted_at": at, "window_ends": utc_stamp(rules.window_ends(now)),
            "trail": [rules.step(at, rules.AUTHOR_STEP, "submitted")], "version": 1}
        similar_before = self._similar(request.title)
        if not self.repository.put_idea(idea_id, values):
            raise AlreadyExists("an idea with this id exists already; send it again")
        return Submitted(self._shown(principal, {**values, "id": idea_id}), similar_before)

    def similar(self, title: str | None) -> Similar:
        if not title or not 2 <= len(title.strip()) <= 80:
            raise Malformed("title: the idea's title, 2 to 80 characters", field="title")
        return Similar(self._similar(title.strip()))

    def listed(self, state: str | None, cursor: str | None) -> IdeaPage:
        if state is not None and state not in STATES:
            raise Malformed(f"state: one of {', '.join(STATES)}", field="state")
        found, following = self.repository.listing(False, cursor, state)
        return IdeaPage([self._summary(i) for i in found], following)

    def read(self, principal: Principal | None, idea_id: str) -> Idea:
        return self._shown(principal, self._visible(principal, idea_id))

    def support(self, principal: Principal, idea_id: str) -> Supported:
        _role(principal, rules.SUPPORTERS, "ideas are supported by taxpayers signed in "
                                           "(enterprises and natural persons)")
        stored = self._visible(principal, idea_id)
        if stored.get("hidden"):
            raise StateChanged("a hidden idea takes no supports", field="idea_id")
        now = utc_stamp(self.now())
        rules.check_supportable(stored, principal.subject, now)
        self._allowance(principal.subject, "supports")
        self.repository.support(idea_id, principal.subject, now, rules.OPEN, now)
        after = self._to_review_if_reached(idea_id, now)
        return Supported(idea_id, int(after["supports"]), after["state"])

    def _to_review_if_reached(self, idea_id: str, now: str) -> dict[str, Any]:
        """The idea as it is now, sent to review if its supports reached the threshold (once:
        the change is conditioned on the version read; who loses the race reads it again)."""
        for _ in range(3):
            after = self._stored(idea_id)
            if not rules.reached(after):
                return after
            reached = rules.step(now, "platform", "under_review",
                                 f"{after['supports']} supports")
            if self.repository.change(idea_id, int(after["version"]),
                                      {"state": "under_review"}, reached):
                return {**after, "state": "under_review"}
        return self._stored(idea_id)

    def comment(self, principal: Principal, idea_id: str, request: CommentRequest) -> Idea:
        _role(principal, rules.AUTHORS, "ideas are discussed by taxpayers and officers "
                                        "signed in")
        stored = self._visible(principal, idea_id)
        closed = "hidden" if stored.get("hidden") else stored["state"]
        if closed in ("hidden", "withdrawn", "merged"):
            raise StateChanged(f"this idea is {closed}: it takes no comments", field="idea_id")
        self._allowance(principal.subject, "comments")
        at = utc_stamp(self.now())
        self.repository.add_comment(idea_id, secrets.token_hex(6), {
            "at": at, "author": principal.subject,
            "author_kind": rules.author_kind(principal.role, principal.subject),
            "body": request.body})
        return self._shown(principal, stored)

    def withdraw(self, principal: Principal, idea_id: str, reason: str | None) -> Idea:
        stored = self._visible(principal, idea_id)
        change = rules.withdraw(stored, principal.subject, reason, utc_stamp(self.now()))
        return self._apply(principal, stored, change)

    # -- the moderators' ---------------------------------------------------------------------------

    def decide(self, principal: Principal, idea_id: str, request: DecisionRequest) -> Idea:
        _role(principal, rules.MODERATORS, "ideas are reviewed by officers")
        stored = self._stored(idea_id)
        change = rules.decide(stored, principal.subject, request.decision, request.reason,
                              utc_stamp(self.now()))
        return self._apply(principal, stored, change)

    def hide(self, principal: Principal, idea_id: str, reason: str) -> Idea:
        _role(principal, rules.MODERATORS, "ideas are hidden by officers")
        stored = self._stored(idea_id)
        change = rules.hide(stored, principal.subject, reason, utc_stamp(self.now()))
        return self._apply(principal, stored, change, hide=True)

    def merge(self, principal: Principal, idea_id: str, into: str) -> Idea:
        """``idea_id`` merged into ``into``: each of its supporters supports ``into`` (once:
        who supported both counts once), then it is closed pointing there."""
        _role(principal, rules.MODERATORS, "ideas are merged by officers")
        source = self._stored(idea_id)
        try:
            target = self._stored(into)
        except NotFound:
            raise Invalid(f"into: no idea {into}", field="into") from None
        at = utc_stamp(self.now())
        change = rules.merge(source, target, principal.subject, at)
        for subject in self.repository.supporters(idea_id):
            self.repository.move_support(into, subject, at)
        merged = self._apply(principal, source, change, unlist=True)
        self._to_review_if_reached(into, at)  # the supports it gained may reach the threshold
        return merged

    def hidden(self, principal: Principal, cursor: str | None) -> IdeaList:
        """The hidden ideas, each whole with its reason (the moderation stays auditable)."""
        _role(principal, rules.MODERATORS, "hidden ideas are read by officers")
        found, following = self.repository.listing(True, cursor)
        return IdeaList([self._shown(principal, i) for i in found], following)

    def mine(self, principal: Principal, cursor: str | None) -> IdeaList:
        """The caller's own ideas, each whole (hidden ones with their reason), newest first."""
        found, following = self.repository.listing(False, cursor, author=principal.subject)
        return IdeaList([self._shown(principal, i) for i in found], following)

    def _apply(self, principal: Principal, stored: dict[str, Any], change: rules.Change, *,
               unlist: bool = False, hide: bool = False) -> Idea:
        if not self.repository.change(stored["id"], int(stored["version"]), change.values,
                                      change.step, unlist=unlist, hide=hide):
            raise StateChanged("this idea changed meanwhile: read it again", field="idea_id")
        return self._shown(principal, {**stored, **change.values,
                                       "trail": [*stored["trail"], change.step]})
