"""What the ratings and surveys routes answer (typed results; the edge makes them JSON)."""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional


@dataclass(frozen=True)
class Invitation:
    id: str
    service: str
    service_label: str
    service_id: str
    office: str
    invited_on: str
    expires_on: str
    state: str
    score: int | None = optional()
    answered_at: str | None = optional()




@dataclass(frozen=True)
class Rated:
    invitation: str
    service: str
    office: str
    month: str
    score: int
    comment: str | None = optional()


@dataclass(frozen=True)
class Aggregate:
    """The ratings of an office, kind of service and period; ``mean`` and ``distribution``
    only from :data:`etax.feedback.rules.PUBLISHED_FROM` ratings (``withheld`` says why)."""

    office: str
    service: str
    period: str
    count: int
    mean: str | None = optional()
    distribution: dict[str, int] | None = optional()
    withheld: str | None = optional()


@dataclass(frozen=True)
class Results:
    office: str
    period: str
    items: list[Aggregate]


@dataclass(frozen=True)
class QuestionShown:
    id: str
    kind: str
    prompt: str
    options: list[str] | None = optional()
    min: int | None = optional()
    max: int | None = optional()




@dataclass(frozen=True)
class SurveySummary:
    id: str
    title: str
    office: str | None
    closes_on: str
    questions: int


@dataclass(frozen=True)
class Surveys:
    items: list[SurveySummary]


@dataclass(frozen=True)
class Asked:
    """What the signed-in person is asked for: its invitations to rate a service (pending,
    answered, expired; newest first, ``cursor`` for the next page) and the open surveys."""

    invitations: list[Invitation]
    cursor: str | None
    surveys: list[SurveySummary]


@dataclass(frozen=True)
class Answered:
    survey: str
    answered_at: str
    answers: int


@dataclass(frozen=True)
class OptionCount:
    option: str
    count: int


@dataclass(frozen=True)
class QuestionResult:
    id: str
    kind: str
    prompt: str
    options: list[OptionCount] | None = optional()
    count: int | None = optional()
    mean: str | None = optional()
    texts: int | None = optional()


@dataclass(frozen=True)
class TextAnswer:
    question: str
    text: str


@dataclass(frozen=True)
class TextPage:
    items: list[TextAnswer]
    cursor: str | None


@dataclass(frozen=True)
class SurveyResults:
    """A survey's results: to its publishing office's officers and admins at any time, to
    every signed-in person once it has closed; ``texts`` (the text answers, a page at a time)
    to the publishing office's officers only."""

    responses: int
    questions: list[QuestionResult]
    texts: TextPage | None = optional()


@dataclass(frozen=True)
class Survey:
    id: str
    title: str
    office: str | None
    published_at: str
    closes_on: str
    open: bool
    questions: list[QuestionShown]
    results: SurveyResults | None = optional()
