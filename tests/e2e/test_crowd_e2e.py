"""Crowd help (A1) on the local stack: ask, answer, vote and accept, reputation moving by the
documented rules; a like question suggested before posting; a vote on one's own answer and the
same vote twice refused naming the field; an officer verifies an answer and an article draft
appears; bad input answers 4xx naming the field."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from etax.crowd import reputation
from etax.rules import uscc
from tests.e2e.test_acceptance_e2e import person_id
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

RUN = uuid.uuid4().hex[:6]  # each run's people start afresh (reputation is per person)
ASKER = uscc.complete("91350100MA2R7C" + str(int(RUN, 16) % 1000).zfill(3))
ANSWERER, VOTER = person_id(700 + int(RUN, 16) % 100), person_id(800 + int(RUN, 16) % 100)
TITLE = f"个人所得税年度汇算的截止日期是哪天（端到端{RUN}）？"


def post(api: str, path: str, who: dict[str, str], body: Any,
         key: str | None = None) -> requests.Response:
    return requests.post(f"{api}{path}", json=body, timeout=60,
                         headers={**who, "Idempotency-Key": key or str(uuid.uuid4())})


def reputation_of(api: str, who: dict[str, str]) -> int:
    answer = requests.get(f"{api}/v1/crowd/me", headers=who, timeout=60)
    assert answer.status_code == 200, answer.text
    points: int = answer.json()["reputation"]
    return points


@pytest.fixture(scope="module")
def people(api: str) -> dict[str, dict[str, str]]:
    return {"asker": bearer(token(api, "taxpayer", ASKER)),
            "answerer": bearer(token(api, "taxpayer", ANSWERER)),
            "voter": bearer(token(api, "taxpayer", VOTER)),
            "officer": bearer(token(api, "officer", "officer-fz-0001", "13501000000"))}


def test_ask_answer_vote_accept_verify(api: str, people: dict[str, dict[str, str]]) -> None:
    asker, answerer, voter = people["asker"], people["answerer"], people["voter"]
    asked = post(api, "/v1/crowd/questions", asker, {
        "title": TITLE, "body": "工薪族，想知道最晚哪天之前要办完。", "topic": "iit",
        "tags": ["年度汇算"], "post_anyway": True})
    assert asked.status_code == 201, asked.text
    qid = asked.json()["question"]["id"]

    like = post(api, "/v1/crowd/questions", voter, {
        "title": f"个税年度汇算截止日期是哪一天（端到端{RUN}）", "body": "同问。", "topic": "iit"})
    assert like.status_code == 200, like.text
    assert like.json()["posted"] is False
    assert qid in [s["id"] for s in like.json()["suggestions"]]

    answered = post(api, f"/v1/crowd/questions/{qid}/answers", answerer,
                    {"body": "每年3月1日至6月30日办理上一年度的汇算。"})
    assert answered.status_code == 201, answered.text
    aid = answered.json()["id"]
    start = reputation_of(api, answerer)
    asker_start = reputation_of(api, asker)

    key = str(uuid.uuid4())
    up = post(api, f"/v1/crowd/answers/{aid}/votes", voter, {"value": 1}, key)
    assert up.status_code == 200, up.text
    assert post(api, f"/v1/crowd/answers/{aid}/votes", voter, {"value": 1}, key).json() == \
        up.json()  # a replay: the first answer, counted once
    assert reputation_of(api, answerer) == start + reputation.VOTES[("answer", 1)].author

    twice = post(api, f"/v1/crowd/answers/{aid}/votes", voter, {"value": 1})
    assert twice.status_code == 409, twice.text
    assert twice.json()["field"] == "value"
    own = post(api, f"/v1/crowd/answers/{aid}/votes", answerer, {"value": 1})
    assert own.status_code == 403, own.text
    assert own.json()["field"] == "answer_id"

    accepted = post(api, f"/v1/crowd/questions/{qid}/accept", asker, {"answer_id": aid})
    assert accepted.status_code == 200, accepted.text
    assert reputation_of(api, answerer) == start + 10 + reputation.ACCEPTED
    assert reputation_of(api, asker) == asker_start + reputation.ACCEPTER

    shown = requests.get(f"{api}/v1/crowd/questions/{qid}", timeout=60).json()
    assert shown["accepted_answer"] == aid
    assert shown["answers"][0]["score"] == 1
    assert ANSWERER not in str(shown)
    assert ASKER not in str(shown)

    verified = post(api, f"/v1/crowd/answers/{aid}/verify", people["officer"], {})
    assert verified.status_code == 200, verified.text
    drafts = requests.get(f"{api}/v1/crowd/article-drafts", headers=people["officer"],
                          timeout=60).json()["items"]
    [draft] = [d for d in drafts if d["id"] == verified.json()["draft_id"]]
    assert draft["state"] == "draft"
    assert draft["question"] == TITLE
    assert draft["source_answer"] == aid


@pytest.mark.parametrize(("body", "field"), [
    ({"title": "", "body": "正文", "topic": "iit"}, "title"),
    ({"title": "问题", "body": "税" * 5001, "topic": "iit"}, "body"),
    ({"title": "问题" * 61, "body": "正文", "topic": "iit"}, "title"),
    ({"title": "问题", "body": "正文", "topic": "weather"}, "topic"),
])
def test_bad_questions_name_the_field(api: str, people: dict[str, dict[str, str]],
                                      body: dict[str, Any], field: str) -> None:
    refused = post(api, "/v1/crowd/questions", people["voter"], body)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == field


def test_an_unknown_answer_is_404_naming_the_field(api: str,
                                                   people: dict[str, dict[str, str]]) -> None:
    refused = post(api, "/v1/crowd/answers/q000000000000-a00000000/votes", people["voter"],
                   {"value": 1})
    assert refused.status_code == 404, refused.text
    assert refused.json()["field"] == "answer_id"
