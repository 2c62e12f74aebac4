"""What the idea space answers (etax.platform.results). An author is shown by the kind of its
account (``enterprise``, ``person``, ``officer``), never by its identifier; ``mine`` tells the
signed-in author its own."""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional


@dataclass(frozen=True)
class Step:
    at: str
    by: str  # "author", "platform", or the officer
    action: str  # submitted, under_review, adopted, declined, delivered, withdrawn, merged, …
    text: str | None = optional()


@dataclass(frozen=True)
class Comment:
    id: str
    at: str
    author_kind: str
    body: str
    mine: bool


@dataclass(frozen=True)
class Hidden:
    by: str
    at: str
    reason: str


@dataclass(frozen=True)
class IdeaSummary:
    id: str
    title: str
    category: str
    category_name: str
    state: str
    supports: int
    threshold: int
    submitted_at: str
    window_ends: str


@dataclass(frozen=True)
class Idea:
    id: str
    title: str
    body: str
    category: str
    category_name: str
    author_kind: str
    state: str
    supports: int
    threshold: int
    submitted_at: str
    window_ends: str
    supportable: bool  # open and within its window
    trail: list[Step]  # the public steps (every step, to moderators and its author)
    comments: list[Comment]
    mine: bool
    merged_into: str | None = optional()
    hidden: Hidden | None = optional()  # to moderators and its author only


@dataclass(frozen=True)
class Submitted:
    idea: Idea
    similar: list[IdeaSummary]  # ideas like it, already there


@dataclass(frozen=True)
class Supported:
    id: str
    supports: int
    state: str


@dataclass(frozen=True)
class IdeaPage:
    ideas: list[IdeaSummary]
    cursor: str | None


@dataclass(frozen=True)
class Similar:
    ideas: list[IdeaSummary]


@dataclass(frozen=True)
class IdeaList:
    ideas: list[Idea]
    cursor: str | None
