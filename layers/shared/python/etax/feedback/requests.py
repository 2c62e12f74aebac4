"""What people send to ratings and surveys (pydantic: a 422 names the failing field; the
checks across fields are :func:`etax.feedback.rules.check_questions`, naming the path too).

Sizes: a rating's comment one line of up to 200 characters; a survey's title 2–100, 1–20
questions, a question's prompt 2–200, an option 1–60; a text answer up to 500 characters
(:data:`etax.feedback.rules.TEXT_ANSWER_MAX`). Control, bidi and invisible characters are
refused (the text kit)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from etax.rules.text import SignedText

COMMENT_MAX: Final = 200
QUESTIONS_MAX: Final = 20
QUESTION_ID: Final = r"^[a-z][a-z0-9_]{0,19}$"


class RateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    invitation: Annotated[str, Field(min_length=1, max_length=40)]
    score: Annotated[int, Field(strict=True, ge=1, le=5)]
    comment: Annotated[str, SignedText(min_length=1, max_length=COMMENT_MAX)] | None = None


class Question(BaseModel):
    """One question: ``options`` for single and multiple choice, ``min``/``max`` for a
    scale; a text question has neither."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(pattern=QUESTION_ID)]
    kind: Literal["single", "multiple", "scale", "text"]
    prompt: Annotated[str, SignedText(min_length=2, max_length=200)]
    options: list[Annotated[str, SignedText(min_length=1, max_length=60)]] | None = None
    min: Annotated[int, Field(strict=True, ge=0, le=100)] | None = None
    max: Annotated[int, Field(strict=True, ge=0, le=100)] | None = None


class SurveyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, SignedText(min_length=2, max_length=100)]
    questions: Annotated[list[Question], Field(min_length=1, max_length=QUESTIONS_MAX)]
    closes_on: date


class ResponseRequest(BaseModel):
    """The answers by question id: an option (single), a list of options (multiple), a whole
    number (scale), a text (text); checked against the survey's questions."""

    model_config = ConfigDict(extra="forbid")

    answers: Annotated[dict[Annotated[str, Field(max_length=20)], Any],
                       Field(max_length=QUESTIONS_MAX)]
