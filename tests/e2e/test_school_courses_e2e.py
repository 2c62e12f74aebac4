"""The tax school's courses on the local stack (E17): an officer publishes a course with its
lessons, posts courseware straight to S3 with the presigned form (S3 refuses a file of another
size), the platform checks it and publishes it, a taxpayer downloads it through an expiring
link and the bytes match the checksum; a session scheduled for the course is on its page;
questions under the course answered by an officer reach the asker's inbox; the digital library
is searched with highlights and downloaded."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.test_acceptance_e2e import post_form
from tests.e2e.test_apps_e2e import call
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_notifications_e2e import entries_with
from tests.e2e.test_platform_e2e import bearer, token
from tests.e2e.test_portal_e2e import fresh_person

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

FUZHOU = "13501000000"
KEEPER = ("officer", "officer-fz-0001", FUZHOU)
PDF_TYPE = "application/pdf"


def slides(words: str) -> bytes:
    return b"%PDF-1.7\n" + words.encode() * 50 + b"\n%%EOF\n"


def course(api: str, keeper: dict[str, str], title: str, audience: str = "taxpayers") -> str:
    made = call(api, "POST", "/v1/school/courses", keeper, {
        "title": title, "audience": audience,
        "summary": "从登录电子税务局到提交申报表：小规模纳税人申报增值税的全过程。",
        "lessons": [{"title": "申报前的准备", "minutes": 20},
                    {"title": "填写申报表", "minutes": 35}]})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def file_body(data: bytes, filename: str, **changes: Any) -> dict[str, Any]:
    return {"title": "第二讲课件", "filename": filename, "content_type": PDF_TYPE,
            "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), **changes}


def published_courseware(api: str, keeper: dict[str, str], course_id: str,
                         data: bytes) -> int:
    """Courseware declared, posted with its form and published: its number."""
    declared = call(api, "POST", f"/v1/school/courses/{course_id}/courseware", keeper,
                    file_body(data, "lesson-2.pdf", lesson=2))
    assert declared.status_code == 201, declared.text
    posted = post_form(declared.json()["upload"], data, "lesson-2.pdf")
    assert posted.status_code in (200, 201, 204), posted.text
    number = int(declared.json()["courseware"]["number"])
    done = call(api, "POST", f"/v1/school/courses/{course_id}/courseware/{number}/publish",
                keeper)
    assert done.status_code == 200, done.text
    return number


def shelved(api: str, keeper: dict[str, str], title: str, summary: str,
            data: bytes) -> str:
    """A library document declared, posted with its form and published: its id."""
    declared = call(api, "POST", "/v1/school/library", keeper, {
        **file_body(data, "guide.pdf", title=title), "summary": summary, "category": "guide",
        "tags": ["增值税"]})
    assert declared.status_code == 201, declared.text
    posted = post_form(declared.json()["upload"], data, "guide.pdf")
    assert posted.status_code in (200, 201, 204), posted.text
    document_id = str(declared.json()["document"]["id"])
    done = call(api, "POST", f"/v1/school/library/{document_id}/publish", keeper)
    assert done.status_code == 200, done.text
    return document_id


def test_courseware_is_checked_published_and_downloaded_as_declared(api: str) -> None:
    keeper = bearer(token(api, *KEEPER))
    learner = bearer(token(api, "taxpayer", "91350100M000100Y43"))
    course_id = course(api, keeper, f"小规模纳税人增值税申报 {uuid.uuid4().hex[:6]}")

    # S3 holds the form to the size declared; a file whose bytes differ is refused on checking
    data = slides("lesson two")
    declared = call(api, "POST", f"/v1/school/courses/{course_id}/courseware", keeper,
                    file_body(data, "lesson-2.pdf"))
    assert declared.status_code == 201, declared.text
    larger = post_form(declared.json()["upload"], data + b"more", "lesson-2.pdf")
    assert larger.status_code in (400, 403), larger.text
    forged = data[:-2] + b"X\n"
    assert post_form(declared.json()["upload"], forged, "lesson-2.pdf").status_code in (
        200, 201, 204)
    refused = call(api, "POST", f"/v1/school/courses/{course_id}/courseware/1/publish", keeper)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "sha256"

    number = published_courseware(api, keeper, course_id, data)
    assert number == 2
    page = requests.get(f"{api}/v1/school/courses/{course_id}", timeout=60).json()
    assert [(w["number"], w["state"]) for w in page["courseware"]] == [(2, "published")]

    link = call(api, "POST", f"/v1/school/courses/{course_id}/courseware/2/downloads", learner)
    assert link.status_code == 201, link.text
    assert link.json()["expires_in"] == 300
    fetched = requests.get(link.json()["url"], timeout=60)
    assert fetched.status_code == 200
    assert hashlib.sha256(fetched.content).hexdigest() == link.json()["sha256"]
    assert fetched.content == data
    assert call(api, "POST", f"/v1/school/courses/{course_id}/courseware/2/downloads",
                None).status_code == 401

    # a session scheduled for the course is on its page
    starts = datetime.now(UTC) + timedelta(days=20)
    session = call(api, "POST", "/v1/school/sessions", keeper, {
        "title": "增值税申报面授课", "audience": "taxpayers", "course_id": course_id,
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "place": "福州市税务局纳税人学堂 201 室", "capacity": 30})
    assert session.status_code == 201, session.text
    page = requests.get(f"{api}/v1/school/courses/{course_id}", timeout=60).json()
    assert [s["id"] for s in page["sessions"]] == [session.json()["id"]]


def test_a_question_answered_by_an_officer_reaches_the_asker(api: str) -> None:
    keeper = bearer(token(api, *KEEPER))
    asker = bearer(token(api, "taxpayer", fresh_person()))  # an inbox of its own
    course_id = course(api, keeper, f"发票开具与交付 {uuid.uuid4().hex[:6]}")
    path = f"/v1/school/courses/{course_id}/questions"
    asked = call(api, "POST", path, asker, {"title": "红字发票怎么开？", "lesson": 2})
    assert asked.status_code == 201, asked.text
    question_id = asked.json()["id"]
    answered = call(api, "POST", f"{path}/{question_id}/answers", keeper,
                    {"body": "在电子税务局的红字发票确认信息录入后开具。"})
    assert answered.status_code == 201, answered.text
    assert answered.json()["answers"][0]["official"] is True
    notice = f"school:{question_id}:answer:1"
    told = wait_for("the answer in the asker's inbox", lambda: entries_with(
        api, asker, notice) or None)
    assert told[0]["title"] == "税务学堂问题有新回答"

    hidden = call(api, "POST", f"{path}/{question_id}/hide", keeper, {"reason": "重复提问"})
    assert hidden.status_code == 200, hidden.text
    assert call(api, "GET", path, asker).json()["questions"] == []
    assert call(api, "POST", f"{path}/{question_id}/answers", asker,
                {"body": "谢谢"}).status_code == 409


def test_the_library_finds_a_document_with_highlights_and_serves_its_bytes(api: str) -> None:
    keeper = bearer(token(api, *KEEPER))
    word = f"留抵退税{uuid.uuid4().hex[:4]}"
    data = slides(word)
    document_id = shelved(api, keeper, f"{word}办理指南",
                          f"增量留抵退税的条件、申请和到账：{word}的完整步骤。", data)
    found = wait_for("the document in the library's search", lambda: [
        r for r in requests.get(f"{api}/v1/school/library", timeout=60,
                                params={"q": word}).json()["results"]
        if r["document"]["id"] == document_id] or None)
    assert "<em>" in found[0]["highlights"][0]
    link = requests.post(f"{api}/v1/school/library/{document_id}/downloads", timeout=60)
    assert link.status_code == 201, link.text
    assert requests.get(link.json()["url"], timeout=60).content == data
    shown = requests.get(f"{api}/v1/school/library/{document_id}", timeout=60).json()
    assert shown["downloads"] == 1
