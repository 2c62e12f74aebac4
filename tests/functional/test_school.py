"""The tax school (E17) over moto: a session scheduled by an officer; enrolment up to the
capacity then a waiting list in order (requests at once are the e2e test's: moto is not safe
for threads); a cancellation passes the seat to the first in line, who is told; a
place in line given up moves the rest up; reminders once; attendance with signed certificates
that anyone verifies; one evaluation an attendee; who may do what; bad input naming the
field."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from etax.documents.canonical import canonical_bytes
from etax.documents.signing import verify_envelope
from etax.rules import resident_id
from etax.school.service import Reminders
from tests.functional.conftest import DigestKms, call, load_handler
from tests.functional.test_invoices import request

FUZHOU, XIAMEN = "13501000000", "13502000000"
ORGANISER = ("officer", "officer-fz-0001", FUZHOU)
ELSEWHERE = ("officer", "officer-xm-0001", XIAMEN)
COMPANY = ("taxpayer", "91350100M000100Y43")
ADMIN = ("admin", "admin-0001")
PARTNER = ("partner", "bank-0001")
NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)  # 10:00 in Beijing
SESSION = {"title": "小规模纳税人增值税申报实务", "course": "增值税基础", "audience": "taxpayers",
           "starts_at": "2026-12-10T14:00:00+08:00", "ends_at": "2026-12-10T16:00:00+08:00",
           "place": "福州市税务局纳税人学堂 201 室", "capacity": 3}


def person(n: int) -> tuple[str, str]:
    """A natural person signed in (a valid resident ID, born 1990-01-01)."""
    first17 = f"35010219900101{n:03d}"
    return ("taxpayer", first17 + resident_id.check_character(first17))


@pytest.fixture
def school(aws: None, monkeypatch: pytest.MonkeyPatch, published: list[Any]) -> Any:
    monkeypatch.setenv("SIGNING_KEY_ID", "1234abcd-12ab-34cd-56ef-1234567890ab")
    module = load_handler("school")
    module.service.signer.kms = DigestKms()
    module.service.now = ticking(NOW)
    return module


def ticking(start: datetime) -> Any:
    """A clock a millisecond later at each reading (requests accepted one after another)."""
    readings = iter(range(10**9))
    return lambda: start + timedelta(milliseconds=next(readings))


def _event(method: str, path: str, body: Any, who: tuple[str, ...] | None,
           key: str | None = None, query: dict[str, str] | None = None) -> dict[str, Any]:
    parts, resource, params = path.split("/"), path, None
    if len(parts) > 4 and parts[3] == "sessions":
        params = {"session_id": parts[4]}
        resource = "/".join([*parts[:4], "{session_id}", *parts[5:]])
    elif len(parts) > 4 and parts[3] == "certificates":
        params = {"number": parts[4]}
        resource = "/".join([*parts[:4], "{number}", *parts[5:]])
    event = request(method, path, body=body, who=who, key=key, resource=resource,
                    params=params)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} \
        if query else None
    return event


def send(module: Any, method: str, path: str, who: tuple[str, ...] | None = None,
         body: Any = None, key: str | None = None,
         query: dict[str, str] | None = None) -> dict[str, Any]:
    return call(module, _event(method, path, body, who, key, query))


def scheduled(module: Any, **changes: Any) -> dict[str, Any]:
    answer = send(module, "POST", "/v1/school/sessions", ORGANISER, {**SESSION, **changes},
                  key=f"s-{sorted(changes.items())}")
    assert answer["statusCode"] == 201, answer["json"]
    session: dict[str, Any] = answer["json"]
    return session


def enrol(module: Any, session_id: str, who: tuple[str, ...] | None) -> dict[str, Any]:
    return send(module, "POST", f"/v1/school/sessions/{session_id}/enrolments", who)


def notices(published: list[Any]) -> list[tuple[str, str]]:
    return [(e.detail["notification"]["recipient"], e.detail["what"]) for e in published]


def test_seats_then_a_waiting_list_in_order_and_a_seat_passed_to_the_first_in_line(
        school: Any, published: list[Any]) -> None:
    session = scheduled(school)
    assert (session["capacity"], session["seats_left"], session["waiting"]) == (3, 3, 0)
    assert session["starts_at"] == "2026-12-10T06:00:00Z"
    sid = session["id"]
    places = [enrol(school, sid, person(n)) for n in range(6)]
    assert [p["statusCode"] for p in places] == [201] * 6
    assert [p["json"]["status"] for p in places] == ["enrolled"] * 3 + ["waiting"] * 3
    assert [p["json"].get("position") for p in places[3:]] == [1, 2, 3]
    view = send(school, "GET", f"/v1/school/sessions/{sid}")["json"]
    assert (view["seats_taken"], view["seats_left"], view["waiting"]) == (3, 0, 3)
    assert "350102" not in str(view)  # the public view counts, never names
    again = enrol(school, sid, person(0))
    assert again["statusCode"] == 409
    assert again["json"]["field"] == "session_id"

    published.clear()
    cancelled = send(school, "DELETE", f"/v1/school/sessions/{sid}/enrolments/me", person(1))
    assert cancelled["json"]["status"] == "cancelled"
    assert notices(published) == [(person(3)[1], "promoted")]
    mine = send(school, "GET", "/v1/me/school", person(3))["json"]["places"]
    assert [(p["session_id"], p["status"]) for p in mine] == [(sid, "enrolled")]
    assert send(school, "GET", "/v1/me/school", person(5))["json"]["places"][0]["position"] == 2

    # a place in line given up: those behind move up, the seats stay taken
    send(school, "DELETE", f"/v1/school/sessions/{sid}/enrolments/me", person(4))
    assert send(school, "GET", "/v1/me/school", person(5))["json"]["places"][0]["position"] == 1
    roll = send(school, "GET", f"/v1/school/sessions/{sid}/enrolments", ORGANISER)["json"]
    assert [p["subject"] for p in roll["enrolled"]] == [person(n)[1] for n in (0, 2, 3)]
    assert [(p["subject"], p["position"]) for p in roll["waiting"]] == [(person(5)[1], 1)]
    assert (roll["session"]["seats_taken"], roll["session"]["waiting"]) == (3, 1)

    # a cancelled person may enrol again, at the back of the line
    assert enrol(school, sid, person(1))["json"] == {"session_id": sid, "status": "waiting",
                                                     "position": 2}
    # the last seat given up with nobody waiting frees it
    for n in (5, 1):
        send(school, "DELETE", f"/v1/school/sessions/{sid}/enrolments/me", person(n))
    send(school, "DELETE", f"/v1/school/sessions/{sid}/enrolments/me", person(0))
    view = send(school, "GET", f"/v1/school/sessions/{sid}")["json"]
    assert (view["seats_taken"], view["waiting"]) == (2, 0)
    gone = send(school, "DELETE", f"/v1/school/sessions/{sid}/enrolments/me", person(0))
    assert gone["statusCode"] == 404


def test_enrolment_closes_when_the_session_starts_and_audiences_are_kept(school: Any) -> None:
    sid = scheduled(school)["id"]
    for who, status in ((ORGANISER, 403), (PARTNER, 403), (ADMIN, 403), (None, 401)):
        assert enrol(school, sid, who)["statusCode"] == status, who
    officers = scheduled(school, audience="officers")["id"]
    assert enrol(school, officers, COMPANY)["statusCode"] == 403
    assert enrol(school, officers, ELSEWHERE)["statusCode"] == 201
    assert enrol(school, sid, person(1))["statusCode"] == 201
    school.service.now = lambda: datetime(2026, 12, 10, 6, 0, tzinfo=UTC)
    late = enrol(school, sid, person(2))
    assert late["statusCode"] == 409
    assert "started" in late["json"]["detail"]
    assert send(school, "DELETE", f"/v1/school/sessions/{sid}/enrolments/me",
                person(1))["statusCode"] == 409
    assert enrol(school, "ss-0000000000000000", person(2))["statusCode"] == 404
    assert enrol(school, "../etc", person(2))["statusCode"] == 404


def test_reminders_reach_each_seated_person_once(school: Any, published: list[Any]) -> None:
    soon = scheduled(school, starts_at="2026-12-07T09:00:00+08:00",
                     ends_at="2026-12-07T11:00:00+08:00", capacity=1)["id"]
    later = scheduled(school, starts_at="2026-12-20T09:00:00+08:00",
                      ends_at="2026-12-20T11:00:00+08:00")["id"]
    enrol(school, soon, person(1))
    enrol(school, soon, person(2))  # waiting: no reminder
    enrol(school, later, person(3))
    published.clear()
    reminders = Reminders(school.service.repository, school.service.publisher, now=lambda: NOW)
    assert reminders.run() == 1
    assert reminders.run() == 0
    [notice] = [e.detail["notification"] for e in published]
    assert (notice["recipient"], notice["kind"]) == (person(1)[1], "school.reminder")
    assert notice["id"] == f"school:{soon}:{person(1)[1]}:reminder"
    assert "2026-12-07 09:00" in notice["body"]


def test_attendance_issues_certificates_that_verify_and_one_evaluation_each(
        school: Any, published: list[Any]) -> None:
    sid = scheduled(school)["id"]
    for n in range(4):
        enrol(school, sid, person(n))  # the fourth waits
    early = send(school, "POST", f"/v1/school/sessions/{sid}/attendance", ORGANISER,
                 {"attended": [person(0)[1]]})
    assert early["statusCode"] == 409
    school.service.now = lambda: datetime(2026, 12, 10, 7, 0, tzinfo=UTC)
    assert send(school, "POST", f"/v1/school/sessions/{sid}/attendance", ELSEWHERE,
                {"attended": [person(0)[1]]})["statusCode"] == 403
    published.clear()
    recorded = send(school, "POST", f"/v1/school/sessions/{sid}/attendance", ORGANISER,
                    {"attended": [person(0)[1], person(1)[1], person(3)[1], person(0)[1]]})
    assert recorded["statusCode"] == 200, recorded["json"]
    assert recorded["json"]["recorded"] == [person(0)[1], person(1)[1]]
    assert recorded["json"]["not_enrolled"] == [person(3)[1]]
    assert [w for _, w in notices(published)] == ["certified", "certified"]
    twice = send(school, "POST", f"/v1/school/sessions/{sid}/attendance", ORGANISER,
                 {"attended": [person(0)[1]]})
    assert twice["json"]["already"] == [person(0)[1]]

    envelope = send(school, "GET", f"/v1/school/sessions/{sid}/certificate", person(0))["json"]
    document = envelope["document"]
    assert document["number"] == f"XT-{sid}-0001"
    assert document["holder"] == person(0)[1]
    assert document["session"]["title"] == SESSION["title"]
    public_key = school.service.signer.public_key()["public_key_pem"]
    verify_envelope({"document": document, "signature": envelope["signature"]}, public_key)
    digest = hashlib.sha256(canonical_bytes(document)).hexdigest()
    assert envelope["digest"] == digest
    checked = send(school, "GET", f"/v1/school/certificates/{document['number']}/verify",
                   query={"digest": digest})["json"]
    assert (checked["verdict"], checked["matches"]) == ("authentic", True)
    assert checked["holder"] != person(0)[1]  # masked
    assert checked["holder"].endswith(person(0)[1][-4:])
    other = send(school, "GET", f"/v1/school/certificates/{document['number']}/verify",
                 query={"digest": "0" * 64})["json"]
    assert other["matches"] is False
    for bad in ("zz", "0" * 63):
        answer = send(school, "GET", f"/v1/school/certificates/{document['number']}/verify",
                      query={"digest": bad})
        assert (answer["statusCode"], answer["json"]["field"]) == (422, "digest")
    assert send(school, "GET", "/v1/school/certificates/XT-nope/verify")["statusCode"] == 404
    assert send(school, "GET", f"/v1/school/sessions/{sid}/certificate",
                person(2))["statusCode"] == 404

    evaluated = send(school, "POST", f"/v1/school/sessions/{sid}/evaluations", person(0),
                     {"score": 5, "comment": "讲解清楚，案例实用。"})
    assert evaluated["statusCode"] == 201, evaluated["json"]
    again = send(school, "POST", f"/v1/school/sessions/{sid}/evaluations", person(0),
                 {"score": 1})
    assert again["statusCode"] == 409
    assert send(school, "POST", f"/v1/school/sessions/{sid}/evaluations", person(1),
                {"score": 4})["json"]["average_score"] == "4.5"
    assert send(school, "POST", f"/v1/school/sessions/{sid}/evaluations", person(2),
                {"score": 4})["statusCode"] == 409  # enrolled, not recorded as attending
    view = send(school, "GET", f"/v1/school/sessions/{sid}")["json"]
    assert (view["evaluations"], view["average_score"]) == (2, "4.5")


@pytest.mark.parametrize(("changes", "field"), [
    ({"capacity": 0}, "capacity"),
    ({"capacity": 1001}, "capacity"),
    ({"capacity": "30"}, "capacity"),
    ({"audience": "everyone"}, "audience"),
    ({"starts_at": "2026-12-10T14:00:00"}, "starts_at"),  # no zone
    ({"starts_at": "2026-12-01T14:00:00+08:00"}, "starts_at"),  # past
    ({"ends_at": "2026-12-10T13:00:00+08:00"}, "ends_at"),
    ({"ends_at": "2026-12-11T14:00:00+08:00"}, "ends_at"),  # 24 hours
    ({"title": "增值税\u202e申报"}, "title"),
    ({"place": ""}, "place"),
    ({"surprise": 1}, "surprise"),
])
def test_a_bad_session_is_a_422_naming_the_field(school: Any, changes: dict[str, Any],
                                                 field: str) -> None:
    answer = send(school, "POST", "/v1/school/sessions", ORGANISER, {**SESSION, **changes},
                  key=f"bad-{field}-{len(str(changes))}")
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field


def test_who_schedules_and_bad_evaluations_and_attendance(school: Any) -> None:
    for who, status in ((COMPANY, 403), (PARTNER, 403), (None, 401)):
        assert send(school, "POST", "/v1/school/sessions", who, SESSION,
                    key=f"who-{status}-{who}")["statusCode"] == status
    sid = scheduled(school)["id"]
    scores: list[tuple[dict[str, Any], str]] = [({"score": 6}, "score"), ({"score": "5"}, "score"),
                                                ({}, "score")]
    for body, field in scores:
        answer = send(school, "POST", f"/v1/school/sessions/{sid}/evaluations", person(0), body)
        assert (answer["statusCode"], answer["json"]["field"]) == (422, field)
    lists: list[tuple[dict[str, Any], str]] = [({"attended": []}, "attended"),
                                               ({"attended": ["a b"]}, "attended[0]")]
    for body, field in lists:
        answer = send(school, "POST", f"/v1/school/sessions/{sid}/attendance", ORGANISER, body)
        assert (answer["statusCode"], answer["json"]["field"]) == (422, field)
    assert send(school, "GET", f"/v1/school/sessions/{sid}/enrolments",
                COMPANY)["statusCode"] == 403
    assert send(school, "GET", f"/v1/school/sessions/{sid}/enrolments",
                ELSEWHERE)["statusCode"] == 403
    assert send(school, "GET", f"/v1/school/sessions/{sid}/enrolments",
                ADMIN)["statusCode"] == 200
    listed = send(school, "GET", "/v1/school/sessions")["json"]["sessions"]
    assert [s["id"] for s in listed] == [sid]


def test_the_schedule_lists_sessions_soonest_first_and_not_those_over(school: Any) -> None:
    later = scheduled(school, starts_at="2026-12-20T09:00:00+08:00",
                      ends_at="2026-12-20T11:00:00+08:00")["id"]
    sooner = scheduled(school)["id"]
    assert [s["id"] for s in send(school, "GET", "/v1/school/sessions")["json"]["sessions"]] \
        == [sooner, later]
    school.service.now = lambda: NOW + timedelta(days=10)
    assert [s["id"] for s in send(school, "GET", "/v1/school/sessions")["json"]["sessions"]] \
        == [later]


class Counting:
    """The real client, counting the calls made through it by operation."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        operation = getattr(self.real, name)
        if not callable(operation) or name.startswith("_") or name == "exceptions":
            return operation

        def counted(*args: Any, **kwargs: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            return operation(*args, **kwargs)
        return counted


def test_one_s_places_come_a_page_at_a_time_each_page_s_sessions_read_at_once(
        school: Any) -> None:
    """GET /v1/me/school gives the next page's cursor (before, a person with more places
    than a page never saw the rest), and reads the page's sessions in one batch, not one
    read a place."""
    ids = []
    for n in range(22):
        day = f"2026-12-{10 + n:02d}"
        session = scheduled(school, title=f"纳税申报实务第{n + 1}讲",
                            starts_at=f"{day}T14:00:00+08:00", ends_at=f"{day}T16:00:00+08:00")
        assert enrol(school, session["id"], person(1))["statusCode"] == 201
        ids.append(session["id"])
    repository = school.service.repository
    counting = Counting(repository.db)
    repository._db = counting
    first = send(school, "GET", "/v1/me/school", person(1))["json"]
    repository._db = counting.real
    assert len(first["places"]) == 20
    assert first["cursor"]
    assert counting.calls.get("get_item", 0) == 0
    assert counting.calls["batch_get_item"] == 1
    rest = send(school, "GET", "/v1/me/school", person(1), query={"cursor": first["cursor"]})
    assert len(rest["json"]["places"]) == 2
    assert rest["json"]["cursor"] is None
    seen = [p["session_id"] for p in first["places"] + rest["json"]["places"]]
    assert sorted(seen) == sorted(ids)
    assert all(p["session"]["title"].startswith("纳税申报实务") for p in first["places"])
