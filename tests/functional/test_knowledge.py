"""The 12366 knowledge base over moto: an article with its citations as of today; an officer's
published amendment flags the articles citing the provision (once per version; seeded versions
never), the article stops being current, an officer reviews it (a stale review refused);
subscribers of the work get one notification each with the API's wording; bad input names the
field."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from etax.knowledge.articles import Article, Citation
from etax.knowledge.repository import KnowledgeRepository
from etax.knowledge.subscriptions import MAX_WORKS
from etax.regulations.repository import RegulationRepository
from etax.regulations.seeds import corpus
from tests.functional.conftest import LambdaContext, call, load_handler
from tests.functional.test_invoices import request
from tests.functional.test_lottery import sqs_message
from tests.functional.test_regulations import DRAFTER, REVIEWER, WORK, draft, step

TAXPAYER = ("taxpayer", "91350100M000100Y43")
PERSON = ("taxpayer", "350102199003071234")
SEEDED_AT = "2026-12-01T00:00:00Z"


def article(article_id: str, work_id: str, provision: str, answer: str = "答复。") -> Article:
    from datetime import date

    return Article(article_id, "credit", f"{article_id}？", ("又问？",), answer,
                   (Citation(work_id, provision),), ("信用",), ("enterprise",),
                   date(2019, 1, 1))


ARTICLES = (article("credit-admin", WORK, "4", "由税务总局主管。"),
            article("iit-basic-deduction", "iit-law", "6", "每年六万元。"),
            article("credit-admin-too", WORK, "4"))


@pytest.fixture
def kb(aws: None) -> Any:
    db = boto3.client("dynamodb")
    RegulationRepository(db).seed(corpus(), SEEDED_AT)
    assert KnowledgeRepository(db).seed(ARTICLES, SEEDED_AT) == 3
    return load_handler("knowledge")


def get(module: Any, path: str, who: tuple[str, ...] | None = None,
        resource: str | None = None, params: dict[str, str] | None = None,
        query: dict[str, str] | None = None) -> dict[str, Any]:
    event = request("GET", path, who=who, resource=resource, params=params)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} if query else None
    return call(module, event)


def read_article(module: Any, article_id: str) -> dict[str, Any]:
    return get(module, f"/v1/kb/articles/{article_id}", resource="/v1/kb/articles/{id}",
               params={"id": article_id})


def review(module: Any, article_id: str, body: Any, who: tuple[str, ...] = REVIEWER,
           key: str = "k-review") -> dict[str, Any]:
    return call(module, request("POST", f"/v1/kb/articles/{article_id}/review", body=body,
                                who=who, key=key, resource="/v1/kb/articles/{id}/review",
                                params={"id": article_id}))


def subscribe(module: Any, who: tuple[str, ...], works: Any) -> dict[str, Any]:
    return call(module, request("PUT", "/v1/me/regulation-subscriptions", body={"works": works},
                                who=who))


def published_event(regulations: Any, version: int) -> dict[str, Any]:
    """The RegulationVersionPublished detail the stream announces for that version."""
    events_fn = load_handler("regulation_events")
    sent: list[Any] = []
    events_fn.publisher.publish = lambda events: sent.extend(events)
    item = boto3.client("dynamodb").get_item(TableName="regulations", Key={
        "pk": {"S": f"work#{WORK}"}, "sk": {"S": f"version#{version:05d}"}})["Item"]
    events_fn.handler({"Records": [{"eventName": "INSERT", "dynamodb": {"NewImage": item}}]},
                      LambdaContext())
    [event] = sent
    return dict(json.loads(json.dumps(event.detail)))


def amend(regulations: Any) -> dict[str, Any]:
    draft_id = draft(regulations)["json"]["id"]
    step(regulations, draft_id, "submit", DRAFTER)
    step(regulations, draft_id, "approve", REVIEWER)
    published = step(regulations, draft_id, "publish", REVIEWER, {"valid_from": "2027-01-01"})
    assert published["statusCode"] == 200, published["json"]
    return published_event(regulations, 2)


def consume(function: str, detail: dict[str, Any], **patches: Any) -> tuple[Any, list[str]]:
    module = load_handler(function)
    for name, value in patches.items():
        setattr(module, name, value)
    answer = module.handler({"Records": [sqs_message(detail)]}, LambdaContext())
    return module, [f["itemIdentifier"] for f in answer["batchItemFailures"]]


def test_an_article_is_served_with_its_citations_read_as_of_today(kb: Any) -> None:
    shown = read_article(kb, "iit-basic-deduction")
    assert shown["statusCode"] == 200, shown["json"]
    body = shown["json"]
    assert body["current"] is True
    assert body["state"] == "current"
    assert body["answer"] == "每年六万元。"
    assert "review" not in body
    [citation] = body["citations"]
    assert citation["work_title"] == "中华人民共和国个人所得税法"
    assert citation["label"] == "第6条"
    assert citation["in_force"] is True
    assert "六万元" in citation["text"]
    assert citation["as_of"] == body["as_of"]


@pytest.mark.parametrize(("article_id", "status"), [("no-such-article", 404),
                                                     ("Bad_Id", 400), ("x" * 65, 400)])
def test_an_unknown_or_malformed_id_is_a_problem_naming_id(kb: Any, article_id: str,
                                                            status: int) -> None:
    answer = read_article(kb, article_id)
    assert answer["statusCode"] == status, answer["json"]
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    assert answer["json"]["field"] == "id"


def test_an_amendment_flags_the_citing_articles_once_and_they_are_reviewed(kb: Any) -> None:
    regulations = load_handler("regulations")
    seeded = published_event(regulations, 1)
    assert seeded["published_by"] == "seed"
    assert consume("regulation_published", seeded)[1] == []
    assert read_article(kb, "credit-admin")["json"]["current"] is True  # history flags nothing

    detail = amend(regulations)
    for _ in range(2):  # a replay flags nothing more
        assert consume("regulation_published", detail)[1] == []
    flagged = read_article(kb, "credit-admin")["json"]
    assert flagged["current"] is False
    assert flagged["state"] == "under_review"
    assert "answer" not in flagged
    [reason] = flagged["review"]["reasons"]
    assert (reason["work_id"], reason["provision"], reason["version"]) == (WORK, "4", 2)
    assert reason["valid_from"] == "2027-01-01"
    assert read_article(kb, "iit-basic-deduction")["json"]["current"] is True

    queue = get(kb, "/v1/kb/reviews", who=REVIEWER)
    assert queue["statusCode"] == 200, queue["json"]
    assert [i["id"] for i in queue["json"]["items"]] == ["credit-admin", "credit-admin-too"]
    revision = queue["json"]["items"][0]["revision"]
    assert revision == 1
    assert get(kb, "/v1/kb/reviews", who=TAXPAYER)["statusCode"] == 403
    assert review(kb, "credit-admin", {"revision": 1, "decision": "confirm"},
                  who=TAXPAYER)["statusCode"] == 403
    repository = KnowledgeRepository(boto3.client("dynamodb"))
    assert {a.id for a in repository.current_articles(__import__("datetime").date(2026, 12, 4))
            } == {"iit-basic-deduction"}

    stale = review(kb, "credit-admin", {"revision": 0, "decision": "confirm"}, key="k-stale")
    assert stale["statusCode"] == 409
    assert stale["json"]["field"] == "revision"
    done = review(kb, "credit-admin", {"revision": 1, "decision": "replace",
                                       "answer": "修改后仍由税务总局主管。"})
    assert done["statusCode"] == 200, done["json"]
    assert done["json"]["reviewed_by"] == REVIEWER[1]
    again = review(kb, "credit-admin", {"revision": 2, "decision": "confirm"}, key="k-again")
    assert again["statusCode"] == 409  # current again: nothing to review
    shown = read_article(kb, "credit-admin")["json"]
    assert shown["current"] is True
    assert shown["answer"] == "修改后仍由税务总局主管。"
    assert [i["id"] for i in get(kb, "/v1/kb/reviews", who=REVIEWER)["json"]["items"]] == [
        "credit-admin-too"]


@pytest.mark.parametrize(("body", "field"), [
    ({"revision": 1, "decision": "replace"}, "answer"),
    ({"revision": 1, "decision": "confirm", "answer": "x"}, "answer"),
    ({"revision": -1, "decision": "confirm"}, "revision"),
    ({"revision": 1, "decision": "approve"}, "decision"),
])
def test_a_bad_review_names_its_field(kb: Any, body: dict[str, Any], field: str) -> None:
    answer = review(kb, "credit-admin", body, key=f"k-{field}-{body['decision']}")
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field


def test_the_stream_announces_a_flag_and_a_review_not_a_seed(kb: Any) -> None:
    from etax.knowledge.outbox import ANNOUNCING, event_for
    from etax.platform.outbox import Change

    db = boto3.client("dynamodb")
    key = {"pk": {"S": "article#credit-admin"}, "sk": {"S": "article"}}
    seeded = db.get_item(TableName="knowledge", Key=key)["Item"]
    assert event_for(Change.of({"eventName": "INSERT", "dynamodb": {"NewImage": seeded}})) is None
    detail = amend(load_handler("regulations"))
    consume("regulation_published", detail)
    flagged = db.get_item(TableName="knowledge", Key=key)["Item"]
    event = event_for(Change.of({"eventName": "MODIFY", "dynamodb": {
        "Keys": key, "NewImage": flagged, "OldImage": seeded}}))
    assert event is not None
    assert event.detail_type == "KnowledgeArticleChanged"
    assert event.detail == {"id": "credit-admin", "state": "under_review", "revision": 1,
                            "change": "flagged"}
    assert ANNOUNCING[0]["eventName"] == ["MODIFY"]


def test_subscribers_get_one_notice_each_in_the_apis_wording(kb: Any) -> None:
    chosen = subscribe(kb, TAXPAYER, [WORK, "iit-law", WORK])["json"]
    assert [w["id"] for w in chosen["works"]] == ["iit-law", WORK]  # each once, in id order
    assert subscribe(kb, PERSON, [WORK])["statusCode"] == 200
    assert [w["id"] for w in call(kb, request("GET", "/v1/me/regulation-subscriptions",
                                              who=TAXPAYER))["json"]["works"]] == ["iit-law", WORK]
    regulations = load_handler("regulations")
    assert consume("regulation_published", published_event(regulations, 1))[1] == []
    detail = amend(regulations)
    sent: list[Any] = []
    module = load_handler("regulation_published")
    module.fanout.publisher.publish = lambda events: sent.extend(events)
    module.fanout.page_size = 1  # one subscriber a page: the pages are followed
    for _ in range(2):
        answer = module.handler({"Records": [sqs_message(detail)]}, LambdaContext())
        assert answer["batchItemFailures"] == []
    notes = [e.detail["notification"] for e in sent]
    ids = {n["id"] for n in notes}
    assert ids == {f"regulation:{WORK}:2:{TAXPAYER[1]}", f"regulation:{WORK}:2:{PERSON[1]}"}
    assert len(notes) == 4  # the replay publishes the same ids: the notifier keeps one each
    shown = get(regulations, f"/v1/regulations/works/{WORK}", query={"as_of": "2027-01-01"},
                resource="/v1/regulations/works/{work_id}", params={"work_id": WORK})["json"]
    assert {n["body"] for n in notes} == {shown["version"]["announcement"]}
    assert ("第4条（修改后）：国家税务总局主管全国纳税缴费信用管理工作（修改后的示例文本）。"
            "（摘要，非原文）") in notes[0]["body"]
    assert "announcement" not in shown["history"][0]


@pytest.mark.parametrize(("works", "field"), [
    (["no-such-work"], "works[0]"), (["iit-law", "nope"], "works[1]"),
    ([f"w{n}" for n in range(MAX_WORKS + 1)], "works"), ("iit-law", "works")])
def test_bad_subscriptions_name_the_field(kb: Any, works: Any, field: str) -> None:
    answer = subscribe(kb, TAXPAYER, works)
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field


def test_only_taxpayers_subscribe(kb: Any) -> None:
    assert subscribe(kb, REVIEWER, ["iit-law"])["statusCode"] == 403
    assert subscribe(kb, TAXPAYER, [])["json"]["works"] == []


def test_a_reseed_keeps_the_flag_and_duplicates_nothing(kb: Any) -> None:
    consume("regulation_published", amend(load_handler("regulations")))
    repository = KnowledgeRepository(boto3.client("dynamodb"))
    assert repository.seed(ARTICLES, "2026-12-02T00:00:00Z") == 0
    entry = repository.entry("credit-admin")
    assert entry is not None
    assert entry.state == "under_review"
    assert repository.citing(WORK, "4") == ["credit-admin", "credit-admin-too"]


def test_a_seed_cut_short_before_an_article_writes_it_whole_next_time(kb: Any) -> None:
    # a seed that wrote the citations and stopped before the article (which goes last)
    db = boto3.client("dynamodb")
    repository = KnowledgeRepository(db)
    db.delete_item(TableName=repository.table,
                   Key={"pk": {"S": "article#credit-admin-too"}, "sk": {"S": "article"}})
    assert repository.entry("credit-admin-too") is None
    assert repository.seed(ARTICLES, "2026-12-02T00:00:00Z") == 1
    assert repository.entry("credit-admin-too") is not None
    assert repository.citing(WORK, "4") == ["credit-admin", "credit-admin-too"]


def test_a_review_read_before_a_second_amendment_is_refused(kb: Any) -> None:
    regulations = load_handler("regulations")
    consume("regulation_published", amend(regulations))
    seen = get(kb, "/v1/kb/reviews", who=REVIEWER)["json"]["items"][0]
    assert (seen["id"], seen["revision"]) == ("credit-admin", 1)
    draft_id = draft(regulations, key="k-draft-3")["json"]["id"]
    step(regulations, draft_id, "submit", DRAFTER, key="k-s-3")
    step(regulations, draft_id, "approve", REVIEWER, key="k-a-3")
    third = step(regulations, draft_id, "publish", REVIEWER, {"valid_from": "2027-06-01"},
                 "k-p-3")
    assert third["json"]["version"] == 3, third["json"]
    assert consume("regulation_published", published_event(regulations, 3))[1] == []
    stale = review(kb, "credit-admin", {"revision": 1, "decision": "confirm"})
    assert stale["statusCode"] == 409, stale["json"]
    assert stale["json"]["field"] == "revision"
    flagged = read_article(kb, "credit-admin")["json"]["review"]["reasons"]
    assert [r["version"] for r in flagged] == [2, 3]
    assert review(kb, "credit-admin", {"revision": 2, "decision": "confirm"},
                  key="k-fresh")["statusCode"] == 200


def test_the_notices_reach_the_inbox_once(kb: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.functional.test_notifications import envelope, failures, record

    sqs = boto3.client("sqs")
    for channel in ("sms", "wechat", "email", "app"):
        url = sqs.create_queue(QueueName=f"{channel}-deliveries")["QueueUrl"]
        monkeypatch.setenv(f"{channel.upper()}_QUEUE_URL", url)
    subscribe(kb, PERSON, [WORK])
    detail = amend(load_handler("regulations"))
    sent: list[Any] = []
    fanout = load_handler("regulation_published")
    fanout.fanout.publisher.publish = lambda events: sent.extend(events)
    fanout.handler({"Records": [sqs_message(detail)]}, LambdaContext())
    notifier = load_handler("notifier")
    for _ in range(2):  # the replay's copy is the same notification
        [event] = sent
        answer = notifier.handler({"Records": [record(envelope(
            {"schema_version": 1, **event.detail}, source="tax.knowledge",
            detail_type=event.detail_type))]}, LambdaContext())
        assert failures(answer) == []
    inbox = call(load_handler("notifications"), request("GET", "/v1/me/inbox", who=PERSON))
    [entry] = inbox["json"]["items"]
    assert entry["id"] == f"regulation:{WORK}:2:{PERSON[1]}"
    assert entry["body"] == sent[0].detail["notification"]["body"]
