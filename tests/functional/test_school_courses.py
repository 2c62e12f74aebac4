"""The tax school's courses (E17) over moto: a course with its lessons; courseware declared,
uploaded (the presigned form holds S3 to the type and exact size), checked — size, type by its
first bytes, SHA-256 — each failure naming its field, then published and downloaded through
expiring links by the course's audience; sessions scheduled for a course; Q&A under a course
with officers' answers marked, the asker told, moderation that hides but keeps, a daily
allowance; the digital library searched, filtered and downloaded; who may do what."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest

from tests.functional.conftest import call, load_handler
from tests.functional.test_invoices import request
from tests.functional.test_school import ticking

FUZHOU, XIAMEN = "13501000000", "13502000000"
KEEPER = ("officer", "officer-fz-0001", FUZHOU)
ELSEWHERE = ("officer", "officer-xm-0001", XIAMEN)
COMPANY = ("taxpayer", "91350100M000100Y43")
OTHER = ("taxpayer", "91350100M000200Y34")
ADMIN = ("admin", "admin-0001")
DEVELOPER = ("developer", "dev-0001")
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
COURSE = {"title": "小规模纳税人增值税申报", "audience": "taxpayers",
          "summary": "从登录电子税务局到提交申报表：小规模纳税人按月或按季申报增值税的全过程。",
          "lessons": [{"title": "申报前的准备", "minutes": 20},
                      {"title": "填写申报表", "summary": "销售额、免税销售额与减征。",
                       "minutes": 35}]}
PDF = b"%PDF-1.7\n" + b"lesson slides " * 200 + b"\n%%EOF\n"
PDF_TYPE = "application/pdf"


@pytest.fixture
def courses(aws: None, published: list[Any]) -> Any:
    module = load_handler("school_courses")
    module.service.now = ticking(NOW)
    return module


def _event(method: str, path: str, body: Any, who: tuple[str, ...] | None,
           query: dict[str, str] | None, key: str | None) -> dict[str, Any]:
    parts = path.split("/")
    resource, params = list(parts), {}
    names = {("courses", 4): "course_id", ("courseware", 6): "number",
             ("questions", 6): "question_id", ("library", 4): "document_id"}
    for (after, at), name in names.items():
        if len(parts) > at and parts[at - 1] == after:
            params[name] = parts[at]
            resource[at] = "{" + name + "}"
    event = request(method, path, body=body, who=who, key=key, resource="/".join(resource),
                    params=params or None)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} \
        if query else None
    return event


def send(module: Any, method: str, path: str, who: tuple[str, ...] | None = None,
         body: Any = None, query: dict[str, str] | None = None,
         key: str | None = None) -> dict[str, Any]:
    return call(module, _event(method, path, body, who, query, key))


def created(module: Any, who: tuple[str, ...] = KEEPER, **changes: Any) -> dict[str, Any]:
    answer = send(module, "POST", "/v1/school/courses", who, {**COURSE, **changes},
                  key=f"course-{who[1]}-{sorted(changes.items())}")
    assert answer["statusCode"] == 201, answer["json"]
    course: dict[str, Any] = answer["json"]
    return course


def file_body(data: bytes, **changes: Any) -> dict[str, Any]:
    return {"title": "第二讲课件", "filename": "lesson-2.pdf", "content_type": PDF_TYPE,
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), **changes}


def uploaded(form: dict[str, Any], data: bytes, content_type: str = PDF_TYPE) -> None:
    """What the presigned POST writes (S3 enforces its policy; the e2e test posts it)."""
    boto3.client("s3").put_object(Bucket="courseware", Key=form["upload"]["fields"]["key"],
                                  Body=data, ContentType=content_type)


def courseware(module: Any, course_id: str, data: bytes = PDF, upload: bytes | None = None,
               **changes: Any) -> dict[str, Any]:
    declared = send(module, "POST", f"/v1/school/courses/{course_id}/courseware", KEEPER,
                    file_body(data, **changes))
    assert declared["statusCode"] == 201, declared["json"]
    uploaded(declared["json"], data if upload is None else upload,
             changes.get("content_type", PDF_TYPE))
    number = declared["json"]["courseware"]["number"]
    return send(module, "POST", f"/v1/school/courses/{course_id}/courseware/{number}/publish",
                KEEPER)


def test_a_course_with_its_lessons_and_courseware_downloaded_by_its_audience(
        courses: Any) -> None:
    course = created(courses)
    assert [(lesson["number"], lesson["title"]) for lesson in course["lessons"]] == [
        (1, "申报前的准备"), (2, "填写申报表")]
    assert course["minutes"] == 55
    assert course["tax_office"] == FUZHOU
    listed = send(courses, "GET", "/v1/school/courses")["json"]["courses"]
    assert [c["id"] for c in listed] == [course["id"]]

    declared = send(courses, "POST", f"/v1/school/courses/{course['id']}/courseware", KEEPER,
                    file_body(PDF, lesson=2))
    assert declared["statusCode"] == 201, declared["json"]
    assert declared["json"]["courseware"]["state"] == "awaiting_upload"
    form = declared["json"]["upload"]
    assert form["fields"]["key"] == f"incoming/{course['id']}/1/lesson-2.pdf"
    assert form["max_bytes"] == len(PDF)
    assert form["content_type"] == PDF_TYPE
    # the public page does not offer it before it is checked
    page = send(courses, "GET", f"/v1/school/courses/{course['id']}")["json"]
    assert page["courseware"] == []
    nothing = send(courses, "POST", f"/v1/school/courses/{course['id']}/courseware/1/publish",
                   KEEPER)
    assert (nothing["statusCode"], nothing["json"]["field"]) == (409, "file")

    uploaded(declared["json"], PDF)
    done = send(courses, "POST", f"/v1/school/courses/{course['id']}/courseware/1/publish",
                KEEPER)
    assert done["statusCode"] == 200, done["json"]
    assert done["json"]["state"] == "published"
    assert [c["name"] for c in done["json"]["checks"]] == ["size", "type", "sha256"]
    again = send(courses, "POST", f"/v1/school/courses/{course['id']}/courseware/1/publish",
                 KEEPER)
    assert again["statusCode"] == 409

    page = send(courses, "GET", f"/v1/school/courses/{course['id']}")["json"]
    assert [(w["number"], w["lesson"], w["title"]) for w in page["courseware"]] == [
        (1, 2, "第二讲课件")]
    assert "checks" in page["courseware"][0]  # the checks it passed are public

    link = send(courses, "POST", f"/v1/school/courses/{course['id']}/courseware/1/downloads",
                COMPANY)
    assert link["statusCode"] == 201, link["json"]
    url = urlparse(link["json"]["url"])
    assert url.path.endswith(f"/files/{course['id']}/1/lesson-2.pdf")
    assert parse_qs(url.query)["X-Amz-Expires"] == ["300"]
    stored = boto3.client("s3").get_object(Bucket="courseware",
                                           Key=f"files/{course['id']}/1/lesson-2.pdf")
    assert hashlib.sha256(stored["Body"].read()).hexdigest() == link["json"]["sha256"]
    page = send(courses, "GET", f"/v1/school/courses/{course['id']}")["json"]
    assert page["courseware"][0]["downloads"] == 1

    # signed in, of the audience: the public and a developer get no link
    assert send(courses, "POST",
                f"/v1/school/courses/{course['id']}/courseware/1/downloads")["statusCode"] == 401
    assert send(courses, "POST", f"/v1/school/courses/{course['id']}/courseware/1/downloads",
                DEVELOPER)["statusCode"] == 403
    officers = created(courses, title="稽查案卷归档规范", audience="officers")
    assert courseware(courses, officers["id"])["statusCode"] == 200
    refused = send(courses, "POST",
                   f"/v1/school/courses/{officers['id']}/courseware/1/downloads", COMPANY)
    assert refused["statusCode"] == 403
    assert send(courses, "POST", f"/v1/school/courses/{officers['id']}/courseware/1/downloads",
                ELSEWHERE)["statusCode"] == 201


@pytest.mark.parametrize(("upload", "content_type", "field"), [
    (PDF[:-1] + b"X", PDF_TYPE, "sha256"),  # the bytes differ from those declared
    (b"MZ" + PDF[2:], PDF_TYPE, "content_type"),  # a PE file named .pdf
    (PDF, "application/octet-stream", "content_type"),  # stored under another type
])
def test_a_file_that_is_not_the_one_declared_is_refused_naming_the_field(
        courses: Any, upload: bytes, content_type: str, field: str) -> None:
    course = created(courses)
    declared = send(courses, "POST", f"/v1/school/courses/{course['id']}/courseware", KEEPER,
                    file_body(PDF))
    uploaded(declared["json"], upload, content_type)
    refused = send(courses, "POST", f"/v1/school/courses/{course['id']}/courseware/1/publish",
                   KEEPER)
    assert (refused["statusCode"], refused["json"]["field"]) == (422, field), refused["json"]
    # the upload is deleted, the file not offered
    listed = boto3.client("s3").list_objects_v2(Bucket="courseware").get("Contents", [])
    assert listed == []
    page = send(courses, "GET", f"/v1/school/courses/{course['id']}")["json"]
    assert page["courseware"] == []
    link = send(courses, "POST", f"/v1/school/courses/{course['id']}/courseware/1/downloads",
                COMPANY)
    assert (link["statusCode"], link["json"]["field"]) == (404, "number")


def test_a_file_of_another_size_is_refused_naming_size(courses: Any) -> None:
    course = created(courses)
    answer = courseware(courses, course["id"], upload=PDF + b"more")
    assert (answer["statusCode"], answer["json"]["field"]) == (422, "size")


@pytest.mark.parametrize(("changes", "field"), [
    ({"filename": "slides.exe"}, "filename"),
    ({"filename": "slides.pptx"}, "filename"),  # the name says another type than declared
    ({"content_type": "text/html"}, "content_type"),
    ({"size": 100 * 1024 * 1024 + 1}, "size"),
    ({"size": 0}, "size"),
    ({"sha256": "abc"}, "sha256"),
    ({"lesson": 3}, "lesson"),  # the course has two
    ({"title": "课件\u202e"}, "title"),
    ({"extra": 1}, "extra"),
])
def test_courseware_declared_wrong_is_refused_naming_the_field(
        courses: Any, changes: dict[str, Any], field: str) -> None:
    course = created(courses)
    answer = send(courses, "POST", f"/v1/school/courses/{course['id']}/courseware", KEEPER,
                  file_body(PDF, **changes))
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field


def test_only_the_course_office_and_administrators_keep_its_courseware(courses: Any) -> None:
    course = created(courses)
    path = f"/v1/school/courses/{course['id']}/courseware"
    for who, status in ((ELSEWHERE, 403), (COMPANY, 403), (DEVELOPER, 403), (None, 401),
                        (ADMIN, 201)):
        assert send(courses, "POST", path, who, file_body(PDF))["statusCode"] == status, who
    assert send(courses, "POST", f"{path}/1/publish", ELSEWHERE)["statusCode"] == 403
    for bad in ("0", "1000", "x", "1;drop"):
        answer = send(courses, "POST", f"{path}/{bad}/publish", KEEPER)
        assert (answer["statusCode"], answer["json"]["field"]) == (404, "number"), bad
    for who in (COMPANY, DEVELOPER):
        assert send(courses, "POST", "/v1/school/courses", who, COURSE)["statusCode"] == 403
    missing = send(courses, "GET", "/v1/school/courses/cs-0000000000000000")
    assert (missing["statusCode"], missing["json"]["field"]) == (404, "course_id")
    odd = send(courses, "GET", "/v1/school/courses/../library")
    assert odd["statusCode"] == 404


@pytest.mark.parametrize(("changes", "field"), [
    ({"lessons": []}, "lessons"),
    ({"lessons": [{"title": "一讲", "minutes": 0}]}, "lessons[0].minutes"),
    ({"lessons": [{"title": "第一讲", "minutes": 30}] * 41}, "lessons"),
    ({"audience": "everyone"}, "audience"),
    ({"summary": "短"}, "summary"),
])
def test_a_course_given_wrong_is_refused_naming_the_field(
        courses: Any, changes: dict[str, Any], field: str) -> None:
    answer = send(courses, "POST", "/v1/school/courses", KEEPER, {**COURSE, **changes},
                  key=f"bad-{field}")
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field


def test_sessions_scheduled_for_a_course_are_on_its_page(
        courses: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIGNING_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab")
    school = load_handler("school")
    school.service.now = lambda: NOW
    course = created(courses)
    session = {"title": "增值税申报面授课", "audience": "taxpayers", "course_id": course["id"],
               "starts_at": "2026-12-10T14:00:00+08:00", "ends_at": "2026-12-10T16:00:00+08:00",
               "place": "福州市税务局纳税人学堂 201 室", "capacity": 30}
    answer = call(school, request("POST", "/v1/school/sessions", body=session, who=KEEPER,
                                  key="session-of-course"))
    assert answer["statusCode"] == 201, answer["json"]
    assert answer["json"]["course_id"] == course["id"]
    assert answer["json"]["course"] == COURSE["title"]
    page = send(courses, "GET", f"/v1/school/courses/{course['id']}")["json"]
    assert [(s["id"], s["capacity"]) for s in page["sessions"]] == [(answer["json"]["id"], 30)]

    unknown = call(school, request("POST", "/v1/school/sessions", who=KEEPER, key="unknown",
                                   body={**session, "course_id": "cs-0000000000000000"}))
    assert (unknown["statusCode"], unknown["json"]["field"]) == (404, "course_id")
    malformed = call(school, request("POST", "/v1/school/sessions", who=KEEPER, key="bad",
                                     body={**session, "course_id": "cs-x"}))
    assert (malformed["statusCode"], malformed["json"]["field"]) == (422, "course_id")


def test_questions_answered_under_a_course_officers_marked_the_asker_told(
        courses: Any, published: list[Any]) -> None:
    course = created(courses)
    path = f"/v1/school/courses/{course['id']}/questions"
    asked = send(courses, "POST", path, COMPANY,
                 {"title": "免税销售额填在哪一栏？", "body": "季度销售额未超过30万元。",
                  "lesson": 2})
    assert asked["statusCode"] == 201, asked["json"]
    question = asked["json"]
    assert question["asked_by"] != COMPANY[1]
    assert "*" in question["asked_by"]
    assert question["answers"] == []

    answered = send(courses, "POST", f"{path}/{question['id']}/answers", KEEPER,
                    {"body": "填在“小微企业免税销售额”栏次。"})
    assert answered["statusCode"] == 201, answered["json"]
    assert [(a["number"], a["official"], a["role"]) for a in answered["json"]["answers"]] == [
        (1, True, "officer")]
    send(courses, "POST", f"{path}/{question['id']}/answers", OTHER, {"body": "我也是这样填的。"})
    told = [e.detail["notification"] for e in published if e.detail_type == "SchoolNotice"]
    assert [(n["recipient"], n["kind"]) for n in told] == [(COMPANY[1], "school.answered")] * 2
    assert "税务机关" in told[0]["body"]
    # answering one's own question tells nobody
    send(courses, "POST", f"{path}/{question['id']}/answers", COMPANY, {"body": "谢谢，已填好。"})
    assert len([e for e in published if e.detail_type == "SchoolNotice"]) == 2

    later = send(courses, "POST", path, OTHER, {"title": "按季申报的期限是哪天？"})["json"]
    listed = send(courses, "GET", path, OTHER)["json"]["questions"]
    assert [q["id"] for q in listed] == [later["id"], question["id"]]  # the latest first
    assert len(listed[1]["answers"]) == 3

    # moderation: an answer hidden keeps its place and reason, its text withheld from learners
    hidden = send(courses, "POST", f"{path}/{question['id']}/hide", KEEPER,
                  {"reason": "与问题无关", "answer": 2})
    assert hidden["statusCode"] == 200, hidden["json"]
    shown = send(courses, "GET", path, OTHER)["json"]["questions"][1]["answers"][1]
    assert (shown["hidden"], shown["body"]) == ("与问题无关", "")
    kept = send(courses, "GET", path, KEEPER)["json"]["questions"][1]["answers"][1]
    assert kept["body"] == "我也是这样填的。"
    twice = send(courses, "POST", f"{path}/{question['id']}/hide", KEEPER,
                 {"reason": "与问题无关", "answer": 2})
    assert (twice["statusCode"], twice["json"]["field"]) == (409, "answer")
    beyond = send(courses, "POST", f"{path}/{question['id']}/hide", KEEPER,
                  {"reason": "与问题无关", "answer": 9})
    assert beyond["statusCode"] == 409
    # a question hidden: gone from the learners' list, kept for its officers, closed to answers
    send(courses, "POST", f"{path}/{later['id']}/hide", KEEPER, {"reason": "重复提问"})
    assert [q["id"] for q in send(courses, "GET", path, COMPANY)["json"]["questions"]] == [
        question["id"]]
    assert len(send(courses, "GET", path, ADMIN)["json"]["questions"]) == 2
    closed = send(courses, "POST", f"{path}/{later['id']}/answers", KEEPER, {"body": "见上。"})
    assert (closed["statusCode"], closed["json"]["field"]) == (409, "question_id")
    assert send(courses, "GET", f"/v1/school/courses/{course['id']}")["json"]["questions"] == 2


def test_q_and_a_is_for_the_course_audience_and_moderated_by_its_office(courses: Any) -> None:
    officers = created(courses, title="稽查案卷归档规范", audience="officers")
    path = f"/v1/school/courses/{officers['id']}/questions"
    assert send(courses, "POST", path, COMPANY, {"title": "我能旁听吗？"})["statusCode"] == 403
    assert send(courses, "GET", path, COMPANY)["statusCode"] == 403
    assert send(courses, "GET", path)["statusCode"] == 401
    asked = send(courses, "POST", path, ELSEWHERE, {"title": "案卷扫描件的分辨率要求？"})
    assert asked["statusCode"] == 201
    hide = send(courses, "POST", f"{path}/{asked['json']['id']}/hide", ELSEWHERE,
                {"reason": "与课程无关"})
    assert hide["statusCode"] == 403  # not the course's office
    missing = send(courses, "POST", f"{path}/cq-0000000000000000000/answers", KEEPER,
                   {"body": "答复"})
    assert (missing["statusCode"], missing["json"]["field"]) == (404, "question_id")
    for bad, field in (({"title": "问"}, "title"), ({"title": "问题问题", "lesson": 5}, "lesson"),
                       ({"title": "问题\u0000问题"}, "title")):
        answer = send(courses, "POST", path, KEEPER, bad)
        assert (answer["statusCode"], answer["json"]["field"]) == (422, field), bad


def test_a_person_asks_ten_questions_a_day(courses: Any) -> None:
    course = created(courses)
    path = f"/v1/school/courses/{course['id']}/questions"
    for n in range(10):
        asked = send(courses, "POST", path, COMPANY, {"title": f"第{n}个问题？"})
        assert asked["statusCode"] == 201
    over = send(courses, "POST", path, COMPANY, {"title": "第十一个问题？"})
    assert over["statusCode"] == 429
    assert int(over["headers"]["Retry-After"]) > 0
    assert send(courses, "POST", path, OTHER, {"title": "别人的问题？"})["statusCode"] == 201


LIBRARY = [
    ({"title": "小规模纳税人增值税减免政策解读", "category": "policy", "tags": ["增值税", "小规模"],
      "summary": "小规模纳税人月销售额10万元以下免征增值税，适用3%征收率的减按1%征收。"}),
    ({"title": "电子发票开具操作指南", "category": "guide", "tags": ["发票"],
      "summary": "数电发票的开具、交付和红字发票的处理步骤，附常见问题。"}),
    ({"title": "个人所得税年度汇算视频讲解", "category": "video", "tags": ["个税", "汇算"],
      "summary": "综合所得年度汇算的办理时间、免于办理的情形和退税流程。"}),
]


def shelved(module: Any, who: tuple[str, ...] = KEEPER) -> list[str]:
    ids = []
    for n, values in enumerate(LIBRARY):
        data = PDF + str(n).encode()
        answer = send(module, "POST", "/v1/school/library", who, {**file_body(data), **values,
                                                                  "filename": f"doc-{n}.pdf"})
        assert answer["statusCode"] == 201, answer["json"]
        uploaded(answer["json"], data)
        document_id = answer["json"]["document"]["id"]
        done = send(module, "POST", f"/v1/school/library/{document_id}/publish", who)
        assert done["statusCode"] == 200, done["json"]
        ids.append(document_id)
    return ids


def test_the_library_is_searched_filtered_and_downloaded_by_anyone(courses: Any) -> None:
    ids = shelved(courses)
    found = send(courses, "GET", "/v1/school/library", query={"q": "增值税减免"})["json"]
    assert found["results"][0]["document"]["id"] == ids[0]
    assert "<em>" in found["results"][0]["highlights"][0]
    assert found["results"][0]["score"] is not None
    assert send(courses, "GET", "/v1/school/library",
                query={"q": "发票"})["json"]["results"][0]["document"]["id"] == ids[1]
    everything = send(courses, "GET", "/v1/school/library")["json"]
    assert [r["document"]["id"] for r in everything["results"]] == ids[::-1]  # latest first
    assert everything["total"] == 3
    assert [r["document"]["id"] for r in send(courses, "GET", "/v1/school/library", query={
        "category": "video"})["json"]["results"]] == [ids[2]]
    assert [r["document"]["id"] for r in send(courses, "GET", "/v1/school/library", query={
        "tag": "发票"})["json"]["results"]] == [ids[1]]
    assert send(courses, "GET", "/v1/school/library", query={"q": "增值税", "category": "video"}
                )["json"]["results"] == []

    link = send(courses, "POST", f"/v1/school/library/{ids[1]}/downloads")
    assert link["statusCode"] == 201, link["json"]
    assert urlparse(link["json"]["url"]).path.endswith(f"/files/library/{ids[1]}/doc-1.pdf")
    assert send(courses, "GET", f"/v1/school/library/{ids[1]}")["json"]["downloads"] == 1


def test_an_unpublished_document_is_not_offered_and_bad_searches_name_the_field(
        courses: Any) -> None:
    answer = send(courses, "POST", "/v1/school/library", KEEPER,
                  {**file_body(PDF), **LIBRARY[0]})
    document_id = answer["json"]["document"]["id"]
    for method, tail in (("GET", ""), ("POST", "/downloads")):
        missing = send(courses, method, f"/v1/school/library/{document_id}{tail}")
        assert (missing["statusCode"], missing["json"]["field"]) == (404, "document_id")
    assert send(courses, "GET", "/v1/school/library")["json"]["results"] == []
    assert send(courses, "POST", f"/v1/school/library/{document_id}/publish",
                ELSEWHERE)["statusCode"] == 403
    for who in (COMPANY, DEVELOPER):
        assert send(courses, "POST", "/v1/school/library", who,
                    {**file_body(PDF), **LIBRARY[0]})["statusCode"] == 403
    for query, field in (({"q": "税" * 61}, "q"), ({"category": "novel"}, "category"),
                         ({"tag": "标" * 21}, "tag")):
        bad = send(courses, "GET", "/v1/school/library", query=query)
        assert (bad["statusCode"], bad["json"]["field"]) == (400, field), query
    wrong = send(courses, "POST", "/v1/school/library", KEEPER,
                 {**file_body(PDF), **LIBRARY[0], "category": "novel"})
    assert (wrong["statusCode"], wrong["json"]["field"]) == (422, "category")


def test_the_library_found_again_after_its_table_is_emptied_and_written_anew(
        courses: Any) -> None:
    """A reset empties the table (the local stack's `make reset`): the publications after it
    must not bring an earlier revision back, or the search keeps the shelf it built before."""
    shelved(courses)
    assert send(courses, "GET", "/v1/school/library")["json"]["total"] == 3  # the shelf built
    dynamodb = boto3.client("dynamodb")
    for item in dynamodb.scan(TableName="school")["Items"]:
        dynamodb.delete_item(TableName="school", Key={"pk": item["pk"], "sk": item["sk"]})
    again = shelved(courses)
    found = send(courses, "GET", "/v1/school/library")["json"]
    assert sorted(r["document"]["id"] for r in found["results"]) == sorted(again)


class RevisionFails:
    """The real client, but a write that gives the library a new revision fails (the store
    failing between two writes)."""

    def __init__(self, real: Any) -> None:
        self.real = real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def put_item(self, **request: Any) -> Any:
        if request["Item"]["sk"] == {"S": "revision"}:
            raise RuntimeError("the store failed")
        return self.real.put_item(**request)

    def transact_write_items(self, **request: Any) -> Any:
        if any(a.get("Put", {}).get("Item", {}).get("sk") == {"S": "revision"}
               for a in request["TransactItems"]):
            raise RuntimeError("the store failed")
        return self.real.transact_write_items(**request)


def test_a_publication_the_search_cannot_learn_of_is_not_made(courses: Any) -> None:
    """The document's publication and the library's new revision are one write: when the
    revision cannot be written the document stays unpublished, its upload where it was (so it
    is published once the store is back), never published where the search, its revision
    unmoved, misses it."""
    answer = send(courses, "POST", "/v1/school/library", KEEPER,
                  {**file_body(PDF), **LIBRARY[0], "filename": "doc.pdf"})
    uploaded(answer["json"], PDF)
    document_id = answer["json"]["document"]["id"]
    repository = courses.service.repository
    real = repository.db
    repository._db = RevisionFails(real)
    try:
        failed = send(courses, "POST", f"/v1/school/library/{document_id}/publish", KEEPER)
    finally:
        repository._db = real
    assert failed["statusCode"] == 500
    assert send(courses, "GET", f"/v1/school/library/{document_id}")["statusCode"] == 404
    assert send(courses, "GET", "/v1/school/library")["json"]["total"] == 0
    done = send(courses, "POST", f"/v1/school/library/{document_id}/publish", KEEPER)
    assert done["statusCode"] == 200, done["json"]
    assert send(courses, "GET", "/v1/school/library")["json"]["total"] == 1
