"""Ratings of service and surveys (D12) over moto: a completed service's event makes one
invitation (a replayed event nothing new) announced with the person's notice; only the invited
person rates it (another's invitation is 404), once (a second rating 409 naming
``invitation``), and the counters count it once; the public aggregate withholds its mean
under five ratings; a survey is validated path by path, answered once (a second 409 naming
``survey``), its answers checked against their questions, its results read by the publishing
office at once and by everyone after it closes; no answer names a person."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from etax.platform.events import DomainEvent
from tests.functional.conftest import LambdaContext, load_handler
from tests.functional.test_complaints import get, post
from tests.functional.test_supply import sqs_message

PERSON = ("taxpayer", "350102199003071234")
OTHER = ("taxpayer", "350102198512120021")
COMPANY = ("taxpayer", "91350100M000100Y43")
FUZHOU_OFFICE = "13501000000"
FUZHOU = ("officer", "officer-fz-0001", FUZHOU_OFFICE)
XIAMEN = ("officer", "officer-xm-0001", "13502000000")
ADMIN = ("admin", "admin-0001")
SURVEY = {"title": "2026 年度办税服务满意度调查", "closes_on": "2099-12-31", "questions": [
    {"id": "channel", "kind": "single", "prompt": "您最常用的办税渠道",
     "options": ["电子税务局", "办税服务厅", "手机 App"]},
    {"id": "topics", "kind": "multiple", "prompt": "您希望加强的服务",
     "options": ["政策辅导", "线上办理", "预约服务"]},
    {"id": "overall", "kind": "scale", "prompt": "总体满意度", "min": 1, "max": 10},
    {"id": "advice", "kind": "text", "prompt": "您的建议"}]}
ANSWERS = {"channel": "电子税务局", "topics": ["政策辅导", "预约服务"], "overall": 9,
           "advice": "希望延长办税服务厅周末开放时间"}


class Captured:
    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    def publish(self, events: Any) -> None:
        self.events.extend(events)


@pytest.fixture
def api(aws: None) -> Any:
    return load_handler("feedback")


@pytest.fixture
def inviter(aws: None) -> Any:
    module = load_handler("feedback_events")
    module.service.publisher = Captured()
    return module


def _now(days: int = 0) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat(timespec="seconds")


def deliver(inviter: Any, detail_type: str, detail: dict[str, Any],
            message_id: str = "m-1") -> dict[str, Any]:
    message = sqs_message({"detail-type": detail_type, "source": "tax.x",
                           "detail": {"schema_version": 1, "occurred_at": _now(), **detail}},
                          message_id)
    answer: dict[str, Any] = inviter.handler({"Records": [message]}, LambdaContext())
    return answer


def refund_paid(inviter: Any, case_id: str, who: tuple[str, ...] = PERSON,
                at: str | None = None, message_id: str = "m-1") -> str:
    answer = deliver(inviter, "RefundPaid", {
        "case_id": case_id, "kind": "iit_annual", "applicant": who[1],
        "tax_office": FUZHOU_OFFICE, "state": "paid", "amount_fen": 12000,
        "at": at or _now()}, message_id)
    assert answer["batchItemFailures"] == []
    return str(inviter.service.publisher.events[-1].detail["invitation"])


def invitations(api: Any, who: tuple[str, ...]) -> dict[str, Any]:
    return get(api, "/v1/me/feedback", who)


def rate(api: Any, who: tuple[str, ...], body: dict[str, Any], key: str) -> dict[str, Any]:
    return post(api, "/v1/feedback/ratings", body, who, key)


def results(api: Any, **query: str) -> dict[str, Any]:
    return get(api, "/v1/feedback/results", None, query=query)


def test_a_completed_service_invites_once_and_its_rating_counts_once(
        api: Any, inviter: Any) -> None:
    invitation = refund_paid(inviter, "RF-0001")
    sent = inviter.service.publisher.events
    assert [e.detail_type for e in sent] == ["FeedbackInvited"]
    notification = sent[0].detail["notification"]
    assert notification["recipient"] == PERSON[1]
    assert notification["id"] == f"feedback-invited:{invitation}"
    assert PERSON[1] not in json.dumps({k: v for k, v in sent[0].detail.items()
                                        if k != "notification"})
    # the event delivered again (a retry, a duplicate): nothing new, nothing announced
    refund_paid(inviter, "RF-0001", message_id="m-2")
    assert len(sent) == 1
    items = boto3.client("dynamodb").scan(TableName="feedback")["Items"]
    assert [i["sk"]["S"] for i in items] == ["invitation"]

    mine = invitations(api, PERSON)
    assert mine["statusCode"] == 200, mine["json"]
    [shown] = mine["json"]["invitations"]
    assert (shown["id"], shown["service"], shown["service_id"], shown["state"]) == (
        invitation, "refund", "RF-0001", "pending")
    assert PERSON[1] not in json.dumps(mine["json"])
    assert invitations(api, OTHER)["json"]["invitations"] == []
    assert invitations(api, FUZHOU)["json"]["invitations"] == []
    assert invitations(api, ("partner", "bank-1"))["statusCode"] == 403

    # another person's invitation is not said to exist
    foreign = rate(api, OTHER, {"invitation": invitation, "score": 1}, "k-other")
    assert foreign["statusCode"] == 404
    assert foreign["json"]["field"] == "invitation"
    assert rate(api, PERSON, {"invitation": "inv-none", "score": 1}, "k-x")["statusCode"] == 404
    bad = rate(api, PERSON, {"invitation": invitation, "score": 6}, "k-bad")
    assert (bad["statusCode"], bad["json"]["field"]) == (422, "score")
    rated = rate(api, PERSON, {"invitation": invitation, "score": 4, "comment": "办理很快"},
                 "k-1")
    assert rated["statusCode"] == 201, rated["json"]
    assert rated["json"]["score"] == 4
    assert rate(api, PERSON, {"invitation": invitation, "score": 4, "comment": "办理很快"},
                "k-1")["json"] == rated["json"]  # the same key: the first answer
    twice = rate(api, PERSON, {"invitation": invitation, "score": 5}, "k-2")
    assert twice["statusCode"] == 409
    assert twice["json"]["field"] == "invitation"
    assert PERSON[1] not in json.dumps(twice["json"])

    month = rated["json"]["month"]
    aggregate = boto3.client("dynamodb").get_item(
        TableName="feedback", Key={"pk": {"S": f"agg#{FUZHOU_OFFICE}#refund"},
                                   "sk": {"S": month}})["Item"]
    assert (aggregate["count"]["N"], aggregate["total"]["N"], aggregate["s4"]["N"]) == (
        "1", "4", "1")
    assert invitations(api, PERSON)["json"]["invitations"][0]["state"] == "answered"
    shown_results = results(api, office=FUZHOU_OFFICE, service="refund", month=month)
    assert shown_results["statusCode"] == 200, shown_results["json"]
    [row] = shown_results["json"]["items"]
    assert row["count"] == 1
    assert "mean" not in row
    assert "distribution" not in row
    assert "withheld" in row


def test_the_aggregate_is_published_from_five_ratings(api: Any, inviter: Any) -> None:
    scores = [5, 4, 4, 3, 5]
    for index, score in enumerate(scores):
        invitation = refund_paid(inviter, f"RF-1{index}", message_id=f"m-{index}")
        assert rate(api, PERSON, {"invitation": invitation, "score": score},
                    f"k-{index}")["statusCode"] == 201
    month = _now()[:7]
    [row] = results(api, office=FUZHOU_OFFICE, service="refund", month=month)["json"]["items"]
    assert row["count"] == 5
    assert row["mean"] == "4.20"
    assert row["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 2, "5": 2}
    by_year = results(api, office=FUZHOU_OFFICE, year=month[:4])["json"]
    assert [r["service"] for r in by_year["items"]] == [
        "application", "refund", "complaint", "consultation"]
    assert by_year["items"][1]["mean"] == "4.20"
    for query, field in (({}, "office"), ({"office": FUZHOU_OFFICE}, "month"),
                         ({"office": FUZHOU_OFFICE, "month": "2026-13"}, "month"),
                         ({"office": FUZHOU_OFFICE, "month": month, "year": "2026"}, "month"),
                         ({"office": FUZHOU_OFFICE, "year": "2026", "service": "x"},
                          "service")):
        answer = results(api, **query)
        assert (answer["statusCode"], answer["json"]["field"]) == (422, field), query


def test_an_expired_invitation_is_refused(api: Any, inviter: Any) -> None:
    invitation = refund_paid(inviter, "RF-OLD", at=_now(-40))
    assert invitations(api, PERSON)["json"]["invitations"][0]["state"] == "expired"
    late = rate(api, PERSON, {"invitation": invitation, "score": 3}, "k-late")
    assert late["statusCode"] == 409
    assert late["json"]["field"] == "invitation"


def test_each_completed_service_invites_its_person(api: Any, inviter: Any) -> None:
    deliver(inviter, "ApplicationApproved", {
        "application_id": "AP-1", "item": "x", "applicant": COMPANY[1],
        "tax_office": FUZHOU_OFFICE, "at": _now()}, "a")
    deliver(inviter, "ComplaintAnswered", {
        "case_id": "CP-1", "kind": "service_attitude", "office": FUZHOU_OFFICE,
        "answered_at": _now(),
        "notification": {"id": "complaint-answered:CP-1", "recipient": PERSON[1]}}, "b")
    deliver(inviter, "ComplaintAnswered", {  # an anonymous report: nobody to invite
        "case_id": "CP-2", "kind": "violation", "office": FUZHOU_OFFICE,
        "answered_at": _now()}, "c")
    deliver(inviter, "ConsultationAnswered", {
        "handoff_id": "HO-1", "office": FUZHOU_OFFICE,
        "notification": {"id": "consult:HO-1:answered", "recipient": PERSON[1]}}, "d")
    deliver(inviter, "RefundApproved", {"case_id": "RF-9", "applicant": PERSON[1],
                                        "tax_office": FUZHOU_OFFICE}, "e")
    mine = {i["service"] for i in invitations(api, PERSON)["json"]["invitations"]}
    assert mine == {"complaint", "consultation"}
    assert [i["service"] for i in invitations(api, COMPANY)["json"]["invitations"]] == [
        "application"]
    poisoned = inviter.handler({"Records": [sqs_message({"no": "event"}, "p")]},
                               LambdaContext())
    assert poisoned["batchItemFailures"] == [{"itemIdentifier": "p"}]


# -- surveys -----------------------------------------------------------------------------------

def publish(api: Any, body: dict[str, Any], who: tuple[str, ...] = FUZHOU,
            key: str = "k-s") -> dict[str, Any]:
    return post(api, "/v1/surveys", body, who, key)


def respond(api: Any, survey_id: str, answers: dict[str, Any], who: tuple[str, ...],
            key: str) -> dict[str, Any]:
    return post(api, f"/v1/surveys/{survey_id}/responses", {"answers": answers}, who, key,
                "/v1/surveys/{survey_id}/responses", {"survey_id": survey_id})


def read_survey(api: Any, survey_id: str, who: tuple[str, ...],
                query: dict[str, str] | None = None) -> dict[str, Any]:
    return get(api, f"/v1/surveys/{survey_id}", who, "/v1/surveys/{survey_id}",
               {"survey_id": survey_id}, query=query)


def test_a_survey_is_checked_path_by_path(api: Any) -> None:
    def refused(change: dict[str, Any], field: str) -> None:
        questions = json.loads(json.dumps(SURVEY["questions"]))
        body = {**SURVEY, "questions": questions}
        for index, patch in change.items():
            if index == "body":
                body.update(patch)
            else:
                questions[int(index)].update(patch)
        answer = publish(api, body, key=f"k-{field}-{len(str(change))}")
        assert answer["statusCode"] == 422, (field, answer["json"])
        assert answer["json"]["field"] == field

    refused({"1": {"id": "channel"}}, "questions[1].id")
    refused({"2": {"options": ["一"]}}, "questions[2].options")
    refused({"0": {"options": ["一"]}}, "questions[0].options")
    refused({"1": {"options": ["一", "一"]}}, "questions[1].options")
    refused({"2": {"min": 5, "max": 5}}, "questions[2].max")
    refused({"0": {"kind": "poll"}}, "questions[0].kind")
    refused({"body": {"questions": []}}, "questions")
    refused({"body": {"questions": [SURVEY["questions"][0]] * 21}}, "questions")
    refused({"body": {"closes_on": "2020-01-01"}}, "closes_on")
    assert publish(api, SURVEY, PERSON)["statusCode"] == 403


def test_a_survey_is_answered_once_and_its_results_follow(api: Any) -> None:
    published = publish(api, SURVEY)
    assert published["statusCode"] == 201, published["json"]
    survey = published["json"]
    assert survey["open"] is True
    assert survey["office"] == FUZHOU_OFFICE
    listed = invitations(api, PERSON)
    assert [s["id"] for s in listed["json"]["surveys"]] == [survey["id"]]
    sid = survey["id"]
    shown = read_survey(api, sid, PERSON)
    assert [q["id"] for q in shown["json"]["questions"]] == [
        "channel", "topics", "overall", "advice"]
    assert "results" not in shown["json"]  # open: not yet for everyone

    for answers, field in (({**ANSWERS, "channel": "信函"}, "answers.channel"),
                           ({**ANSWERS, "topics": ["政策辅导", "政策辅导"]}, "answers.topics"),
                           ({**ANSWERS, "overall": 11}, "answers.overall"),
                           ({**ANSWERS, "overall": True}, "answers.overall"),
                           ({**ANSWERS, "advice": "长" * 501}, "answers.advice"),
                           ({**ANSWERS, "advice": "ab\u202ecd"}, "answers.advice"),
                           ({**ANSWERS, "extra": "x"}, "answers.extra"),
                           ({"channel": "电子税务局"}, "answers.topics")):
        bad = respond(api, sid, answers, PERSON, f"k-{field}-{len(json.dumps(answers))}")
        assert (bad["statusCode"], bad["json"]["field"]) == (422, field), answers
    answered = respond(api, sid, ANSWERS, PERSON, "k-1")
    assert answered["statusCode"] == 201, answered["json"]
    again = respond(api, sid, {**ANSWERS, "overall": 2}, PERSON, "k-2")
    assert again["statusCode"] == 409
    assert again["json"]["field"] == "survey"
    assert respond(api, sid, {**ANSWERS, "overall": 5, "advice": " "}, COMPANY,
                   "k-3")["statusCode"] == 201
    assert respond(api, sid, ANSWERS, FUZHOU, "k-4")["statusCode"] == 403

    assert "results" not in read_survey(api, sid, PERSON)["json"]  # open: not yet
    assert "results" not in read_survey(api, sid, XIAMEN)["json"]
    office = read_survey(api, sid, FUZHOU)
    assert office["statusCode"] == 200, office["json"]
    seen = office["json"]["results"]
    assert seen["responses"] == 2
    channel, topics, overall, advice = seen["questions"]
    assert channel["options"][0] == {"option": "电子税务局", "count": 2}
    assert [o["count"] for o in topics["options"]] == [2, 0, 2]
    assert (overall["count"], overall["mean"]) == (2, "7.00")
    assert advice["texts"] == 1
    assert seen["texts"]["items"] == [{"question": "advice",
                                       "text": "希望延长办税服务厅周末开放时间"}]
    assert PERSON[1] not in json.dumps(seen)
    assert COMPANY[1] not in json.dumps(seen)
    admin = read_survey(api, sid, ADMIN)["json"]["results"]
    assert admin["responses"] == 2
    assert "texts" not in admin
    cursor = read_survey(api, sid, XIAMEN, {"cursor": "x"})
    assert (cursor["statusCode"], cursor["json"]["field"]) == (400, "cursor")

    # after its closing day (the platform's clock): no more answers, results for everyone
    api.surveys.clock = lambda: datetime(2100, 1, 2, tzinfo=UTC)
    late = respond(api, sid, ANSWERS, OTHER, "k-5")
    assert (late["statusCode"], late["json"]["field"]) == (409, "survey")
    everyone = read_survey(api, sid, PERSON)["json"]
    assert everyone["open"] is False
    assert everyone["results"]["responses"] == 2
    assert "texts" not in everyone["results"]
    api.ratings.clock = api.surveys.clock
    assert invitations(api, PERSON)["json"]["surveys"] == []
    unknown = read_survey(api, "sv-none", PERSON)
    assert (unknown["statusCode"], unknown["json"]["field"]) == (404, "survey")


def test_a_rating_written_twice_counts_once(api: Any, inviter: Any) -> None:
    """Two ratings racing past the service's check: the transaction's condition refuses the
    second whole, and the counters keep one."""
    from etax.feedback.repository import AlreadyRated

    invitation_id = refund_paid(inviter, "RF-RACE")
    repository = api.ratings.repository
    invitation = repository.invitation(invitation_id)
    repository.rate(invitation, score=5, comment=None, month="2026-12", at=_now())
    with pytest.raises(AlreadyRated):
        repository.rate(invitation, score=5, comment=None, month="2026-12", at=_now())
    assert repository.aggregates(FUZHOU_OFFICE, "refund", "2026-12") == [
        {"count": 1, "total": 5, "s1": 0, "s2": 0, "s3": 0, "s4": 0, "s5": 1}]


def test_a_complaint_answered_is_announced_and_invites_its_filer(api: Any,
                                                                 inviter: Any) -> None:
    """The complaints table's stream (the outbox) announces the answer; the event, delivered
    to the invitations' consumer, invites the filer."""
    complaints = load_handler("complaints")
    filed = post(complaints, "/v1/complaints", {
        "kind": "service_attitude", "title": "窗口人员态度生硬",
        "facts": "办理发票领用时，窗口工作人员拒绝一次性告知所需资料。", "office": FUZHOU_OFFICE},
        PERSON, "k-c")
    case_id = filed["json"]["id"]
    for action, body in (("accept", {}), ("answer", {"answer": "经调查，已责令窗口人员整改。"})):
        done = post(complaints, f"/v1/complaints/{case_id}/{action}", body, FUZHOU,
                    f"k-{action}", f"/v1/complaints/{{complaint_id}}/{action}",
                    {"complaint_id": case_id})
        assert done["statusCode"] == 200, done["json"]
    new = boto3.client("dynamodb").get_item(TableName="complaints",
                                            Key={"pk": {"S": f"case#{case_id}"}})["Item"]
    old = {**new, "state": {"S": "accepted"}}
    outbox = load_handler("complaint_events")
    outbox.outbox.publisher = Captured()
    outbox.handler({"Records": [{"eventName": "MODIFY",
                                 "dynamodb": {"NewImage": new, "OldImage": old}}]},
                   LambdaContext())
    [announced] = outbox.outbox.publisher.events
    assert announced.detail_type == "ComplaintAnswered"
    assert announced.detail["notification"]["recipient"] == PERSON[1]
    deliver(inviter, announced.detail_type, announced.detail)
    [invitation] = invitations(api, PERSON)["json"]["invitations"]
    assert (invitation["service"], invitation["service_id"], invitation["office"]) == (
        "complaint", case_id, FUZHOU_OFFICE)
