"""What the consultation routes answer (typed results: the edge makes them JSON)."""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional


@dataclass(frozen=True)
class CitationView:
    work_id: str
    title: str
    document_number: str
    provision: str
    label: str
    as_of: str
    summary: bool


@dataclass(frozen=True)
class RelatedView:
    article_id: str
    question: str


@dataclass(frozen=True)
class Answer:
    """One turn: ``text`` is the wording every channel shows (SMS may cut it, with the link)."""

    answer_id: str
    session_id: str
    channel: str
    outcome: str  # answered | handed_off | refused | no_answer
    reason: str
    text: str
    confidence: float
    citations: list[CitationView]
    related: list[RelatedView]
    article_id: str | None = optional()
    link: str | None = optional()
    handoff_id: str | None = optional()


@dataclass(frozen=True)
class HandoffView:
    id: str
    state: str  # waiting | claimed | answered | closed
    office: str
    question: str
    channel: str
    queued_at: str
    waiting_seconds: int
    sla_seconds: int
    sla_breached: bool
    claimed_by: str | None = optional()
    claimed_at: str | None = optional()
    reply: str | None = optional()
    answered_at: str | None = optional()
    closed_at: str | None = optional()


@dataclass(frozen=True)
class Queue:
    office: str
    sla_seconds: int
    waiting: list[HandoffView]


@dataclass(frozen=True)
class Feedback:
    answer_id: str
    helpful: bool


@dataclass(frozen=True)
class HotQuestion:
    article_id: str
    question: str
    asked: int


@dataclass(frozen=True)
class Hot:
    week: str
    questions: list[HotQuestion]


@dataclass(frozen=True)
class Figures:
    """The published service figures of a week; the rates are of the questions in the tax
    domain (asked minus refused), ``satisfaction`` of the answers given feedback; None while
    there is nothing to divide by."""

    week: str
    asked: int
    answered: int
    handed_off: int
    refused: int
    no_answer: int
    containment_rate: float | None
    handoff_rate: float | None
    no_answer_rate: float | None
    satisfaction: float | None
    feedback: int
    handoffs_claimed: int
    claimed_within_sla: int
    sla_seconds: int
