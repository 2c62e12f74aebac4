"""Reputation in crowd help (众包互助): Stack-Exchange-like rules, as data, and one pure fold.

The rules (after Stack Exchange's, https://meta.stackexchange.com/revisions/266551/2;
docs/usage/crowd.md has the table):

======================================  ===============  ============
event                                   the post's author  the other
======================================  ===============  ============
a question voted up                     +5               —
a question voted down                   −2               —
an answer voted up                      +10              —
an answer voted down                    −2               voter −1
an answer accepted                      +15              accepter +2
======================================  ===============  ============

* Everyone starts at 1 and never falls below it (:data:`FLOOR`): a loss takes at most what is
  above the floor.
* Gains from up-votes count against a daily cap (:data:`DAILY_CAP`, 200 a business day, China
  time); what is over it is not granted. Acceptance is outside the cap.
* A vote may be changed (up ↔ down): its earlier effect is taken back exactly as it was granted
  (``granted`` on the vote), then the new one applied. The same vote twice is refused
  upstream (one vote per person per post).
* Nobody votes on, or earns from accepting, their own post.
* At :data:`GUIDE_THRESHOLD` (a setting) a person holds the 大众导税员 badge.

:class:`Ledger` is the fold: the service loads the slice of the ledger an event touches (the
people's reputations, the author's day, the vote's earlier grant), applies the event with the
same code :func:`recompute` runs over the whole history, and writes the result in one
transaction, so a recomputation from the stored events lands on the stored reputations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

PostKind = Literal["question", "answer"]

START: Final = 1
FLOOR: Final = 1
DAILY_CAP: Final = 200
GUIDE_THRESHOLD: Final = 1000
GUIDE_BADGE: Final = "大众导税员"
ACCEPTED: Final = 15  # to the accepted answer's author (outside the daily cap)
ACCEPTER: Final = 2   # to the asker who accepts another person's answer


@dataclass(frozen=True, slots=True)
class Effect:
    """What one vote does: to the post's author (``author``), to the voter (``voter``)."""

    author: int
    voter: int = 0


VOTES: Final[dict[tuple[PostKind, int], Effect]] = {
    ("question", 1): Effect(5),
    ("question", -1): Effect(-2),
    ("answer", 1): Effect(10),
    ("answer", -1): Effect(-2, -1),
}

RULES: Final = (
    # (event, the author's change, the other party's change, counted against the daily cap)
    ("question voted up", 5, 0, True),
    ("question voted down", -2, 0, False),
    ("answer voted up", 10, 0, True),
    ("answer voted down", -2, -1, False),
    ("answer accepted", ACCEPTED, ACCEPTER, False),
)
"""The rules as a table (the docs render it; a unit test holds it equal to :data:`VOTES`)."""


@dataclass(frozen=True, slots=True)
class Voted:
    """``voter`` voted ``value`` (1 or −1) on ``post`` (of ``kind``), written by ``author``."""

    post: str
    kind: PostKind
    author: str
    voter: str
    value: int
    day: str  # business day, YYYY-MM-DD


@dataclass(frozen=True, slots=True)
class Accepted:
    """``accepter`` accepted ``answer`` (written by ``author``) for their question."""

    question: str
    answer: str
    author: str
    accepter: str
    day: str


Event = Voted | Accepted


@dataclass(frozen=True, slots=True)
class Grant:
    """What a vote granted: to its post's author and to its voter (taken back on a change)."""

    author: int = 0
    voter: int = 0


@dataclass(frozen=True, slots=True)
class Change:
    """One event's outcome: each person's new reputation, the author's new earnings from
    votes on the day, and the vote's grant (for a vote)."""

    reputations: dict[str, int]
    earned: dict[tuple[str, str], int]
    grant: Grant


def has_badge(reputation: int, threshold: int = GUIDE_THRESHOLD) -> bool:
    return reputation >= threshold


def badges(reputation: int, threshold: int = GUIDE_THRESHOLD) -> list[str]:
    return [GUIDE_BADGE] if has_badge(reputation, threshold) else []


@dataclass
class Ledger:
    """Reputations, each person's vote earnings per day, and each vote's grant.

    A person not in ``reputation`` has :data:`START`; a day not in ``earned`` has 0."""

    reputation: dict[str, int] = field(default_factory=dict)
    earned: dict[tuple[str, str], int] = field(default_factory=dict)
    grants: dict[tuple[str, str], tuple[int, Grant]] = field(default_factory=dict)
    cap: int = DAILY_CAP

    def of(self, person: str) -> int:
        return self.reputation.get(person, START)

    def _add(self, person: str, amount: int, day: str, capped: bool) -> int:
        """Add ``amount`` to ``person`` within the floor and (when ``capped``) the day's cap;
        answers what was granted."""
        now = self.of(person)
        if amount >= 0:
            if capped:
                earned = self.earned.get((person, day), 0)
                amount = max(0, min(amount, self.cap - earned))
                self.earned[(person, day)] = earned + amount
        else:
            amount = max(amount, FLOOR - now)
        self.reputation[person] = now + amount
        return amount

    def _take_back(self, person: str, granted: int) -> None:
        now = self.of(person)
        self.reputation[person] = max(FLOOR, now - granted)

    def apply(self, event: Event) -> Change:
        """Apply one event; answers what it changed."""
        before_rep = dict(self.reputation)
        before_earned = dict(self.earned)
        grant = Grant()
        if isinstance(event, Voted):
            if event.voter == event.author:
                raise ValueError("nobody votes on their own post")
            key = (event.voter, event.post)
            previous = self.grants.get(key)
            if previous is not None:
                if previous[0] == event.value:
                    raise ValueError("the same vote twice")
                self._take_back(event.author, previous[1].author)
                self._take_back(event.voter, previous[1].voter)
            effect = VOTES[(event.kind, event.value)]
            grant = Grant(self._add(event.author, effect.author, event.day, capped=True),
                          self._add(event.voter, effect.voter, event.day, capped=True))
            self.grants[key] = (event.value, grant)
        elif event.author != event.accepter:
            self._add(event.author, ACCEPTED, event.day, capped=False)
            self._add(event.accepter, ACCEPTER, event.day, capped=False)
        people = {p for p in self.reputation if self.reputation[p] != before_rep.get(p, START)}
        if isinstance(event, Voted):
            people |= {event.author, event.voter}
        elif event.author != event.accepter:
            people |= {event.author, event.accepter}
        return Change({p: self.of(p) for p in sorted(people)},
                      {k: v for k, v in self.earned.items() if before_earned.get(k) != v},
                      grant)


def recompute(events: Iterable[Event], cap: int = DAILY_CAP) -> Ledger:
    """Every reputation from the events, in the order they happened."""
    ledger = Ledger(cap=cap)
    for event in events:
        ledger.apply(event)
    return ledger
