"""Ratings of service and surveys (D12) on the local stack: an application decided by its
office becomes, through the bus, one invitation of its applicant, with a notice in the inbox;
the applicant rates it once (a second rating 409 naming ``invitation``, another taxpayer 404)
and the public results count it; a survey published by an officer is answered once (a second
response 409 naming ``survey``) and its results are the office's while it is open."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from tests.e2e.test_acceptance_e2e import PDF, add_document, confirm, person_id, post_form
from tests.e2e.test_lottery_e2e import wait_for
from tests.e2e.test_notifications_e2e import entries_with
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

SELLER = "91350100M000100Y43"          # demo data: Fuzhou tax office
RETAILER = "91350100MA2Y8KXX1B"        # demo data: another taxpayer of the same office
FUZHOU = "13501000000"
RUN = uuid.uuid4().hex[:6]
PERSON = person_id(700 + int(RUN, 16) % 100)
SURVEY = {"title": f"办税服务满意度调查（端到端{RUN}）", "closes_on": "2099-12-31", "questions": [
    {"id": "channel", "kind": "single", "prompt": "您最常用的办税渠道",
     "options": ["电子税务局", "办税服务厅"]},
    {"id": "overall", "kind": "scale", "prompt": "总体满意度", "min": 1, "max": 5},
    {"id": "advice", "kind": "text", "prompt": "您的建议"}]}


def post(api: str, path: str, who: dict[str, str], body: Any) -> requests.Response:
    return requests.post(f"{api}{path}", json=body, timeout=60,
                         headers={**who, "Idempotency-Key": str(uuid.uuid4())})


@pytest.fixture(scope="module")
def people(api: str) -> dict[str, dict[str, str]]:
    return {"seller": bearer(token(api, "taxpayer", SELLER)),
            "retailer": bearer(token(api, "taxpayer", RETAILER)),
            "person": bearer(token(api, "taxpayer", PERSON)),
            "fuzhou": bearer(token(api, "officer", "officer-fz-0001", FUZHOU))}


def decided_application(api: str, seller: dict[str, str], officer: dict[str, str]) -> str:
    created = post(api, "/v1/applications", seller, {"item": "property_tax_hardship_relief"})
    assert created.status_code == 201, created.text
    application_id: str = created.json()["id"]
    auth = seller["Authorization"].removeprefix("Bearer ")
    for kind in ("hardship_statement", "property_certificate"):
        document = add_document(api, auth, application_id, kind)
        assert post_form(document["upload"], PDF, f"{kind}.pdf").status_code in (200, 201, 204)
        assert confirm(api, auth, application_id,
                       document["document"]["id"]).json()["status"] == "confirmed"
    path = f"{api}/v1/applications/{application_id}"
    assert requests.post(f"{path}/submit", headers=seller, timeout=60).status_code == 200
    decided = requests.post(f"{path}/decision", headers=officer, timeout=60,
                            json={"decision": "approve"})
    assert decided.status_code == 200, decided.text
    return application_id


def test_a_decided_application_is_rated_once_and_counted(
        api: str, people: dict[str, dict[str, str]]) -> None:
    application_id = decided_application(api, people["seller"], people["fuzhou"])

    def invitation() -> dict[str, Any] | None:
        mine = requests.get(f"{api}/v1/me/feedback", headers=people["seller"], timeout=60)
        assert mine.status_code == 200, mine.text
        return next((i for i in mine.json()["invitations"]
                     if i["service_id"] == application_id),
                    None)

    invited = wait_for("the rating invitation", invitation)
    assert (invited["service"], invited["office"], invited["state"]) == (
        "application", FUZHOU, "pending")
    wait_for("the invitation's notice in the inbox",
             lambda: entries_with(api, people["seller"],
                                  f"feedback-invited:{invited['id']}") or None)

    foreign = post(api, "/v1/feedback/ratings", people["retailer"],
                   {"invitation": invited["id"], "score": 1})
    assert (foreign.status_code, foreign.json()["field"]) == (404, "invitation")
    rated = post(api, "/v1/feedback/ratings", people["seller"],
                 {"invitation": invited["id"], "score": 4, "comment": "审批及时"})
    assert rated.status_code == 201, rated.text
    twice = post(api, "/v1/feedback/ratings", people["seller"],
                 {"invitation": invited["id"], "score": 5})
    assert (twice.status_code, twice.json()["field"]) == (409, "invitation")
    assert SELLER not in twice.text
    after = invitation()
    assert after is not None
    assert (after["state"], after["score"]) == ("answered", 4)

    results = requests.get(f"{api}/v1/feedback/results", timeout=60, params={
        "office": FUZHOU, "service": "application", "month": rated.json()["month"]})
    assert results.status_code == 200, results.text
    [row] = results.json()["items"]
    assert row["count"] >= 1
    assert ("mean" in row) == (row["count"] >= 5)


def test_a_survey_is_answered_once(api: str, people: dict[str, dict[str, str]]) -> None:
    published = post(api, "/v1/surveys", people["fuzhou"], SURVEY)
    assert published.status_code == 201, published.text
    survey = published.json()["id"]
    listed = requests.get(f"{api}/v1/me/feedback", headers=people["person"], timeout=60).json()
    assert survey in [s["id"] for s in listed["surveys"]]

    bad = post(api, f"/v1/surveys/{survey}/responses", people["person"],
               {"answers": {"channel": "信函", "overall": 4}})
    assert (bad.status_code, bad.json()["field"]) == (422, "answers.channel")
    answers = {"channel": "电子税务局", "overall": 4, "advice": "希望增加周末服务"}
    answered = post(api, f"/v1/surveys/{survey}/responses", people["person"], {"answers": answers})
    assert answered.status_code == 201, answered.text
    again = post(api, f"/v1/surveys/{survey}/responses", people["person"], {"answers": answers})
    assert (again.status_code, again.json()["field"]) == (409, "survey")

    office = requests.get(f"{api}/v1/surveys/{survey}", headers=people["fuzhou"],
                          timeout=60).json()["results"]
    assert office["responses"] == 1
    assert office["questions"][0]["options"][0] == {"option": "电子税务局", "count": 1}
    assert office["questions"][1]["mean"] == "4.00"
    assert office["texts"]["items"] == [{"question": "advice", "text": "希望增加周末服务"}]
    assert PERSON not in str(office)
    own = requests.get(f"{api}/v1/surveys/{survey}", headers=people["person"], timeout=60)
    assert own.status_code == 200
    assert "results" not in own.json()  # open: the results are the office's until it closes
