"""What the tax school answers (etax.platform.results). A session's public view counts seats
and waiting places, never who holds them; a person sees their own place, an organiser the
list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.platform.results import optional


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
