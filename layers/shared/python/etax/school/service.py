"""The tax school's live sessions (plan action E17; rules in :mod:`etax.school.rules`):
scheduling, enrolment and the waiting list, cancelling with the promotion of the first in
line, reminders, attendance with signed completion certificates, evaluations."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from etax.documents.canonical import digest, presented_digest
from etax.documents.signing import Signature, check_issued
from etax.errors import Invalid, NotFound, Refused, StateChanged
from etax.platform.auth import Principal
from etax.platform.dynamo import Contended
from etax.platform.events import DomainEvent, Publisher
from etax.rules.dates import utc_stamp
from etax.school import rules
from etax.school.courses_repository import session_pointer
from etax.school.repository import Moved, NoLine, NoSeat, SchoolRepository
from etax.school.requests import AttendanceRequest, EvaluationRequest, SessionRequest
from etax.school.results import (
    Attendance,
    CertificateEnvelope,
    CertificateVerdict,
    Evaluated,
    Learner,
    MyPlaces,
    Place,
    Roll,
    Session,
    SessionPage,
)

ROUNDS = 8  # reads and writes again while other requests move the places meanwhile
SESSION_ID = r"^ss-[0-9a-f]{16}$"


class Signer(Protocol):
    def sign(self, document: dict[str, Any]) -> Signature: ...
    def public_key(self) -> dict[str, Any]: ...


def _average(session: dict[str, Any]) -> str | None:
    count = int(session.get("evaluations", 0))
    if not count:
        return None
    average = Decimal(int(session["score_sum"])) / Decimal(count)
    return str(average.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class SchoolService:
    repository: SchoolRepository
    publisher: Publisher
    signer: Signer
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    # -- sessions ---------------------------------------------------------------------------

    def schedule(self, principal: Principal, request: SessionRequest) -> Session:
        """An officer schedules a session for its office (an administrator for any)."""
        if principal.role not in rules.ORGANISERS or (
                principal.role == "officer" and not principal.tax_office):
            raise Refused("officers of a tax office and administrators schedule sessions")
        now = self.now()
        rules.check_schedule(request.starts_at, request.ends_at, now)
        session_id = f"ss-{secrets.token_hex(8)}"
        starts_at, ends_at = utc_stamp(request.starts_at), utc_stamp(request.ends_at)
        values = {"id": session_id, "title": request.title, "course": request.course,
                  "audience": request.audience, "starts_at": starts_at, "ends_at": ends_at,
                  "place": request.place, "capacity": request.capacity,
                  "tax_office": principal.tax_office or "admin",
                  "created_by": principal.subject, "created_at": utc_stamp(now)}
        key = rules.starts_key(starts_at, session_id)
        pointer = None
        if request.course_id is not None:
            course = self.repository.course(request.course_id)
            if course is None:
                raise NotFound("no such course", field="course_id")
            values.update(course_id=request.course_id, course=course["title"])
            pointer = session_pointer(request.course_id, key, {
                name: values[name] for name in ("id", "title", "starts_at", "ends_at",
                                                "place", "capacity")})
        self.repository.put_session(session_id, values, key, pointer)
        stored = self.repository.session(session_id)
        assert stored is not None
        return self._shown(stored)

    def read(self, session_id: str) -> Session:
        return self._shown(self._session(session_id))

    def upcoming(self, cursor: str | None) -> SessionPage:
        """The sessions not yet over, soonest first (those started today included)."""
        since = utc_stamp(self.now() - timedelta(hours=rules.MAX_HOURS))
        found, following = self.repository.schedule(since, cursor)
        return SessionPage([self._shown(s) for s in found], following)

    # -- places -----------------------------------------------------------------------------

    def enrol(self, principal: Principal, session_id: str) -> Place:
        """A seat, or a place in line when none is free or others wait; one place a person."""
        session = self._session(session_id)
        rules.may_enrol(principal, session["audience"])
        accepted = self.now()
        place = {"subject": principal.subject, "role": principal.role,
                 "at": utc_stamp(accepted, "milliseconds"), "learner": principal.subject,
                 "starts_key": rules.starts_key(session["starts_at"], session_id)}
        waiting_key = rules.waiting_key(accepted, secrets.token_hex(4))
        for _ in range(ROUNDS):
            self._still_open(session, accepted)
            now = utc_stamp(self.now())
            try:
                self.repository.take_seat(session_id, place, now)
                self._tell(principal.subject, session, "enrolled")
                return Place(session_id, rules.SEATED)
            except NoSeat:
                pass
            try:
                self.repository.join_line(session_id, place, waiting_key, now)
            except NoLine:
                session = self._session(session_id)  # a seat freed, or it started: again
                continue
            position = self.repository.position(session_id, waiting_key)
            self._tell(principal.subject, session, "waiting", position=position)
            return Place(session_id, rules.WAITING, position=position)
        raise Contended

    def cancel(self, principal: Principal, session_id: str) -> Place:
        """The caller's place given up before the start; a seat goes to the first in line."""
        session = self._session(session_id)
        for _ in range(ROUNDS):
            place = self.repository.place(session_id, principal.subject)
            if place is None or place["status"] == rules.CANCELLED:
                raise NotFound("you hold no place in this session", field="session_id")
            self._still_open(session, self.now())
            at, now = utc_stamp(self.now(), "milliseconds"), utc_stamp(self.now())
            try:
                if place["status"] == rules.WAITING:
                    self.repository.leave_line(session_id, principal.subject,
                                               place["waiting_key"], at, now)
                    return Place(session_id, rules.CANCELLED)
                first = self.repository.first_in_line(session_id)
                if first is None:
                    self.repository.free_seat(session_id, principal.subject, at, now)
                else:
                    self.repository.give_seat_to(session_id, principal.subject, first, at, now)
                    self._tell(first[1], session, "promoted")
                return Place(session_id, rules.CANCELLED)
            except Moved:
                session = self._session(session_id)
        raise Contended

    def mine(self, principal: Principal, cursor: str | None) -> MyPlaces:
        """A page of the caller's places, the latest session first, each with its session
        (the page's sessions read in one batch) and the next page's cursor."""
        found, following = self.repository.learner_places(principal.subject, cursor)
        of = [(p, p["pk"].removeprefix("session#")) for p in found]
        sessions = self.repository.sessions(session_id for _, session_id in of)
        return MyPlaces([self._place(p, sessions[session_id]) for p, session_id in of
                         if session_id in sessions], following)

    def roll(self, principal: Principal, session_id: str) -> Roll:
        """The organisers' list: the seated in the order they enrolled, the waiting in line."""
        session = self._organised(principal, session_id)
        places = self.repository.places(session_id)
        seated = sorted((p for p in places if p["status"] == rules.SEATED),
                        key=lambda p: p.get("promoted_at", p["at"]))
        waiting = sorted((p for p in places if p["status"] == rules.WAITING),
                         key=lambda p: p["waiting_key"])
        return Roll(self._shown(session),
                    [Learner(p["subject"], p["role"], p["status"],
                             attended_at=p.get("attended_at"),
                             certificate=p.get("certificate")) for p in seated],
                    [Learner(p["subject"], p["role"], p["status"], position=n)
                     for n, p in enumerate(waiting, start=1)])

    # -- attendance, evaluation, certificates ------------------------------------------------

    def attendance(self, principal: Principal, session_id: str,
                   request: AttendanceRequest) -> Attendance:
        """Record who attended (once the session has started); each gets a signed completion
        certificate. A person without a seat is listed, not recorded."""
        session = self._organised(principal, session_id)
        now = self.now()
        if now < _instant(session["starts_at"]):
            raise StateChanged("attendance is recorded once the session has started",
                               field="session_id")
        recorded, already, not_enrolled = [], [], []
        for subject in dict.fromkeys(request.attended):
            place = self.repository.place(session_id, subject)
            if place is None or place["status"] != rules.SEATED:
                not_enrolled.append(subject)
                continue
            if place.get("attended_at"):
                already.append(subject)
                continue
            number = rules.certificate_number(
                session_id, self.repository.next_certificate(session_id))
            at = utc_stamp(now)
            document = rules.certificate(number, session, subject, at, now)
            signature = self.signer.sign(document).as_dict()
            if not self.repository.record_attendance(session_id, subject, at, number, document,
                                                     signature):
                already.append(subject)
                continue
            recorded.append(subject)
            self._tell(subject, session, "certified", number=number)
        return Attendance(session_id, recorded, already, not_enrolled)

    def evaluate(self, principal: Principal, session_id: str,
                 request: EvaluationRequest) -> Evaluated:
        """An attendee's evaluation of the session, once."""
        self._session(session_id)
        self.repository.evaluate(
            session_id, principal.subject,
            {"score": request.score, "comment": request.comment, "role": principal.role,
             "at": utc_stamp(self.now())},
            {0: lambda: StateChanged("your place has no attendance recorded: those who "
                                     "attended the session evaluate it", field="session_id"),
             1: lambda: StateChanged("you evaluated this session already: once an attendee",
                                     field="session_id")})
        session = self._session(session_id)
        return Evaluated(session_id, request.score, int(session["evaluations"]),
                         _average(session) or "")

    def own_certificate(self, principal: Principal, session_id: str) -> CertificateEnvelope:
        place = self.repository.place(session_id, principal.subject)
        if place is None or not place.get("certificate"):
            raise NotFound("you hold no completion certificate of this session",
                           field="session_id")
        stored = self.repository.certificate(place["certificate"])
        assert stored is not None
        return CertificateEnvelope(stored["document"], stored["signature"],
                                   digest(stored["document"]))

    def verify(self, number: str, presented: str | None) -> CertificateVerdict:
        """Anyone: whether the platform issued ``number`` and its record is intact, and —
        given the SHA-256 of a copy's document — whether the copy is the one issued."""
        wanted = None
        if presented is not None:
            wanted = presented_digest(presented)
            if wanted is None:
                raise Invalid("digest: the SHA-256 of the document, 64 hex digits",
                              field="digest")
        stored = self.repository.certificate(number) if len(number) <= 40 else None
        if stored is None:
            raise NotFound("no such completion certificate: not issued by this platform",
                           field="number")
        document = stored["document"]
        checked = check_issued({"document": document, "signature": stored["signature"]},
                               self.signer.public_key()["public_key_pem"], wanted)
        return CertificateVerdict(
            number=number, verdict="authentic" if checked.authentic else "altered",
            authentic=checked.authentic, holder=rules.shown_holder(document["holder"]),
            session=document["session"], tax_office=document["tax_office"],
            issue_date=document["issue_date"], digest=checked.digest,
            matches=checked.matches, signature=stored["signature"])

    # -- helpers ----------------------------------------------------------------------------

    def _session(self, session_id: str) -> dict[str, Any]:
        stored = (self.repository.session(session_id)
                  if re.fullmatch(SESSION_ID, session_id) else None)
        if stored is None:
            raise NotFound("no such session", field="session_id")
        return stored

    def _organised(self, principal: Principal, session_id: str) -> dict[str, Any]:
        session = self._session(session_id)
        if not rules.organises(principal, session):
            raise Refused("the officers of the office that scheduled the session and "
                          "administrators see its list and record attendance")
        return session

    @staticmethod
    def _still_open(session: dict[str, Any], at: datetime) -> None:
        if at >= _instant(session["starts_at"]):
            raise StateChanged("the session has started: enrolment and cancelling are closed",
                               field="session_id")

    def _tell(self, subject: str, session: dict[str, Any], what: str, **facts: Any) -> None:
        tell(self.publisher, subject, session, what, **facts)

    def _place(self, place: dict[str, Any], session: dict[str, Any]) -> Place:
        position = (self.repository.position(session["id"], place["waiting_key"])
                    if place["status"] == rules.WAITING else None)
        return Place(session["id"], place["status"], position=position,
                     attended_at=place.get("attended_at"),
                     certificate=place.get("certificate"),
                     evaluated=bool(place.get("evaluated")) if place.get("attended_at")
                     else None, session=self._shown(session))

    def _shown(self, session: dict[str, Any]) -> Session:
        capacity, taken = int(session["capacity"]), int(session["seats_taken"])
        return Session(
            id=session["id"], title=session["title"], course=session.get("course"),
            course_id=session.get("course_id"),
            audience=session["audience"], starts_at=session["starts_at"],
            ends_at=session["ends_at"], place=session["place"],
            tax_office=session["tax_office"], capacity=capacity, seats_taken=taken,
            seats_left=capacity - taken, waiting=int(session["waiting_count"]),
            enrolment_open=self.now() < _instant(session["starts_at"]),
            evaluations=int(session.get("evaluations", 0)), average_score=_average(session))


def tell(publisher: Publisher, subject: str, session: dict[str, Any], what: str,
         **facts: Any) -> None:
    """``subject`` told ``what`` of ``session`` through the notification fan-out (its id
    stable, so a repeated call reaches nobody twice)."""
    said = rules.words(what, session, **facts)
    tail = f":{facts['number']}" if "number" in facts else ""
    publisher.publish([DomainEvent("SchoolNotice", {
        "session_id": session["id"], "what": what,
        "notification": {"id": f"school:{session['id']}:{subject}:{what}{tail}",
                         "recipient": subject, "kind": said.kind, "title": said.title,
                         "body": said.body, "link": f"/v1/school/sessions/{session['id']}"}})])


@dataclass
class Reminders:
    """The reminder run (an hourly schedule): each seated person of a session starting within
    the next :data:`etax.school.rules.REMIND_HOURS` hours is reminded, once."""

    repository: SchoolRepository
    publisher: Publisher
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def run(self) -> int:
        """The number of people reminded."""
        now = self.now()
        until = utc_stamp(now + timedelta(hours=rules.REMIND_HOURS))
        reminded, cursor = 0, None
        while True:
            sessions, cursor = self.repository.schedule(utc_stamp(now), cursor, until=until)
            for session in sessions:
                for place in self.repository.places(session["id"]):
                    if place["status"] == rules.SEATED and self.repository.mark_reminded(
                            session["id"], place["subject"], utc_stamp(now)):
                        tell(self.publisher, place["subject"], session, "reminder")
                        reminded += 1
            if cursor is None:
                return reminded
