"""12366 consultation (E16) over moto: a question answered with its citation, the same text on
the WeChat-style and SMS-style channels, out-of-domain refused, an own-records question of a
signed-in taxpayer handed to its office's queue, claimed once, answered (the answer published
with a notification for the asker), closed; feedback once; hot questions and figures; bad
input naming the field."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import boto3
import pytest

from etax.invoices.channels import sms_signature, wechat_msg_signature, wechat_signature
from etax.knowledge.articles import Article
from etax.knowledge.indexing import IndexBuilder, IndexStore
from tests.functional.conftest import ApiCalls, call, load_handler
from tests.functional.test_acceptance_registration import OFFICE, put_record
from tests.functional.test_invoices import request
from tests.functional.test_refunds import put_person
from tests.unit.test_consult import ARTICLES

TOKEN = "channel-token-for-tests"
PERSON = "350102199003071234"
COMPANY = "91350100M000100Y43"
OFFICER = ("officer", "officer-fz-0001", OFFICE)
OTHER_OFFICER = ("officer", "officer-xm-0001", "13502000000")
WINDOW = "个税年度汇算什么时候截止？"


@pytest.fixture
def consult(aws: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    arn = boto3.client("secretsmanager").create_secret(
        Name="channel-token", SecretString=json.dumps({"token": TOKEN}))["ARN"]
    monkeypatch.setenv("CHANNEL_TOKEN_SECRET", arn)
    monkeypatch.setenv("SEARCH_BUCKET", "search-indexes")
    boto3.client("s3").create_bucket(Bucket="search-indexes")
    monkeypatch.setattr("etax.knowledge.articles.base", lambda: ARTICLES)
    put_person(PERSON)
    put_record(COMPANY)
    return load_handler("consult")


def publish_index(articles: tuple[Article, ...]) -> None:
    """The search function's artefact and its pointer, as the indexer writes them."""
    IndexBuilder(lambda: (), IndexStore(boto3.client("s3"), "search-indexes"),
                 articles=lambda day: [a for a in articles if a.current_on(day)]).build()


def ask(module: Any, question: Any, *, channel: str = "web", who: tuple[str, ...] | None = None,
        session_id: str | None = None, key: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"question": question, "channel": channel}
    if session_id:
        body["session_id"] = session_id
    path = "/v1/me/consult/ask" if who else "/v1/consult/ask"
    return call(module, request("POST", path, body=body, who=who, key=key or uuid.uuid4().hex))


def post(module: Any, path: str, resource: str, params: dict[str, str],
         who: tuple[str, ...] | None, body: Any = None) -> dict[str, Any]:
    return call(module, request("POST", path, body=body if body is not None else {}, who=who,
                                key=uuid.uuid4().hex, resource=resource, params=params))


def get(module: Any, path: str, who: tuple[str, ...] | None = None,
        resource: str | None = None, params: dict[str, str] | None = None,
        query: dict[str, str] | None = None) -> dict[str, Any]:
    event = request("GET", path, who=who, resource=resource, params=params)
    event["queryStringParameters"] = query
    return call(module, event)


def test_a_question_is_answered_with_its_citation(consult: Any) -> None:
    answer = ask(consult, WINDOW)
    assert answer["statusCode"] == 200, answer["body"]
    given = answer["json"]
    assert (given["outcome"], given["article_id"]) == ("answered", "iit-reconciliation-window")
    assert "3月1日至6月30日" in given["text"]
    assert given["citations"][0]["work_id"] == "iit-law"
    assert given["citations"][0]["document_number"] == "中华人民共和国主席令第九号"
    assert 0 <= given["confidence"] <= 1
    assert given["link"] == "/v1/kb/articles/iit-reconciliation-window"
    # a second turn of the same session
    again = ask(consult, "小规模纳税人征收率是多少", session_id=given["session_id"])
    assert again["json"]["answer_id"] == f"{given['session_id']}.2"
    # a session is its asker's: another asker cannot continue it
    taken = ask(consult, WINDOW, who=("taxpayer", PERSON), session_id=given["session_id"])
    assert (taken["statusCode"], taken["json"]["field"]) == (404, "session_id")


def test_answers_come_from_the_search_artefact_once_built(aws: None,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    """An article the artefact leaves out (flagged for review) is not served; without an
    artefact the question index answers alone."""
    served = tuple(a for a in ARTICLES if a.id != "iit-reconciliation-window")
    monkeypatch.setenv("SEARCH_BUCKET", "search-indexes")
    boto3.client("s3").create_bucket(Bucket="search-indexes")
    publish_index(served)
    arn = boto3.client("secretsmanager").create_secret(
        Name="channel-token", SecretString=json.dumps({"token": TOKEN}))["ARN"]
    monkeypatch.setenv("CHANNEL_TOKEN_SECRET", arn)
    monkeypatch.setattr("etax.knowledge.articles.base", lambda: ARTICLES)
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "etax-local-consult")  # in Lambda's runtime
    module = load_handler("consult")
    assert module.cache.key is not None  # loaded on cold start
    given = ask(module, WINDOW)["json"]
    assert given.get("article_id") != "iit-reconciliation-window"
    levy = ask(module, "小规模纳税人增值税征收率是多少")["json"]
    assert levy["article_id"] == "vat-small-scale-levy"


def test_without_an_artefact_the_question_index_answers(consult: Any) -> None:
    assert consult.cache.key is None
    assert ask(consult, WINDOW)["json"]["article_id"] == "iit-reconciliation-window"


def test_a_retry_with_the_same_key_answers_once(consult: Any) -> None:
    first = ask(consult, WINDOW, key="same")
    second = ask(consult, WINDOW, key="same")
    assert first["json"]["answer_id"] == second["json"]["answer_id"]
    figures = get(consult, "/v1/consult/figures")["json"]
    assert figures["asked"] == 1


def test_out_of_domain_and_other_agencies_are_refused(consult: Any) -> None:
    weather = ask(consult, "明天福州天气怎么样")["json"]
    assert (weather["outcome"], weather["citations"]) == ("refused", [])
    assert "article_id" not in weather
    passport = ask(consult, "护照过期了怎么续办")["json"]
    assert passport["outcome"] == "refused"
    assert "出入境管理部门" in passport["text"]


def test_own_records_need_sign_in(consult: Any) -> None:
    anonymous = ask(consult, "我的退税到哪一步了")["json"]
    assert (anonymous["outcome"], anonymous["reason"]) == ("no_answer", "sign_in")
    assert "登录" in anonymous["text"]


def test_the_hand_off_is_claimed_once_answered_and_closed(consult: Any,
                                                          api_calls: ApiCalls) -> None:
    handed = ask(consult, "我的退税到哪一步了", who=("taxpayer", PERSON))["json"]
    assert (handed["outcome"], handed["reason"]) == ("handed_off", "own_records")
    handoff = handed["handoff_id"]
    queue = get(consult, "/v1/consult/handoffs", who=OFFICER)["json"]
    assert [h["id"] for h in queue["waiting"]] == [handoff]
    assert queue["waiting"][0]["sla_seconds"] == queue["sla_seconds"] == 1800
    assert not queue["waiting"][0]["sla_breached"]
    # the other office sees nothing and may not touch it
    assert get(consult, "/v1/consult/handoffs", who=OTHER_OFFICER)["json"]["waiting"] == []
    base = f"/v1/consult/handoffs/{handoff}"
    resource = "/v1/consult/handoffs/{handoff_id}"
    params = {"handoff_id": handoff}
    refused = post(consult, f"{base}/claim", f"{resource}/claim", params, OTHER_OFFICER)
    assert (refused["statusCode"], refused["json"]["field"]) == (403, "handoff_id")
    claimed = post(consult, f"{base}/claim", f"{resource}/claim", params, OFFICER)
    assert claimed["json"]["state"] == "claimed"
    twice = post(consult, f"{base}/claim", f"{resource}/claim", params,
                 ("officer", "officer-fz-0002", OFFICE))
    assert (twice["statusCode"], twice["json"]["field"]) == (409, "state")
    assert get(consult, "/v1/consult/handoffs", who=OFFICER)["json"]["waiting"] == []
    api_calls.clear()
    answered = post(consult, f"{base}/answer", f"{resource}/answer", params, OFFICER,
                    {"text": "您的退税已审核通过，正在国库退付。"})
    assert answered["json"]["state"] == "answered"
    [entries] = [p["Entries"] for svc, op, p in api_calls.calls if op == "PutEvents"]
    detail = json.loads(entries[0]["Detail"])
    assert entries[0]["Source"] == "tax.consult"
    assert detail["notification"]["recipient"] == PERSON
    assert detail["notification"]["id"] == f"consult:{handoff}:answered"
    assert "正在国库退付" in detail["notification"]["body"]
    # the asker reads it; another taxpayer may not
    mine = get(consult, base, ("taxpayer", PERSON), resource, params)["json"]
    assert mine["reply"] == "您的退税已审核通过，正在国库退付。"
    other = get(consult, base, ("taxpayer", COMPANY), resource, params)
    assert other["statusCode"] == 403
    closed = post(consult, f"{base}/close", f"{resource}/close", params, OFFICER)
    assert closed["json"]["state"] == "closed"
    figures = get(consult, "/v1/consult/figures")["json"]
    assert (figures["handed_off"], figures["handoffs_claimed"],
            figures["claimed_within_sla"]) == (1, 1, 1)


def test_a_company_is_handed_to_its_registered_office_on_request(consult: Any) -> None:
    handed = ask(consult, "转人工", who=("taxpayer", COMPANY))["json"]
    assert handed["outcome"] == "handed_off"
    queue = get(consult, "/v1/consult/handoffs", who=OFFICER)["json"]
    assert queue["office"] == OFFICE
    assert [h["id"] for h in queue["waiting"]] == [handed["handoff_id"]]


def test_feedback_once_then_hot_questions_and_figures(consult: Any) -> None:
    answers = [ask(consult, WINDOW)["json"] for _ in range(2)]
    answers.append(ask(consult, "小规模纳税人增值税征收率是多少")["json"])
    ask(consult, "明天福州天气怎么样")
    first = answers[0]["answer_id"]
    path, resource = f"/v1/consult/answers/{first}/feedback", \
        "/v1/consult/answers/{answer_id}/feedback"
    given = post(consult, path, resource, {"answer_id": first}, None, {"helpful": True})
    assert given["json"] == {"answer_id": first, "helpful": True}
    again = post(consult, path, resource, {"answer_id": first}, None, {"helpful": False})
    assert (again["statusCode"], again["json"]["field"]) == (409, "helpful")
    unknown = post(consult, "/v1/consult/answers/x.1/feedback", resource,
                   {"answer_id": "x.1"}, None, {"helpful": True})
    assert (unknown["statusCode"], unknown["json"]["field"]) == (404, "answer_id")
    hot = get(consult, "/v1/consult/hot")["json"]
    assert [(q["article_id"], q["asked"]) for q in hot["questions"]] == [
        ("iit-reconciliation-window", 2), ("vat-small-scale-levy", 1)]
    figures = get(consult, "/v1/consult/figures")["json"]
    assert (figures["asked"], figures["answered"], figures["refused"]) == (4, 3, 1)
    assert (figures["containment_rate"], figures["satisfaction"]) == (1.0, 1.0)
    bad_week = get(consult, "/v1/consult/figures", query={"week": "2026-49"})
    assert (bad_week["statusCode"], bad_week["json"]["field"]) == (400, "week")


@pytest.mark.parametrize(("body", "field"), [
    ({"question": "", "channel": "web"}, "question"),
    ({"question": "税" * 501, "channel": "web"}, "question"),
    ({"question": "个税", "channel": "fax"}, "channel"),
    ({"question": "个税", "session_id": "not-a-session"}, "session_id"),
    ({"channel": "web"}, "question"),
])
def test_bad_questions_name_the_field(consult: Any, body: dict[str, Any], field: str) -> None:
    answer = call(consult, request("POST", "/v1/consult/ask", body=body, key=uuid.uuid4().hex))
    assert (answer["statusCode"], answer["json"]["field"]) == (422, field)


def test_officers_only_on_the_queue(consult: Any) -> None:
    assert get(consult, "/v1/consult/handoffs", who=("taxpayer", PERSON))["statusCode"] == 403
    mismatch = get(consult, "/v1/consult/handoffs", who=OFFICER,
                   query={"tax_office": "13502000000"})
    assert (mismatch["statusCode"], mismatch["json"]["field"]) == (403, "tax_office")


# -- the channels ---------------------------------------------------------------------------

def wechat_event(content: str, *, token: str = TOKEN) -> dict[str, Any]:
    stamp, nonce = str(int(time.time())), uuid.uuid4().hex[:16]
    event = request("POST", "/v1/consult/channels/wechat")
    event["body"] = (
        "<xml><ToUserName><![CDATA[gh_etax]]></ToUserName>"
        "<FromUserName><![CDATA[oUser123]]></FromUserName><CreateTime>1795880000</CreateTime>"
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        "<MsgId>1</MsgId></xml>")
    event["headers"]["Content-Type"] = "text/xml"
    event["queryStringParameters"] = {
        "timestamp": stamp, "nonce": nonce,
        "msg_signature": wechat_msg_signature(token, stamp, nonce, event["body"])}
    return event


def sms_event(text: str, *, token: str = TOKEN) -> dict[str, Any]:
    event = request("POST", "/v1/consult/channels/sms",
                    body={"from": "+8613800138000", "text": text})
    event["headers"]["X-Signature"] = sms_signature(token, event["body"].encode())
    return event


def test_every_channel_answers_in_the_same_words(consult: Any) -> None:
    web = ask(consult, WINDOW)["json"]["text"]
    wechat = call(consult, wechat_event(WINDOW))
    assert wechat["statusCode"] == 200
    assert wechat["headers"]["Content-Type"] == "application/xml"
    assert "<ToUserName>oUser123</ToUserName>" in wechat["body"]
    assert web.replace("\n", "") in wechat["body"].replace("\n", "").replace("&#10;", "")
    sms = call(consult, sms_event(WINDOW))
    assert sms["json"]["to"] == "+8613800138000"
    assert sms["json"]["text"] == web  # short enough for the SMS: not cut
    weather = call(consult, sms_event("明天福州天气怎么样"))["json"]["text"]
    assert "不属于税务咨询" in weather


def test_channels_refuse_forged_and_replayed_messages(consult: Any) -> None:
    forged = call(consult, wechat_event(WINDOW, token="wrong"))
    assert (forged["statusCode"], forged["json"]["field"]) == (403, "msg_signature")
    event = wechat_event(WINDOW)
    assert call(consult, event)["statusCode"] == 200
    replay = call(consult, event)
    assert (replay["statusCode"], replay["json"]["field"]) == (403, "nonce")
    bad_sms = call(consult, sms_event(WINDOW, token="wrong"))
    assert (bad_sms["statusCode"], bad_sms["json"]["field"]) == (403, "X-Signature")
    stamp = str(int(time.time()))
    handshake = request("GET", "/v1/consult/channels/wechat")
    handshake["queryStringParameters"] = {
        "timestamp": stamp, "nonce": "n1", "echostr": "hi",
        "signature": wechat_signature(TOKEN, stamp, "n1")}
    assert call(consult, handshake)["body"] == "hi"
