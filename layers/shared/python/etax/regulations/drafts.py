"""An officer's draft amendment and its review: drafted → submitted → approved → published,
or rejected. Four eyes: the officer who approves is never the one who drafted. Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from etax.errors import Refused, StateChanged
from etax.regulations.model import Act, Change

DRAFTED: Final = "drafted"
SUBMITTED: Final = "submitted"
APPROVED: Final = "approved"
PUBLISHED: Final = "published"
STATES: Final = (DRAFTED, SUBMITTED, APPROVED, PUBLISHED)


@dataclass(frozen=True, slots=True)
class Draft:
    id: str
    work_id: str
    base_version: int  # the version it amends: publishing needs it to be still the last
    act: Act
    changes: tuple[Change, ...]
    drafter: str
    drafted_at: str
    state: str = DRAFTED
    submitted_at: str | None = None
    approver: str | None = None
    approved_at: str | None = None
    publisher: str | None = None
    published_at: str | None = None
    version: int | None = None
    valid_from: date | None = None


def _expect(draft: Draft, state: str, action: str) -> None:
    if draft.state != state:
        raise StateChanged(f"draft {draft.id} is {draft.state}: only a {state} draft can be "
                           f"{action}", field="state")


def submit(draft: Draft, at: str) -> Draft:
    _expect(draft, DRAFTED, "submitted")
    return replace(draft, state=SUBMITTED, submitted_at=at)


def approve(draft: Draft, officer: str, at: str) -> Draft:
    """A second officer approves: the drafter may not review its own draft (four eyes)."""
    _expect(draft, SUBMITTED, "approved")
    if officer == draft.drafter:
        raise Refused("four eyes: a draft is approved by an officer other than its drafter")
    return replace(draft, state=APPROVED, approver=officer, approved_at=at)


def publish(draft: Draft, officer: str, at: str, version: int, valid_from: date) -> Draft:
    _expect(draft, APPROVED, "published")
    return replace(draft, state=PUBLISHED, publisher=officer, published_at=at, version=version,
                   valid_from=valid_from)
