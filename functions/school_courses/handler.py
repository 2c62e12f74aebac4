"""The tax school's courses (plan action E17, 税务学堂): officers publish courses with their
lessons and courseware (uploaded through presigned forms, checked, then offered through links
that expire); learners ask and answer questions under each course; the digital library is
searched and downloaded by anyone (docs/usage/school.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import caller
from etax.platform.aws import lazy
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.settings import required, settings
from etax.platform.uploads import Download, Uploads, s3_client
from etax.school.courses import CourseService
from etax.school.courses_repository import CourseRepository
from etax.school.requests import (
    AnswerRequest,
    CourseRequest,
    CoursewareRequest,
    HideRequest,
    LibraryRequest,
    QuestionRequest,
)
from etax.school.results import (
    Course,
    CoursePage,
    Courseware,
    CoursewareDeclared,
    DocumentDeclared,
    LibraryDocument,
    LibraryPage,
    Question,
    QuestionPage,
)
from etax.school.rules import LEARNERS, ORGANISERS

app = make_resolver(max_body_bytes=32768)  # a course of up to 40 lessons
once = Once(app)
service = CourseService(
    CourseRepository(),
    Uploads(s3_client(path_style=settings().is_local), required("COURSEWARE_BUCKET")),
    EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), "tax.school"))
CURSOR = "the cursor of the previous page's answer"
READERS = (*LEARNERS, "admin")


def _query(name: str) -> str | None:
    value: str | None = app.current_event.get_query_string_value(name)
    return value


@app.get("/v1/school/courses")
@declares(query={"cursor": CURSOR})
def courses() -> CoursePage:
    return service.courses(_query("cursor"))


@app.post("/v1/school/courses")
def create() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/school/courses", CourseRequest, service.create, *ORGANISERS)


@app.get("/v1/school/courses/<course_id>")
def read(course_id: str) -> Course:
    return service.read(course_id)


@app.post("/v1/school/courses/<course_id>/courseware")
def declare_courseware(course_id: str) -> tuple[CoursewareDeclared, int]:
    return service.declare_courseware(caller(app, *ORGANISERS), course_id,
                                      parse_body(app, CoursewareRequest)), 201


@app.post("/v1/school/courses/<course_id>/courseware/<number>/publish")
def publish_courseware(course_id: str, number: str) -> Courseware:
    return service.publish_courseware(caller(app, *ORGANISERS), course_id, number)


@app.post("/v1/school/courses/<course_id>/courseware/<number>/downloads")
def download_courseware(course_id: str, number: str) -> tuple[Download, int]:
    return service.download_courseware(caller(app, *READERS), course_id, number), 201


@app.get("/v1/school/courses/<course_id>/questions")
@declares(query={"cursor": CURSOR})
def questions(course_id: str) -> QuestionPage:
    return service.questions(caller(app, *READERS), course_id, _query("cursor"))


@app.post("/v1/school/courses/<course_id>/questions")
def ask(course_id: str) -> tuple[Question, int]:
    return service.ask(caller(app, *READERS), course_id, parse_body(app, QuestionRequest)), 201


@app.post("/v1/school/courses/<course_id>/questions/<question_id>/answers")
def answer(course_id: str, question_id: str) -> tuple[Question, int]:
    return service.answer(caller(app, *READERS), course_id, question_id,
                          parse_body(app, AnswerRequest)), 201


@app.post("/v1/school/courses/<course_id>/questions/<question_id>/hide")
def hide(course_id: str, question_id: str) -> Question:
    return service.hide(caller(app, *ORGANISERS), course_id, question_id,
                        parse_body(app, HideRequest))


@app.get("/v1/school/library")
@declares(query={"q": "words of a document's title, summary or tags (1 to 60 characters)",
                 "category": "guide, policy, slides, video, form or other",
                 "tag": "one of a document's tags"})
def library() -> LibraryPage:
    return service.search(_query("q"), _query("category"), _query("tag"))


@app.post("/v1/school/library")
def declare_document() -> tuple[DocumentDeclared, int]:
    return service.declare_document(caller(app, *ORGANISERS),
                                    parse_body(app, LibraryRequest)), 201


@app.get("/v1/school/library/<document_id>")
def document(document_id: str) -> LibraryDocument:
    return service.document(document_id)


@app.post("/v1/school/library/<document_id>/publish")
def publish_document(document_id: str) -> LibraryDocument:
    return service.publish_document(caller(app, *ORGANISERS), document_id)


@app.post("/v1/school/library/<document_id>/downloads")
def download_document(document_id: str) -> tuple[Download, int]:
    return service.download_document(document_id), 201


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
