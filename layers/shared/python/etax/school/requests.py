"""What people send to the tax school (pydantic: a 422 names the failing field). Text is
stripped of outer whitespace and refused if it holds a control, bidi or invisible character:
a session's title and place are printed on the signed certificates."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from etax.rules.text import SignedText
from etax.school.rules import MAX_CAPACITY, MAX_SCORE, MIN_SCORE, Audience

SUBJECT = r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,63}$"
ATTENDANCE_BATCH = 100


class SessionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, SignedText(min_length=4, max_length=80)]
    course: Annotated[str, SignedText(min_length=2, max_length=80)] | None = None
    audience: Audience
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    place: Annotated[str, SignedText(min_length=2, max_length=120)]
    capacity: int = Field(ge=1, le=MAX_CAPACITY, strict=True)


class AttendanceRequest(BaseModel):
    """The people (their account identifiers) who attended: at most
    :data:`ATTENDANCE_BATCH` a request (each is a signed certificate; a larger session is
    recorded in several requests, a person recorded twice is listed as ``already``)."""

    model_config = ConfigDict(extra="forbid")

    attended: list[Annotated[str, StringConstraints(pattern=SUBJECT)]] = Field(
        min_length=1, max_length=ATTENDANCE_BATCH)


class EvaluationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=MIN_SCORE, le=MAX_SCORE, strict=True)
    comment: Annotated[str, SignedText(min_length=2, max_length=500, lines=True)] | None = None
