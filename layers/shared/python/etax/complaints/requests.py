"""What people send to complaints and reports (pydantic: a 422 names the failing field).

Sizes: a title 2–100 characters, the facts 10–2,000, an answer 10–2,000, a refusal's reason
2–500, a rating's comment up to 500; outer whitespace is stripped first. Control, bidi and
invisible characters are refused (line breaks and tabs allowed in the longer texts); text
that is not valid Unicode never reaches here (the resolver refuses it)."""

from __future__ import annotations

from typing import Annotated, Final

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from etax.complaints.rules import rating_bounds
from etax.rules import uscc
from etax.rules.text import SignedText

TITLE_MAX: Final = 100
FACTS_MAX: Final = 2000
ANSWER_MAX: Final = 2000
REASON_MAX: Final = 500
COMMENT_MAX: Final = 500
OFFICE: Final = r"^[0-9]{11}$"


def _credit_code(value: str) -> str:
    try:
        return uscc.parse(value).code
    except uscc.MalformedCode as error:
        raise ValueError(f"a unified social credit code (GB 32100-2015): {error}") from None


def _rating(value: int) -> int:
    low, high = rating_bounds()
    if not low <= value <= high:
        raise ValueError(f"a rating from {low} to {high}")
    return value


Title = Annotated[str, SignedText(min_length=2, max_length=TITLE_MAX)]  # one line
Facts = Annotated[str, SignedText(min_length=10, max_length=FACTS_MAX, lines=True)]
CreditCodeText = Annotated[str, Field(max_length=24), AfterValidator(_credit_code)]


class FileRequest(BaseModel):
    """A case: ``office`` is the office whose service is complained about (service
    complaints); ``reported`` the credit code of the taxpayer reported (reports)."""

    model_config = ConfigDict(extra="forbid")

    kind: Annotated[str, Field(min_length=1, max_length=40)]
    title: Title
    facts: Facts
    office: Annotated[str | None, Field(pattern=OFFICE)] = None
    reported: CreditCodeText | None = None


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: Annotated[str, SignedText(min_length=10, max_length=ANSWER_MAX, lines=True)]


class RefuseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, SignedText(min_length=2, max_length=REASON_MAX, lines=True)]


class AcceptRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, SignedText(min_length=2, max_length=REASON_MAX, lines=True)] | None = None


class RateRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Annotated[int, Field(strict=True), AfterValidator(_rating)]
    comment: Annotated[str, SignedText(min_length=1, max_length=COMMENT_MAX,
                                       lines=True)] | None = None
