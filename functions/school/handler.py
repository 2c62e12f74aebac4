"""The tax school (plan action E17, 税务学堂): officers schedule live sessions; taxpayers and
officers enrol (a seat, or a place in line when full) and cancel (the first in line takes the
seat); officers record attendance, which issues signed completion certificates anyone can
verify; attendees evaluate a session once (docs/usage/school.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.documents.signing import KmsDocumentSigner
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import caller
from etax.platform.aws import lazy
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.settings import required
from etax.school import rules
from etax.school.repository import SchoolRepository
from etax.school.requests import AttendanceRequest, EvaluationRequest, SessionRequest
from etax.school.results import (
    Attendance,
    CertificateEnvelope,
    CertificateVerdict,
    Evaluated,
    MyPlaces,
    Place,
    Roll,
    Session,
    SessionPage,
)
from etax.school.service import SchoolService

SOURCE = "tax.school"
app = make_resolver(max_body_bytes=16384)  # an attendance list of up to 100 people
once = Once(app)
service = SchoolService(
    SchoolRepository(), EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), SOURCE),
    KmsDocumentSigner(lazy("kms"), required("SIGNING_KEY_ID")))
CURSOR = "the cursor of the previous page's answer"


def _query(name: str) -> str | None:
    value: str | None = app.current_event.get_query_string_value(name)
    return value


@app.get("/v1/school/sessions")
@declares(query={"cursor": CURSOR})
def schedule() -> SessionPage:
    return service.upcoming(_query("cursor"))


@app.post("/v1/school/sessions")
def create() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/school/sessions", SessionRequest, service.schedule,
                       *rules.ORGANISERS)


@app.get("/v1/school/sessions/<session_id>")
def read(session_id: str) -> Session:
    return service.read(session_id)


@app.post("/v1/school/sessions/<session_id>/enrolments")
def enrol(session_id: str) -> tuple[Place, int]:
    return service.enrol(caller(app, *rules.LEARNERS), session_id), 201


@app.delete("/v1/school/sessions/<session_id>/enrolments/me")
def cancel(session_id: str) -> Place:
    return service.cancel(caller(app, *rules.LEARNERS), session_id)


@app.get("/v1/school/sessions/<session_id>/enrolments")
def roll(session_id: str) -> Roll:
    return service.roll(caller(app, *rules.ORGANISERS), session_id)


@app.post("/v1/school/sessions/<session_id>/attendance")
def attendance(session_id: str) -> Attendance:
    return service.attendance(caller(app, *rules.ORGANISERS), session_id,
                              parse_body(app, AttendanceRequest))


@app.post("/v1/school/sessions/<session_id>/evaluations")
def evaluate(session_id: str) -> tuple[Evaluated, int]:
    return service.evaluate(caller(app, *rules.LEARNERS), session_id,
                            parse_body(app, EvaluationRequest)), 201


@app.get("/v1/school/sessions/<session_id>/certificate")
def certificate(session_id: str) -> CertificateEnvelope:
    return service.own_certificate(caller(app, *rules.LEARNERS), session_id)


@app.get("/v1/me/school")
@declares(query={"cursor": CURSOR})
def mine() -> MyPlaces:
    return service.mine(caller(app, *rules.LEARNERS), _query("cursor"))


@app.get("/v1/school/certificates/<number>/verify")
@declares(query={"digest": "the SHA-256 (hex) of a copy's canonical document: is it the one "
                           "issued"})
def verify(number: str) -> CertificateVerdict:
    return service.verify(number, _query("digest"))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
