"""What the crowd routes answer (typed results, :mod:`etax.platform.results`). An author is
shown by pseudonym, reputation and badges, never by an identifier."""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional


@dataclass(frozen=True)
class AuthorShown:
    pseudonym: str
    reputation: int
    badges: list[str]


@dataclass(frozen=True)
class SuggestionShown:
    kind: str  # question | article
    id: str
    title: str
    score: float


@dataclass(frozen=True)
class QuestionSummary:
    id: str
    title: str
    topic: str
    tags: list[str]
    author: str  # the pseudonym
    asked_at: str
    score: int
    answers: int
    accepted: bool
    pinned: bool


@dataclass(frozen=True)
class Questions:
    items: list[QuestionSummary]
    cursor: str | None = optional()


@dataclass(frozen=True)
class AnswerShown:
    id: str
    body: str
    author: AuthorShown
    answered_at: str
    score: int
    accepted: bool
    officer_verified: bool


@dataclass(frozen=True)
class QuestionShown:
    id: str
    title: str
    body: str
    topic: str
    tags: list[str]
    author: AuthorShown
    asked_at: str
    score: int
    pinned: bool
    accepted_answer: str | None
    answers: list[AnswerShown]


@dataclass(frozen=True)
class Asked:
    """The answer to asking: ``posted`` and the question, or the suggestions alone (nothing
    posted: confirm with ``post_anyway``)."""

    posted: bool
    suggestions: list[SuggestionShown]
    question: QuestionShown | None = optional()


@dataclass(frozen=True)
class Voted:
    post: str
    value: int
    score: int
    author_reputation: int


@dataclass(frozen=True)
class Accepted:
    question_id: str
    answer_id: str


@dataclass(frozen=True)
class Profile:
    pseudonym: str
    reputation: int
    badges: list[str]
    guide_threshold: int


@dataclass(frozen=True)
class Moderated:
    post: str
    action: str
    by: str
    at: str
    reason: str | None = optional()
    draft_id: str | None = optional()


@dataclass(frozen=True)
class DraftShown:
    id: str
    state: str
    topic: str
    question: str
    answer: str
    tags: list[str]
    citations: list[str]
    source_question: str
    source_answer: str
    verified_by: str
    created_at: str


@dataclass(frozen=True)
class Drafts:
    items: list[DraftShown]
    cursor: str | None = optional()


@dataclass(frozen=True)
class LogEntry:
    at: str
    action: str
    post: str
    by: str
    reason: str | None = optional()


@dataclass(frozen=True)
class ModerationLog:
    items: list[LogEntry]
    cursor: str | None = optional()
