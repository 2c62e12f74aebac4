"""Crowd help (A1) over moto: ask (a duplicate suggested first, posted on confirmation),
answer, vote (reputation moves by the rules in the vote's transaction; one vote per person per
post; never on one's own; a replay counts once), accept, read publicly; officers pin, hide
(served no more, kept with who and why) and verify (an article draft appears); the day limits
answer 429 with Retry-After; bad input names the field; no identifier in any answer."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from etax.crowd import reputation
from tests.functional.conftest import call, load_handler
from tests.functional.test_invoices import request

ASKER = ("taxpayer", "91350100M000100Y43")
ANSWERER = ("taxpayer", "350102199003071234")
VOTER = ("taxpayer", "350102198512120021")
OFFICER = ("officer", "officer-fz-0001", "13501000000")
QUESTION = {"title": "个人所得税年度汇算的截止日期是哪天？",
            "body": "我是工薪族，今年需要办理年度汇算，想知道最晚哪天之前要办完。",
            "topic": "iit", "tags": ["年度汇算"],
            "post_anyway": True}  # posted whatever the knowledge base already answers


@pytest.fixture
def api(aws: None) -> Any:
    return load_handler("crowd")


def post(module: Any, path: str, who: tuple[str, ...], body: Any, key: str,
         resource: str, params: dict[str, str] | None = None) -> dict[str, Any]:
    return call(module, request("POST", path, body=body, who=who, key=key, resource=resource,
                                params=params))


def get(module: Any, path: str, who: tuple[str, ...] | None = None, resource: str | None = None,
        params: dict[str, str] | None = None,
        query: dict[str, str] | None = None) -> dict[str, Any]:
    event = request("GET", path, who=who, resource=resource, params=params)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} \
        if query else None
    return call(module, event)


def ask(module: Any, body: dict[str, Any] | None = None, who: tuple[str, ...] = ASKER,
        key: str = "k-ask") -> dict[str, Any]:
    return post(module, "/v1/crowd/questions", who, body or QUESTION, key,
                "/v1/crowd/questions")


def answer(module: Any, qid: str, body: str = "每年3月1日至6月30日办理上一年度的汇算。",
           who: tuple[str, ...] = ANSWERER, key: str = "k-answer") -> dict[str, Any]:
    return post(module, f"/v1/crowd/questions/{qid}/answers", who, {"body": body}, key,
                "/v1/crowd/questions/{question_id}/answers", {"question_id": qid})


def vote(module: Any, post_id: str, value: int, who: tuple[str, ...] = VOTER,
         key: str | None = None) -> dict[str, Any]:
    kind = "answers" if "-" in post_id else "questions"
    name = "answer_id" if kind == "answers" else "question_id"
    return post(module, f"/v1/crowd/{kind}/{post_id}/votes", who, {"value": value},
                key or f"k-vote-{post_id}-{value}-{who[1]}",
                f"/v1/crowd/{kind}/{{{name}}}/votes", {name: post_id})


def accept(module: Any, qid: str, aid: str, who: tuple[str, ...] = ASKER) -> dict[str, Any]:
    return post(module, f"/v1/crowd/questions/{qid}/accept", who, {"answer_id": aid},
                f"k-accept-{aid}-{who[1]}", "/v1/crowd/questions/{question_id}/accept",
                {"question_id": qid})


def officer(module: Any, path: str, resource: str, params: dict[str, str],
            body: Any = None, key: str = "k-officer") -> dict[str, Any]:
    return post(module, path, OFFICER, body if body is not None else {}, key, resource, params)


def me(module: Any, who: tuple[str, ...]) -> dict[str, Any]:
    answer = get(module, "/v1/crowd/me", who)
    assert answer["statusCode"] == 200, answer["json"]
    shown: dict[str, Any] = answer["json"]
    return shown


def read(module: Any, qid: str) -> dict[str, Any]:
    return get(module, f"/v1/crowd/questions/{qid}", resource="/v1/crowd/questions/{question_id}",
               params={"question_id": qid})


def thread(module: Any) -> tuple[str, str]:
    asked = ask(module)
    assert asked["statusCode"] == 201, asked["json"]
    qid = asked["json"]["question"]["id"]
    answered = answer(module, qid)
    assert answered["statusCode"] == 201, answered["json"]
    return qid, answered["json"]["id"]


def test_ask_answer_vote_accept_and_reputation_moves_by_the_rules(api: Any) -> None:
    qid, aid = thread(api)
    assert me(api, ANSWERER)["reputation"] == reputation.START
    assert vote(api, aid, 1)["json"]["author_reputation"] == 1 + 10
    assert vote(api, qid, 1)["statusCode"] == 200
    assert me(api, ASKER)["reputation"] == 1 + 5
    accepted = accept(api, qid, aid)
    assert accepted["statusCode"] == 200, accepted["json"]
    assert me(api, ANSWERER)["reputation"] == 1 + 10 + 15
    assert me(api, ASKER)["reputation"] == 1 + 5 + 2
    shown = read(api, qid)["json"]
    assert shown["accepted_answer"] == aid
    assert shown["score"] == 1
    assert shown["answers"][0]["accepted"]
    assert shown["answers"][0]["score"] == 1
    assert shown["answers"][0]["author"]["reputation"] == 26
    # changing a vote takes back what it granted and applies the new one (−2 to the author,
    # −1 to the voter on an answer)
    changed = vote(api, aid, -1)
    assert changed["statusCode"] == 200, changed["json"]
    assert me(api, ANSWERER)["reputation"] == 1 + 15 - 2
    assert me(api, VOTER)["reputation"] == 1  # the floor: 1 − 1 stays 1
    second = accept(api, qid, aid)
    assert second["statusCode"] == 200  # the same key: the first answer again
    other = post(api, f"/v1/crowd/questions/{qid}/accept", ASKER, {"answer_id": aid}, "k-2",
                 "/v1/crowd/questions/{question_id}/accept", {"question_id": qid})
    assert other["statusCode"] == 409
    assert other["json"]["field"] == "answer_id"


def test_a_vote_on_ones_own_post_and_the_same_vote_twice_are_refused(api: Any) -> None:
    qid, aid = thread(api)
    own = vote(api, aid, 1, who=ANSWERER)
    assert own["statusCode"] == 403
    assert own["json"]["field"] == "answer_id"
    own_question = vote(api, qid, 1, who=ASKER)
    assert own_question["statusCode"] == 403
    assert own_question["json"]["field"] == "question_id"
    assert vote(api, aid, 1)["statusCode"] == 200
    replay = vote(api, aid, 1)  # the same Idempotency-Key: answered once, counted once
    assert replay["statusCode"] == 200
    twice = vote(api, aid, 1, key="k-another")
    assert twice["statusCode"] == 409
    assert twice["json"]["field"] == "value"
    assert me(api, ANSWERER)["reputation"] == 11
    bad = vote(api, aid, 2, key="k-bad")
    assert bad["statusCode"] == 422
    assert bad["json"]["field"] == "value"


def test_a_duplicate_is_suggested_and_posted_only_on_confirmation(api: Any) -> None:
    qid, _ = thread(api)
    again = {**QUESTION, "title": "个税年度汇算截止日期是哪一天", "post_anyway": False}
    suggested = ask(api, again, who=VOTER, key="k-dup")
    assert suggested["statusCode"] == 200, suggested["json"]
    assert suggested["json"]["posted"] is False
    assert "question" not in suggested["json"]
    questions = [s["id"] for s in suggested["json"]["suggestions"] if s["kind"] == "question"]
    assert questions == [qid]
    articles = [s["id"] for s in suggested["json"]["suggestions"] if s["kind"] == "article"]
    assert any(a.startswith("iit-reconciliation") for a in articles)  # the knowledge base's
    posted = ask(api, {**again, "post_anyway": True}, who=VOTER, key="k-dup-2")
    assert posted["statusCode"] == 201
    assert posted["json"]["posted"] is True
    assert qid in [s["id"] for s in posted["json"]["suggestions"]]
    unlike = ask(api, {**again, "title": "车船税在哪里缴纳", "topic": "vehicle_vessel"},
                 who=VOTER, key="k-unlike")
    assert unlike["json"]["posted"] is False  # no question like it, but an article answers it
    assert [s["kind"] for s in unlike["json"]["suggestions"]] == ["article"] * len(
        unlike["json"]["suggestions"])


def test_officers_pin_hide_and_verify_into_an_article_draft(api: Any) -> None:
    qid, aid = thread(api)
    other = ask(api, {**QUESTION, "title": "小规模纳税人增值税免征额是多少", "topic": "vat"},
                key="k-other")["json"]["question"]["id"]
    pinned = officer(api, f"/v1/crowd/questions/{other}/pin",
                     "/v1/crowd/questions/{question_id}/pin", {"question_id": other},
                     {"pinned": True}, "k-pin")
    assert pinned["statusCode"] == 200, pinned["json"]
    listed = get(api, "/v1/crowd/questions")["json"]["items"]
    assert [q["id"] for q in listed] == [other, qid]
    assert listed[0]["pinned"]
    assert [q["id"] for q in get(api, "/v1/crowd/questions", query={"topic": "iit"})
            ["json"]["items"]] == [qid]

    verified = officer(api, f"/v1/crowd/answers/{aid}/verify",
                       "/v1/crowd/answers/{answer_id}/verify", {"answer_id": aid})
    assert verified["statusCode"] == 200, verified["json"]
    drafts = get(api, "/v1/crowd/article-drafts", OFFICER)
    [draft] = drafts["json"]["items"]
    assert draft["id"] == verified["json"]["draft_id"]
    assert draft["state"] == "draft"
    assert draft["question"] == QUESTION["title"]
    assert draft["topic"] == "iit"
    assert draft["source_answer"] == aid
    assert draft["citations"] == []
    assert read(api, qid)["json"]["answers"][0]["officer_verified"] is True
    again = officer(api, f"/v1/crowd/answers/{aid}/verify",
                    "/v1/crowd/answers/{answer_id}/verify", {"answer_id": aid}, key="k-v2")
    assert again["statusCode"] == 409
    assert again["json"]["field"] == "answer_id"

    hidden = officer(api, f"/v1/crowd/answers/{aid}/hide", "/v1/crowd/answers/{answer_id}/hide",
                     {"answer_id": aid}, {"reason": "含个人信息"}, "k-hide-a")
    assert hidden["statusCode"] == 200, hidden["json"]
    assert read(api, qid)["json"]["answers"] == []
    assert vote(api, aid, 1)["statusCode"] == 404
    gone = officer(api, f"/v1/crowd/questions/{qid}/hide",
                   "/v1/crowd/questions/{question_id}/hide", {"question_id": qid},
                   {"reason": "重复提问"}, "k-hide-q")
    assert gone["statusCode"] == 200
    assert read(api, qid)["statusCode"] == 404
    assert [q["id"] for q in get(api, "/v1/crowd/questions")["json"]["items"]] == [other]
    # still stored, with who and why, and in the moderation log
    item = boto3.client("dynamodb").get_item(TableName="crowd", Key={
        "pk": {"S": f"thread#{qid}"}, "sk": {"S": "question"}})["Item"]
    assert item["hidden_by"]["S"] == "officer-fz-0001"
    assert item["hidden_reason"]["S"] == "重复提问"
    log = get(api, "/v1/crowd/moderation", OFFICER)["json"]["items"]
    assert [e["action"] for e in log] == ["hide", "hide", "verify", "pin"]
    assert log[0]["reason"] == "重复提问"
    refused = get(api, "/v1/crowd/article-drafts", ASKER)
    assert refused["statusCode"] == 403


def test_the_day_limits_answer_429_with_retry_after(api: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CROWD_QUESTIONS_PER_DAY", "2")
    module = load_handler("crowd")
    topics = ["vehicle_vessel", "lottery", "blacklist"]
    titles = ["车船税在哪里缴纳", "发票抽奖怎么参加", "失信名单怎么查询"]
    answers = [ask(module, {**QUESTION, "title": t, "topic": p}, key=f"k-{i}")
               for i, (t, p) in enumerate(zip(titles, topics, strict=True))]
    assert [a["statusCode"] for a in answers] == [201, 201, 429]
    assert int(answers[2]["headers"]["Retry-After"]) > 0


@pytest.mark.parametrize(("body", "field"), [
    ({**QUESTION, "title": ""}, "title"),
    ({**QUESTION, "title": "   "}, "title"),
    ({**QUESTION, "title": "税" * 121}, "title"),
    ({**QUESTION, "body": "税" * 5001}, "body"),
    ({**QUESTION, "body": ""}, "body"),
    ({**QUESTION, "topic": "weather"}, "topic"),
    ({**QUESTION, "tags": ["a"] * 6}, "tags"),
    ({**QUESTION, "title": "退税\u202e进度"}, "title"),
])
def test_bad_questions_name_the_field(api: Any, body: dict[str, Any], field: str) -> None:
    refused = ask(api, body)
    assert refused["statusCode"] == 422, refused["json"]
    assert refused["json"]["field"] == field


def test_unknown_posts_and_bad_ids_are_404_naming_the_field(api: Any) -> None:
    assert read(api, "q000000000000")["json"]["field"] == "question_id"
    assert read(api, "nonsense")["statusCode"] == 404
    missing = vote(api, "q000000000000-a00000000", 1)
    assert missing["statusCode"] == 404
    assert missing["json"]["field"] == "answer_id"
    bad = get(api, "/v1/crowd/questions", query={"cursor": "xyz"})
    assert bad["statusCode"] == 400
    assert bad["json"]["field"] == "cursor"


def test_no_identifier_in_any_answer(api: Any) -> None:
    qid, aid = thread(api)
    vote(api, aid, 1)
    shown = json.dumps(read(api, qid)["json"], ensure_ascii=False)
    listed = json.dumps(get(api, "/v1/crowd/questions")["json"], ensure_ascii=False)
    for person in (ASKER[1], ANSWERER[1], VOTER[1]):
        assert person not in shown
        assert person not in listed
    assert read(api, qid)["json"]["author"]["pseudonym"].startswith("税友")


def test_signed_in_routes_refuse_the_public_and_other_roles(api: Any) -> None:
    anonymous = call(api, request("POST", "/v1/crowd/questions", body=QUESTION, key="k"))
    assert anonymous["statusCode"] == 401
    assert ask(api, who=OFFICER)["statusCode"] == 403
    qid, _ = thread(api)
    refused = post(api, f"/v1/crowd/questions/{qid}/hide", ASKER, {"reason": "不喜欢"}, "k-h",
                   "/v1/crowd/questions/{question_id}/hide", {"question_id": qid})
    assert refused["statusCode"] == 403
