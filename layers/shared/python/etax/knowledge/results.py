"""What the knowledge base's routes answer (typed results, :mod:`etax.platform.results`)."""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional


@dataclass(frozen=True)
class CitationShown:
    """A provision the article rests on, read from the library as of ``as_of``: its text while
    in force that day, else a ``note`` saying why not (repealed, not yet in force)."""

    work_id: str
    work_title: str
    document_number: str
    provision: str
    label: str
    as_of: str
    in_force: bool
    text: str | None = optional()
    summary: bool | None = optional()
    note: str | None = optional()


@dataclass(frozen=True)
class ReasonShown:
    work_id: str
    provision: str
    label: str
    change: str
    version: int
    valid_from: str
    act_title: str
    document_number: str
    flagged_at: str


@dataclass(frozen=True)
class ReviewNotice:
    notice: str
    since: str | None
    reasons: list[ReasonShown]


@dataclass(frozen=True)
class ArticleShown:
    """An article for anyone. ``current`` true: ``answer`` is the current answer. ``current``
    false: no ``answer``; ``review`` (under review: the notice and the changed provisions) or
    ``notice`` (outside the article's own validity) says why."""

    id: str
    topic: str
    topic_name: str
    question: str
    also_asked: list[str]
    tags: list[str]
    taxpayer_types: list[str]
    valid_from: str
    valid_to: str | None
    as_of: str
    state: str
    current: bool
    citations: list[CitationShown]
    answer: str | None = optional()
    review: ReviewNotice | None = optional()
    notice: str | None = optional()
    reviewed_at: str | None = optional()


@dataclass(frozen=True)
class ReviewItem:
    """An article in the officers' queue: the answer to confirm or replace, the revision to
    review against, why it is there."""

    id: str
    question: str
    answer: str
    revision: int
    flagged_at: str | None
    reasons: list[ReasonShown]


@dataclass(frozen=True)
class ReviewQueue:
    items: list[ReviewItem]
    next_cursor: str | None = optional()


@dataclass(frozen=True)
class Reviewed:
    id: str
    state: str
    revision: int
    decision: str
    answer: str
    reviewed_by: str
    reviewed_at: str


@dataclass(frozen=True)
class SubscribedWork:
    id: str
    title: str
    document_number: str


@dataclass(frozen=True)
class Subscriptions:
    works: list[SubscribedWork]
    max_works: int
