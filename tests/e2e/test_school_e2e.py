"""The tax school (E17) on the local stack: a hundred people enrol at once in a session of
thirty seats — exactly thirty seated, seventy waiting in order —; one seated person cancels and
the first in line takes the seat and is told in the inbox; the hourly run reminds the seated;
in a session that has started, an officer records attendance, the completion certificate is
verified online and offline (a tampered copy refused), and an attendee evaluates it once; in
the portal, a person joins a full session's waiting list and gives the place up."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from etax.rules import resident_id
from tests.e2e.test_notifications_e2e import entries_with
from tests.e2e.test_platform_e2e import bearer, token
from tests.e2e.test_portal_e2e import axe_violations, browser, phone, shot, sign_in
from tests.e2e.test_supply_e2e import wait_for

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]
__all__ = ["browser", "phone"]  # fixtures used here

ROOT = Path(__file__).resolve().parents[2]
FUZHOU = "13501000000"
OFFICER = ("officer", "officer-fz-0001", FUZHOU)


def person(n: int) -> str:
    """A natural person's valid resident ID (born 1993-01-01)."""
    first17 = f"35010219930101{n:03d}"
    return first17 + resident_id.check_character(first17)


def schedule(api: str, starts: datetime, capacity: int, title: str) -> dict[str, Any]:
    answer = requests.post(f"{api}/v1/school/sessions", timeout=60, json={
        "title": title, "course": "增值税基础", "audience": "taxpayers",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=2)).isoformat(),
        "place": "福州市税务局纳税人学堂 201 室", "capacity": capacity},
        headers={**bearer(token(api, *OFFICER)), "Idempotency-Key": str(uuid.uuid4())})
    assert answer.status_code == 201, answer.text
    session: dict[str, Any] = answer.json()
    return session


def enrol(api: str, session_id: str, who: dict[str, str]) -> requests.Response:
    return requests.post(f"{api}/v1/school/sessions/{session_id}/enrolments", headers=who,
                         timeout=120)


def test_a_hundred_enrol_at_once_thirty_are_seated_and_a_cancellation_promotes_in_order(
        api: str, stack: dict[str, Any], aws: Any) -> None:
    session = schedule(api, datetime.now(UTC) + timedelta(hours=3), 30, "小规模纳税人申报实务")
    sid = session["id"]
    with ThreadPoolExecutor(max_workers=20) as pool:
        people = list(pool.map(lambda n: bearer(token(api, "taxpayer", person(n))), range(100)))
        answers = list(pool.map(lambda who: enrol(api, sid, who), people))
    assert [a.status_code for a in answers] == [201] * 100, [
        a.text for a in answers if a.status_code != 201][:3]
    places = [a.json() for a in answers]
    assert sum(p["status"] == "enrolled" for p in places) == 30
    assert sum(p["status"] == "waiting" for p in places) == 70
    view = requests.get(f"{api}/v1/school/sessions/{sid}", timeout=30).json()
    assert (view["seats_taken"], view["seats_left"], view["waiting"]) == (30, 0, 70)

    officer = bearer(token(api, *OFFICER))
    roll = requests.get(f"{api}/v1/school/sessions/{sid}/enrolments", headers=officer,
                        timeout=60).json()
    assert len(roll["enrolled"]) == 30
    assert [w["position"] for w in roll["waiting"]] == list(range(1, 71))
    line = [w["subject"] for w in roll["waiting"]]
    # each waiting person sees the place the roll gives them
    for n in (0, 34, 69):
        who = bearer(token(api, "taxpayer", line[n]))
        [mine] = [p for p in requests.get(f"{api}/v1/me/school", headers=who,
                                          timeout=60).json()["places"] if p["session_id"] == sid]
        assert (mine["status"], mine["position"]) == ("waiting", n + 1)
    again = enrol(api, sid, people[0])
    assert again.status_code == 409
    assert again.json()["field"] == "session_id"

    # a seated person gives the seat up: the first in line takes it and is told
    leaving = roll["enrolled"][5]["subject"]
    gone = requests.delete(f"{api}/v1/school/sessions/{sid}/enrolments/me", timeout=60,
                           headers=bearer(token(api, "taxpayer", leaving)))
    assert gone.status_code == 200, gone.text
    assert gone.json()["status"] == "cancelled"
    first = bearer(token(api, "taxpayer", line[0]))
    [promoted] = [p for p in requests.get(f"{api}/v1/me/school", headers=first,
                                          timeout=60).json()["places"] if p["session_id"] == sid]
    assert promoted["status"] == "enrolled"
    second = bearer(token(api, "taxpayer", line[1]))
    [moved_up] = [p for p in requests.get(f"{api}/v1/me/school", headers=second,
                                          timeout=60).json()["places"] if p["session_id"] == sid]
    assert moved_up["position"] == 1
    view = requests.get(f"{api}/v1/school/sessions/{sid}", timeout=30).json()
    assert (view["seats_taken"], view["waiting"]) == (30, 69)
    told = wait_for("the promotion in the inbox", lambda: entries_with(
        api, first, f"school:{sid}:{line[0]}:promoted") or None)
    assert "候补" in told[0]["title"]

    # another taxpayer cannot give up someone's place: "me" is the caller's own
    stranger = bearer(token(api, "taxpayer", person(500)))
    assert requests.delete(f"{api}/v1/school/sessions/{sid}/enrolments/me", headers=stranger,
                           timeout=60).status_code == 404
    assert requests.get(f"{api}/v1/school/sessions/{sid}/enrolments", headers=first,
                        timeout=60).status_code == 403

    # the hourly run: a session three hours ahead is within the day, the seated reminded once
    invoked = aws("lambda").invoke(FunctionName=stack["SchoolRemindersFunctionName"],
                                   Payload=b"{}")
    assert "FunctionError" not in invoked, invoked["Payload"].read()
    assert json.loads(invoked["Payload"].read())["reminded"] >= 30
    wait_for("a reminder in the inbox", lambda: entries_with(
        api, first, f"school:{sid}:{line[0]}:reminder") or None)
    again_run = aws("lambda").invoke(FunctionName=stack["SchoolRemindersFunctionName"],
                                     Payload=b"{}")
    assert json.loads(again_run["Payload"].read())["reminded"] == 0  # once a person


def run_verify(path: Path, keys: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "verify_document.py"),
                           str(path), "--keys", str(keys)], capture_output=True, text=True,
                          check=False)


def test_attendance_gives_a_certificate_that_verifies_and_one_evaluation(
        api: str, tmp_path: Path) -> None:
    starts = datetime.now(UTC) + timedelta(seconds=20)
    sid = schedule(api, starts, 5, "发票开具与查验实务")["id"]
    attendee, absent = person(200), person(201)
    for subject in (attendee, absent):
        assert enrol(api, sid, bearer(token(api, "taxpayer", subject))).status_code == 201
    officer = bearer(token(api, *OFFICER))
    early = requests.post(f"{api}/v1/school/sessions/{sid}/attendance", headers=officer,
                          json={"attended": [attendee]}, timeout=60)
    assert early.status_code == 409
    time.sleep(max(0.0, (starts - datetime.now(UTC)).total_seconds()) + 1)
    late = enrol(api, sid, bearer(token(api, "taxpayer", person(202))))
    assert late.status_code == 409
    recorded = requests.post(f"{api}/v1/school/sessions/{sid}/attendance", headers=officer,
                             json={"attended": [attendee, person(203)]}, timeout=60)
    assert recorded.status_code == 200, recorded.text
    assert recorded.json()["recorded"] == [attendee]
    assert recorded.json()["not_enrolled"] == [person(203)]

    who = bearer(token(api, "taxpayer", attendee))
    envelope = requests.get(f"{api}/v1/school/sessions/{sid}/certificate", headers=who,
                            timeout=60).json()
    number = envelope["document"]["number"]
    online = requests.get(f"{api}/v1/school/certificates/{number}/verify", timeout=60,
                          params={"digest": envelope["digest"]}).json()
    assert (online["verdict"], online["matches"]) == ("authentic", True)
    assert attendee not in json.dumps(online)  # the holder is masked in public
    (tmp_path / "certificate.json").write_text(json.dumps(
        {"document": envelope["document"], "signature": envelope["signature"]},
        ensure_ascii=False))
    (tmp_path / "keys.json").write_text(requests.get(f"{api}/v1/keys", timeout=30).text)
    checked = run_verify(tmp_path / "certificate.json", tmp_path / "keys.json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tampered = {"document": {**envelope["document"], "holder": absent},
                "signature": envelope["signature"]}
    (tmp_path / "tampered.json").write_text(json.dumps(tampered, ensure_ascii=False))
    assert run_verify(tmp_path / "tampered.json", tmp_path / "keys.json").returncode == 1
    assert requests.get(f"{api}/v1/school/sessions/{sid}/certificate", timeout=60,
                        headers=bearer(token(api, "taxpayer", absent))).status_code == 404

    evaluated = requests.post(f"{api}/v1/school/sessions/{sid}/evaluations", headers=who,
                              json={"score": 5, "comment": "案例贴近实际。"}, timeout=60)
    assert evaluated.status_code == 201, evaluated.text
    twice = requests.post(f"{api}/v1/school/sessions/{sid}/evaluations", headers=who,
                          json={"score": 1}, timeout=60)
    assert twice.status_code == 409
    not_there = requests.post(f"{api}/v1/school/sessions/{sid}/evaluations", timeout=60,
                              headers=bearer(token(api, "taxpayer", absent)),
                              json={"score": 1})
    assert not_there.status_code == 409
    view = requests.get(f"{api}/v1/school/sessions/{sid}", timeout=30).json()
    assert (view["evaluations"], view["average_score"], view["enrolment_open"]) == (
        1, "5.0", False)


def test_a_person_enrols_and_gives_the_place_up_in_the_portal(
        api: str, stack: dict[str, Any], phone: Page) -> None:
    title = f"个人所得税年度汇算实务（{uuid.uuid4().hex[:6]}）"
    session = schedule(api, datetime.now(UTC) + timedelta(days=2), 1, title)
    taken = enrol(api, session["id"], bearer(token(api, "taxpayer", person(300))))
    assert taken.json()["status"] == "enrolled"  # the one seat: the portal's person waits
    sign_in(phone, stack, person(301), "school")
    entry = phone.locator("#school-items li", has_text=title)
    expect(entry).to_contain_text("余位 0/1")
    entry.get_by_role("button", name=f"报名：{title}").click()
    expect(phone.locator("#school-status")).to_have_text("候补第 1 位", timeout=30_000)
    mine = phone.locator("#school-mine-items li", has_text=title)
    expect(mine).to_contain_text("候补第 1 位")
    assert axe_violations(phone) == []
    shot(phone, "school")
    mine.get_by_role("button", name=f"取消报名：{title}").click()
    expect(phone.locator("#school-status")).to_have_text("已取消", timeout=30_000)
    view = requests.get(f"{api}/v1/school/sessions/{session['id']}", timeout=30).json()
    assert (view["seats_taken"], view["waiting"]) == (1, 0)
