"""What the tax school answers (etax.platform.results). A session's public view counts seats
and waiting places, never who holds them; a person sees their own place, an organiser the
list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.platform.results import optional
from etax.platform.uploads import UploadForm


@dataclass(frozen=True)
class Session:
    id: str
    title: str
    course: str | None
    audience: str
    starts_at: str
    ends_at: str
    place: str
    tax_office: str
    capacity: int
    seats_taken: int
    seats_left: int
    waiting: int
    enrolment_open: bool
    evaluations: int
    average_score: str | None  # one decimal, e.g. "4.5"
    course_id: str | None = optional()  # a session of one of the school's courses


@dataclass(frozen=True)
class SessionPage:
    sessions: list[Session]
    cursor: str | None


@dataclass(frozen=True)
class Place:
    """A person's place in a session: ``enrolled`` (a seat) or ``waiting`` (``position`` in
    line, 1 first), ``cancelled``; with attendance, evaluation and certificate once there."""

    session_id: str
    status: str
    position: int | None = optional()
    attended_at: str | None = optional()
    certificate: str | None = optional()
    evaluated: bool | None = optional()
    session: Session | None = optional()


@dataclass(frozen=True)
class MyPlaces:
    places: list[Place]
    cursor: str | None  # the next page's, None on the last


@dataclass(frozen=True)
class Learner:
    subject: str
    role: str
    status: str
    position: int | None = optional()
    attended_at: str | None = optional()
    certificate: str | None = optional()


@dataclass(frozen=True)
class Roll:
    """An organiser's list: the seated (in the order they enrolled) and the waiting (in
    line)."""

    session: Session
    enrolled: list[Learner]
    waiting: list[Learner]


@dataclass(frozen=True)
class Attendance:
    session_id: str
    recorded: list[str]  # attended now, each with a certificate
    already: list[str]  # recorded before
    not_enrolled: list[str]  # no seat in the session: not recorded


@dataclass(frozen=True)
class Evaluated:
    session_id: str
    score: int
    evaluations: int
    average_score: str


@dataclass(frozen=True)
class CertificateEnvelope:
    document: dict[str, Any]
    signature: dict[str, Any]
    digest: str


@dataclass(frozen=True)
class CertificateVerdict:
    number: str
    verdict: str  # authentic | altered
    authentic: bool
    holder: str  # masked
    session: dict[str, Any]
    tax_office: str
    issue_date: str
    digest: str
    matches: bool | None
    signature: dict[str, Any]


# -- courses, courseware, the library, Q&A ------------------------------------------------------


@dataclass(frozen=True)
class Lesson:
    number: int
    title: str
    summary: str | None
    minutes: int


@dataclass(frozen=True)
class Courseware:
    """A file of a course (``lesson``: of one of its lessons). ``state``: ``awaiting_upload``,
    ``published`` or ``failed_checks`` (the checks then say why); the public sees the
    published."""

    number: int
    title: str
    lesson: int | None
    filename: str
    content_type: str
    size: int
    sha256: str
    state: str
    downloads: int
    published_at: str | None = optional()
    checks: list[dict[str, Any]] | None = optional()


@dataclass(frozen=True)
class CourseSession:
    """A live session of the course still to come (its seats: ``GET
    /v1/school/sessions/{id}``)."""

    id: str
    title: str
    starts_at: str
    ends_at: str
    place: str
    capacity: int


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    summary: str
    audience: str
    tax_office: str
    created_at: str
    lessons: list[Lesson]
    minutes: int
    questions: int
    courseware: list[Courseware] | None = optional()  # on the course's own page
    sessions: list[CourseSession] | None = optional()


@dataclass(frozen=True)
class CoursePage:
    courses: list[Course]
    cursor: str | None


@dataclass(frozen=True)
class CoursewareDeclared:
    """Declared courseware and the form its file is uploaded with; then it is published."""

    courseware: Courseware
    upload: UploadForm


@dataclass(frozen=True)
class LibraryDocument:
    id: str
    title: str
    summary: str
    category: str
    tags: list[str]
    filename: str
    content_type: str
    size: int
    sha256: str
    state: str
    downloads: int
    tax_office: str
    published_at: str | None = optional()
    checks: list[dict[str, Any]] | None = optional()


@dataclass(frozen=True)
class DocumentDeclared:
    """A declared library document and the form its file is uploaded with; then it is
    published."""

    document: LibraryDocument
    upload: UploadForm


@dataclass(frozen=True)
class LibraryHit:
    document: LibraryDocument
    score: str | None  # BM25, six decimals; None when listing without a query
    highlights: list[str]  # the summary's snippets, the query's terms marked <em>…</em>


@dataclass(frozen=True)
class LibraryPage:
    results: list[LibraryHit]
    total: int  # the documents that passed the query and filters


@dataclass(frozen=True)
class Answer:
    number: int
    body: str
    by: str  # masked
    role: str
    official: bool  # an officer's: the tax authority's answer
    answered_at: str
    hidden: str | None = optional()  # the moderator's reason; the body is then withheld


@dataclass(frozen=True)
class Question:
    id: str
    course_id: str
    title: str
    body: str | None
    lesson: int | None
    asked_by: str  # masked
    asked_at: str
    answers: list[Answer]
    hidden: str | None = optional()


@dataclass(frozen=True)
class QuestionPage:
    questions: list[Question]
    cursor: str | None
