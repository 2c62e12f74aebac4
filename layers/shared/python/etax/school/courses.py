"""The tax school's courses, courseware, digital library and Q&A (plan action E17; rules in
:mod:`etax.school.catalogue`)."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from etax.errors import Invalid, LimitReached, Malformed, NotFound, Refused, StateChanged
from etax.platform.auth import Principal
from etax.platform.events import DomainEvent, Publisher
from etax.platform.privacy import mask_identifier
from etax.platform.uploads import DOWNLOAD_SECONDS, Download, Uploads
from etax.rules.dates import day_allowance, utc_stamp
from etax.school import catalogue
from etax.school.catalogue import AWAITING_UPLOAD, FAILED_CHECKS, PUBLISHED
from etax.school.courses_repository import CourseRepository
from etax.school.library import Shelf
from etax.school.requests import (
    AnswerRequest,
    CourseRequest,
    CoursewareRequest,
    HideRequest,
    LibraryRequest,
    QuestionRequest,
)
from etax.school.results import (
    Answer,
    Course,
    CoursePage,
    CourseSession,
    Courseware,
    CoursewareDeclared,
    DocumentDeclared,
    Lesson,
    LibraryDocument,
    LibraryHit,
    LibraryPage,
    Question,
    QuestionPage,
)
from etax.school.rules import MAX_HOURS, ORGANISERS

SEARCH_RESULTS = 20


def _organiser(principal: Principal) -> None:
    if principal.role not in ORGANISERS or (
            principal.role == "officer" and not principal.tax_office):
        raise Refused("officers of a tax office and administrators publish courses and "
                      "library documents")


def _number(text: str) -> int:
    if not catalogue.COURSEWARE_NUMBER.fullmatch(text):
        raise NotFound("no such courseware in this course", field="number")
    return int(text)


@dataclass
class CourseService:
    repository: CourseRepository
    uploads: Uploads
    publisher: Publisher
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    _shelf: Shelf | None = field(default=None, init=False, repr=False)

    # -- courses ----------------------------------------------------------------------------

    def create(self, principal: Principal, request: CourseRequest) -> Course:
        _organiser(principal)
        course_id = f"cs-{secrets.token_hex(8)}"
        values = {"id": course_id, "title": request.title, "summary": request.summary,
                  "audience": request.audience,
                  "lessons": [{"number": n, **lesson.model_dump()}
                              for n, lesson in enumerate(request.lessons, start=1)],
                  "tax_office": principal.tax_office or "admin",
                  "created_by": principal.subject, "created_at": utc_stamp(self.now())}
        self.repository.put_course(course_id, values)
        return self._course(values, parts={"ware": [], "session": []})  # as written: no read

    def courses(self, cursor: str | None) -> CoursePage:
        found, following = self.repository.courses(cursor)
        return CoursePage([self._course(c) for c in found], following)

    def read(self, course_id: str) -> Course:
        """The course with its published courseware and the sessions still to come."""
        course = self._stored(course_id)
        since = utc_stamp(self.now() - timedelta(hours=MAX_HOURS))
        return self._course(course, parts=self.repository.course_parts(course_id, since))

    # -- courseware -------------------------------------------------------------------------

    def declare_courseware(self, principal: Principal, course_id: str,
                           request: CoursewareRequest) -> CoursewareDeclared:
        course = self._kept(principal, course_id)
        if request.lesson is not None and request.lesson > len(course["lessons"]):
            raise Invalid(f"the course has {len(course['lessons'])} lessons", field="lesson")
        values = {"title": request.title, "lesson": request.lesson,
                  "filename": request.filename, "content_type": request.content_type,
                  "size": request.size, "sha256": request.sha256, "state": AWAITING_UPLOAD,
                  "downloads": 0, "declared_by": principal.subject,
                  "declared_at": utc_stamp(self.now())}
        number = self.repository.declare_courseware(course_id, values)
        if number is None:
            raise StateChanged(f"a course holds at most {catalogue.MAX_COURSEWARE} files",
                               field="course_id")
        form = self.uploads.form(catalogue.incoming_key(course_id, str(number),
                                                        request.filename),
                                 request.content_type, request.size, min_bytes=request.size)
        return CoursewareDeclared(self._ware({**values, "number": number}), form)

    def publish_courseware(self, principal: Principal, course_id: str,
                           number: str) -> Courseware:
        """The uploaded file checked and, when every check passes, published; refused (422
        naming the field of the failed check) otherwise, its upload deleted."""
        self._kept(principal, course_id)
        ware = self._stored_ware(course_id, number)
        settled = self._settle(ware, course_id, str(ware["number"]),
                               lambda values: self.repository.settle_courseware(
                                   course_id, int(ware["number"]), values))
        return self._ware(settled)

    def download_courseware(self, principal: Principal, course_id: str,
                            number: str) -> Download:
        catalogue.check_learner(principal, self._stored(course_id))
        ware = self._stored_ware(course_id, number)
        if ware["state"] != PUBLISHED:
            raise NotFound("no such courseware in this course", field="number")
        self.repository.count_courseware_download(course_id, int(ware["number"]))
        return self._download(course_id, str(ware["number"]), ware)

    # -- Q&A --------------------------------------------------------------------------------

    def ask(self, principal: Principal, course_id: str, request: QuestionRequest) -> Question:
        course = self._stored(course_id)
        catalogue.check_learner(principal, course)
        if request.lesson is not None and request.lesson > len(course["lessons"]):
            raise Invalid(f"the course has {len(course['lessons'])} lessons", field="lesson")
        self._allowance(principal, "questions")
        now = self.now()
        question_id = catalogue.question_id(int(now.timestamp() * 1000), secrets.token_hex(3))
        values = {"id": question_id, "course_id": course_id, "title": request.title,
                  "body": request.body, "lesson": request.lesson,
                  "asked_by": principal.subject, "role": principal.role,
                  "asked_at": utc_stamp(now, "milliseconds")}
        self.repository.ask(course_id, question_id, values)
        return self._question(principal, course, {**values, "answers": []})

    def questions(self, principal: Principal, course_id: str,
                  cursor: str | None) -> QuestionPage:
        """A page of the course's questions with their answers, the latest first; a hidden
        question is left out (its course's officers see it, with the reason)."""
        course = self._stored(course_id)
        catalogue.check_learner(principal, course)
        found, following = self.repository.questions(course_id, cursor)
        keeper = catalogue.keeps(principal, course)
        return QuestionPage([self._question(principal, course, q) for q in found
                             if keeper or "hidden" not in q], following)

    def answer(self, principal: Principal, course_id: str, question_id: str,
               request: AnswerRequest) -> Question:
        course = self._stored(course_id)
        catalogue.check_learner(principal, course)
        question = self._stored_question(course_id, question_id)
        official = principal.role == "officer"
        if not official:
            self._allowance(principal, "answers")
        values = {"body": request.body, "by": principal.subject, "role": principal.role,
                  "official": official, "answered_at": utc_stamp(self.now(), "milliseconds")}
        number = self.repository.answer(course_id, question_id, values)
        if number is None:
            raise StateChanged(f"this question is hidden or holds {catalogue.MAX_ANSWERS} "
                               "answers: no more answers", field="question_id")
        if question["asked_by"] != principal.subject:
            self.publisher.publish([DomainEvent("SchoolNotice", {
                "course_id": course_id, "what": "answered",
                "notification": {
                    "id": f"school:{question_id}:answer:{number}",
                    "recipient": question["asked_by"], "kind": "school.answered",
                    "title": "税务学堂问题有新回答",
                    "body": f"您在《{course['title']}》提出的问题“{question['title']}”有了"
                            f"{'税务机关的' if official else '新的'}回答。",
                    "link": f"/v1/school/courses/{course_id}/questions"}})])
        return self._question(principal, course, self._stored_question(course_id, question_id))

    def hide(self, principal: Principal, course_id: str, question_id: str,
             request: HideRequest) -> Question:
        """The course's officers hide a question or one of its answers, with a reason: kept,
        not deleted."""
        course = self._kept(principal, course_id)
        self._stored_question(course_id, question_id)
        if not self.repository.hide(course_id, question_id, request.answer,
                                    {"reason": request.reason, "by": principal.subject,
                                     "at": utc_stamp(self.now())}):
            raise StateChanged("hidden already, or the question has no such answer",
                               field="answer" if request.answer else "question_id")
        return self._question(principal, course, self._stored_question(course_id, question_id))

    # -- the library ------------------------------------------------------------------------

    def declare_document(self, principal: Principal,
                         request: LibraryRequest) -> DocumentDeclared:
        _organiser(principal)
        document_id = f"lib-{secrets.token_hex(8)}"
        values = {"id": document_id, "title": request.title, "summary": request.summary,
                  "category": request.category, "tags": list(dict.fromkeys(request.tags)),
                  "filename": request.filename, "content_type": request.content_type,
                  "size": request.size, "sha256": request.sha256, "state": AWAITING_UPLOAD,
                  "downloads": 0, "tax_office": principal.tax_office or "admin",
                  "declared_by": principal.subject, "declared_at": utc_stamp(self.now())}
        self.repository.declare_document(document_id, values)
        form = self.uploads.form(catalogue.incoming_key("library", document_id,
                                                        request.filename),
                                 request.content_type, request.size, min_bytes=request.size)
        return DocumentDeclared(self._document(values), form)

    def publish_document(self, principal: Principal, document_id: str) -> LibraryDocument:
        document = self._stored_document(document_id)
        if not catalogue.keeps(principal, document):
            raise Refused("the officers of the office that added the document and "
                          "administrators publish it")
        settled = self._settle(document, "library", document_id,
                               lambda values: self.repository.settle_document(document_id,
                                                                              values))
        return self._document(settled)

    def search(self, q: str | None, category: str | None, tag: str | None) -> LibraryPage:
        if q is not None and not 1 <= len(q) <= 60:
            raise Malformed("q: 1 to 60 characters", field="q")
        if category is not None and category not in catalogue.LIBRARY_CATEGORIES:
            raise Malformed(f"category: one of {', '.join(catalogue.LIBRARY_CATEGORIES)}",
                            field="category")
        if tag is not None and not 1 <= len(tag) <= 20:
            raise Malformed("tag: 1 to 20 characters", field="tag")
        found, total = self.shelf().search(q, category=category, tag=tag,
                                           limit=SEARCH_RESULTS)
        return LibraryPage([LibraryHit(self._document(f.document),
                                       None if f.score is None else f"{f.score:.6f}",
                                       f.highlights) for f in found], total)

    def shelf(self) -> Shelf:
        """The library's index, built again when a publication moved the revision on."""
        revision = self.repository.revision()
        if self._shelf is None or self._shelf.revision != revision:
            self._shelf = Shelf.build(revision, self.repository.shelf(catalogue.MAX_LIBRARY))
        return self._shelf

    def document(self, document_id: str) -> LibraryDocument:
        return self._document(self._published_document(document_id))

    def download_document(self, document_id: str) -> Download:
        document = self._published_document(document_id)
        self.repository.count_document_download(document_id)
        return self._download("library", document_id, document)

    # -- helpers ----------------------------------------------------------------------------

    def _stored(self, course_id: str) -> dict[str, Any]:
        stored = (self.repository.course(course_id)
                  if catalogue.COURSE_ID.fullmatch(course_id) else None)
        if stored is None:
            raise NotFound("no such course", field="course_id")
        return stored

    def _kept(self, principal: Principal, course_id: str) -> dict[str, Any]:
        course = self._stored(course_id)
        if not catalogue.keeps(principal, course):
            raise Refused("the officers of the office that published the course and "
                          "administrators keep its courseware and moderate its Q&A")
        return course

    def _stored_ware(self, course_id: str, number: str) -> dict[str, Any]:
        ware = self.repository.courseware(course_id, _number(number))
        if ware is None:
            raise NotFound("no such courseware in this course", field="number")
        return ware

    def _stored_question(self, course_id: str, question_id: str) -> dict[str, Any]:
        question = (self.repository.question(course_id, question_id)
                    if catalogue.QUESTION_ID.fullmatch(question_id) else None)
        if question is None:
            raise NotFound("no such question in this course", field="question_id")
        return question

    def _stored_document(self, document_id: str) -> dict[str, Any]:
        document = (self.repository.document(document_id)
                    if catalogue.DOCUMENT_ID.fullmatch(document_id) else None)
        if document is None:
            raise NotFound("no such library document", field="document_id")
        return document

    def _published_document(self, document_id: str) -> dict[str, Any]:
        document = self._stored_document(document_id)
        if document["state"] != PUBLISHED:
            raise NotFound("no such library document", field="document_id")
        return document

    def _allowance(self, principal: Principal, kind: str) -> None:
        day, expires, retry = day_allowance(self.now())
        ceiling = catalogue.DAILY[kind]
        if not self.repository.count(principal.subject, kind, day, ceiling, expires):
            raise LimitReached(f"at most {ceiling} {kind} a day; the allowance renews in "
                               f"{retry} s", retry_after=retry)

    def _settle(self, stored: dict[str, Any], owner: str, number: str,
                settle: Callable[[Mapping[str, Any]], bool]) -> dict[str, Any]:
        """Check what arrived for ``stored`` (a file awaiting its upload) and settle it:
        published (moved to where it is kept) or refused with its checks."""
        if stored["state"] != AWAITING_UPLOAD:
            raise StateChanged(f"this file is {stored['state']}: only one awaiting its upload "
                               "is published", field="state")
        source = catalogue.incoming_key(owner, number, stored["filename"])
        checks = self.uploads.received(source, size=int(stored["size"]),
                                       content_type=stored["content_type"],
                                       sha256=stored["sha256"], typed=catalogue.typed)
        if not checks:
            raise StateChanged("nothing was uploaded with the file's form yet", field="file")
        at = utc_stamp(self.now(), "milliseconds")  # the library lists the latest first
        shown = [asdict(c) for c in checks]
        failed = [c for c in checks if not c.passed]
        if failed:
            settle({"state": FAILED_CHECKS, "checks": shown, "checked_at": at})
            self.uploads.delete(source)  # after the write: a failure of it leaves the upload
            raise Invalid(f"{failed[0].name}: {failed[0].detail}", field=failed[0].field)
        values = {"state": PUBLISHED, "checks": shown, "published_at": at}
        if not self.uploads.move(source, catalogue.kept_key(owner, number, stored["filename"]),
                                 lambda: settle(values)):
            raise StateChanged("this file was published meanwhile", field="state")
        return {**stored, **values}

    def _download(self, owner: str, number: str, stored: Mapping[str, Any]) -> Download:
        url = self.uploads.download_url(catalogue.kept_key(owner, number, stored["filename"]),
                                        stored["filename"])
        return Download(url, DOWNLOAD_SECONDS, stored["filename"], int(stored["size"]),
                        stored["sha256"])

    @staticmethod
    def _ware(stored: Mapping[str, Any]) -> Courseware:
        return Courseware(
            number=int(stored["number"]), title=stored["title"], lesson=stored.get("lesson"),
            filename=stored["filename"], content_type=stored["content_type"],
            size=int(stored["size"]), sha256=stored["sha256"], state=stored["state"],
            downloads=int(stored.get("downloads", 0)), published_at=stored.get("published_at"),
            checks=stored.get("checks"))

    @staticmethod
    def _document(stored: Mapping[str, Any]) -> LibraryDocument:
        return LibraryDocument(
            id=stored["id"], title=stored["title"], summary=stored["summary"],
            category=stored["category"], tags=list(stored.get("tags", [])),
            filename=stored["filename"], content_type=stored["content_type"],
            size=int(stored["size"]), sha256=stored["sha256"], state=stored["state"],
            downloads=int(stored.get("downloads", 0)), tax_office=stored["tax_office"],
            published_at=stored.get("published_at"), checks=stored.get("checks"))

    def _course(self, course: Mapping[str, Any],
                parts: Mapping[str, list[dict[str, Any]]] | None = None) -> Course:
        lessons = [Lesson(int(lesson["number"]), lesson["title"], lesson.get("summary"),
                          int(lesson["minutes"])) for lesson in course["lessons"]]
        return Course(
            id=course["id"], title=course["title"], summary=course["summary"],
            audience=course["audience"], tax_office=course["tax_office"],
            created_at=course["created_at"], lessons=lessons,
            minutes=sum(lesson.minutes for lesson in lessons),
            questions=int(course.get("questions", 0)),
            courseware=None if parts is None else [
                self._ware(w) for w in parts["ware"] if w["state"] == PUBLISHED],
            sessions=None if parts is None else [
                CourseSession(s["id"], s["title"], s["starts_at"], s["ends_at"], s["place"],
                              int(s["capacity"])) for s in parts["session"]])

    @staticmethod
    def _question(principal: Principal, course: Mapping[str, Any],
                  stored: Mapping[str, Any]) -> Question:
        keeper = catalogue.keeps(principal, course)

        def answer(number: int, shown: Mapping[str, Any]) -> Answer:
            hidden = shown.get("hidden")
            return Answer(number=number,
                          body=shown["body"] if keeper or not hidden else "",
                          by=mask_identifier(shown["by"]), role=shown["role"],
                          official=bool(shown["official"]), answered_at=shown["answered_at"],
                          hidden=hidden["reason"] if hidden else None)

        hidden = stored.get("hidden")
        return Question(
            id=stored["id"], course_id=stored["course_id"], title=stored["title"],
            body=stored.get("body"), lesson=stored.get("lesson"),
            asked_by=mask_identifier(stored["asked_by"]), asked_at=stored["asked_at"],
            answers=[answer(n, a) for n, a in enumerate(stored.get("answers", []), start=1)],
            hidden=hidden["reason"] if hidden else None)
