"""What people send to the tax school (pydantic: a 422 names the failing field). Text is
stripped of outer whitespace and refused if it holds a control, bidi or invisible character:
a session's title and place are printed on the signed certificates."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from etax.rules.text import SignedText
from etax.school.catalogue import (
    COURSE_ID_PATTERN,
    FILE_TYPES,
    MAX_ANSWERS,
    MAX_FILE_BYTES,
    MAX_LESSONS,
    extension_matches,
)
from etax.school.rules import MAX_CAPACITY, MAX_SCORE, MIN_SCORE, Audience

SUBJECT = r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,63}$"
ATTENDANCE_BATCH = 100


class SessionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, SignedText(min_length=4, max_length=80)]
    course: Annotated[str, SignedText(min_length=2, max_length=80)] | None = None
    course_id: Annotated[str, StringConstraints(pattern=COURSE_ID_PATTERN)] | None = None
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


# -- courses, courseware, the library, Q&A ------------------------------------------------------

FileType = Literal[
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "video/mp4", "application/zip"]
LibraryCategory = Literal["guide", "policy", "slides", "video", "form", "other"]
FILENAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.[A-Za-z0-9]{2,5}$"
SHA256 = r"^[0-9a-fA-F]{64}$"


class LessonRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, SignedText(min_length=2, max_length=80)]
    summary: Annotated[str, SignedText(min_length=2, max_length=500, lines=True)] | None = None
    minutes: int = Field(ge=1, le=600, strict=True)


class CourseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, SignedText(min_length=4, max_length=80)]
    summary: Annotated[str, SignedText(min_length=10, max_length=1000, lines=True)]
    audience: Audience
    lessons: list[LessonRequest] = Field(min_length=1, max_length=MAX_LESSONS)


class FileRequest(BaseModel):
    """A file about to be uploaded: its name, type, exact size and SHA-256."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, SignedText(min_length=2, max_length=80)]
    content_type: FileType
    filename: Annotated[str, StringConstraints(pattern=FILENAME)]
    size: int = Field(ge=1, le=MAX_FILE_BYTES, strict=True)
    sha256: Annotated[str, StringConstraints(pattern=SHA256, to_lower=True)]

    @field_validator("filename")
    @classmethod
    def _named_for_its_type(cls, filename: str, info: ValidationInfo) -> str:
        content_type = info.data.get("content_type")  # absent when it failed itself
        if content_type and not extension_matches(filename, content_type):
            raise ValueError(f"the file name of a {content_type} ends in "
                             f"{' or '.join('.' + e for e in FILE_TYPES[content_type])}")
        return filename


class CoursewareRequest(FileRequest):
    lesson: int | None = Field(default=None, ge=1, le=MAX_LESSONS, strict=True)


class LibraryRequest(FileRequest):
    summary: Annotated[str, SignedText(min_length=10, max_length=1000, lines=True)]
    category: LibraryCategory
    tags: list[Annotated[str, SignedText(min_length=1, max_length=20)]] = Field(
        default_factory=list, max_length=8)


class QuestionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, SignedText(min_length=4, max_length=100)]
    body: Annotated[str, SignedText(min_length=4, max_length=2000, lines=True)] | None = None
    lesson: int | None = Field(default=None, ge=1, le=MAX_LESSONS, strict=True)


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, SignedText(min_length=2, max_length=2000, lines=True)]


class HideRequest(BaseModel):
    """Hide a question (no ``answer``) or one of its answers (``answer``: its number)."""

    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, SignedText(min_length=4, max_length=300)]
    answer: int | None = Field(default=None, ge=1, le=MAX_ANSWERS, strict=True)
