"""The pure rules of ratings and surveys (etax.feedback.rules, the complaints' outbox): which
event invites whom, the invitation's key and expiry, what an aggregate publishes, how a
survey's questions and answers are checked and counted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from etax.complaints.outbox import event_for
from etax.errors import Invalid
from etax.feedback import rules
from etax.feedback.requests import SurveyRequest
from etax.platform.outbox import Change

PERSON = "350102199003071234"
QUESTIONS: list[dict[str, Any]] = [
    {"id": "channel", "kind": "single", "prompt": "渠道", "options": ["网上", "大厅"]},
    {"id": "topics", "kind": "multiple", "prompt": "服务", "options": ["辅导", "预约", "线上"]},
    {"id": "overall", "kind": "scale", "prompt": "满意度", "min": 1, "max": 5},
    {"id": "advice", "kind": "text", "prompt": "建议"},
]


@pytest.mark.parametrize(("detail_type", "detail", "expected"), [
    ("ApplicationApproved", {"application_id": "A1", "applicant": PERSON,
                             "tax_office": "13501000000", "at": "2026-12-01T02:00:00+00:00"},
     ("application", "A1", "13501000000", PERSON)),
    ("ApplicationRejected", {"application_id": "A2", "applicant": PERSON,
                             "tax_office": "13501000000"},
     ("application", "A2", "13501000000", PERSON)),
    ("RefundPaid", {"case_id": "R1", "applicant": PERSON, "tax_office": "13501000000"},
     ("refund", "R1", "13501000000", PERSON)),
    ("ComplaintAnswered", {"case_id": "C1", "office": "13502000000",
                           "notification": {"recipient": PERSON}},
     ("complaint", "C1", "13502000000", PERSON)),
    ("ConsultationAnswered", {"handoff_id": "H1", "office": "13502000000",
                              "notification": {"recipient": PERSON}},
     ("consultation", "H1", "13502000000", PERSON)),
])
def test_each_completed_service_names_its_person(detail_type: str, detail: dict[str, Any],
                                                 expected: tuple[str, ...]) -> None:
    done = rules.completed(detail_type, detail)
    assert done is not None
    assert (done.kind, done.service_id, done.office, done.person) == expected


@pytest.mark.parametrize(("detail_type", "detail"), [
    ("ComplaintAnswered", {"case_id": "C2", "office": "13502000000"}),  # anonymous
    ("RefundApproved", {"case_id": "R1", "applicant": PERSON, "tax_office": "1"}),
    ("ApplicationAccepted", {"application_id": "A1", "applicant": PERSON, "tax_office": "1"}),
    ("RefundPaid", {"case_id": "R1", "tax_office": "13501000000"}),
    ("RefundPaid", {"case_id": 7, "applicant": PERSON, "tax_office": "13501000000"}),
])
def test_other_events_invite_nobody(detail_type: str, detail: dict[str, Any]) -> None:
    assert rules.completed(detail_type, detail) is None


def test_the_invitation_is_keyed_by_the_service() -> None:
    assert rules.invitation_id("refund", "R1") == rules.invitation_id("refund", "R1")
    assert rules.invitation_id("refund", "R1") != rules.invitation_id("application", "R1")
    assert rules.invitation_id("refund", "R1").startswith("inv-")


def test_an_invitation_expires_after_its_days() -> None:
    invited = rules.completed_on("2026-12-01T17:00:00+00:00", datetime.now(UTC))
    assert invited == date(2026, 12, 2)  # the business day in Asia/Shanghai
    last = rules.expires_on(invited)
    assert (last - invited).days == rules.INVITATION_DAYS
    assert rules.state_of("pending", last.isoformat(), last) == "pending"
    assert rules.state_of("pending", last.isoformat(), date(2027, 1, 2)) == "expired"
    assert rules.state_of("answered", last.isoformat(), date(2027, 1, 2)) == "answered"


def test_the_mean_is_a_decimal_string_published_from_five() -> None:
    assert rules.mean(3, 13) == "4.33"
    assert rules.mean(8, 21) == "2.63"  # 2.625 rounds half up
    assert Decimal(rules.mean(5, 21) or "0") == Decimal("4.20")
    assert rules.mean(0, 0) is None
    assert not rules.published(rules.PUBLISHED_FROM - 1)
    assert rules.published(rules.PUBLISHED_FROM)


@pytest.mark.parametrize("value", ["2026-13", "2026-1", "26-12", "2026/12", ""])
def test_a_month_is_checked(value: str) -> None:
    with pytest.raises(Invalid) as error:
        rules.month_of(value)
    assert error.value.field == "month"


def _survey(questions: list[dict[str, Any]]) -> SurveyRequest:
    return SurveyRequest.model_validate({"title": "调查", "closes_on": "2099-01-01",
                                         "questions": questions})


@pytest.mark.parametrize(("change", "field"), [
    ({1: {"id": "channel"}}, "questions[1].id"),
    ({0: {"options": ["网上"]}}, "questions[0].options"),
    ({0: {"options": [str(i) for i in range(11)]}}, "questions[0].options"),
    ({1: {"options": ["辅导", "辅导"]}}, "questions[1].options"),
    ({3: {"options": ["a", "b"]}}, "questions[3].options"),
    ({2: {"max": 1}}, "questions[2].max"),
    ({2: {"min": None}}, "questions[2].min"),
    ({3: {"min": 1}}, "questions[3].min"),
])
def test_a_surveys_questions_are_checked_by_path(change: dict[int, dict[str, Any]],
                                                 field: str) -> None:
    questions = [dict(q) for q in QUESTIONS]
    for index, patch in change.items():
        questions[index].update(patch)
    with pytest.raises(Invalid) as error:
        rules.check_questions(_survey(questions).questions)
    assert error.value.field == field
    rules.check_questions(_survey(QUESTIONS).questions)


def test_answers_are_checked_and_counted() -> None:
    answers = {"channel": "大厅", "topics": ["线上", "辅导"], "overall": 4, "advice": " 好 "}
    checked = rules.check_answers(QUESTIONS, answers)
    assert checked["advice"] == "好"
    assert rules.counters(QUESTIONS, checked) == {
        "responses": 1, "o#0#1": 1, "o#1#2": 1, "o#1#0": 1, "s#2": 4, "n#2": 1, "t#3": 1}
    no_text = rules.check_answers(QUESTIONS, {**answers, "advice": ""})
    assert "advice" not in no_text
    for wrong, field in (({"channel": "信函"}, "answers.channel"),
                         ({"topics": []}, "answers.topics"),
                         ({"topics": "辅导"}, "answers.topics"),
                         ({"overall": 0}, "answers.overall"),
                         ({"overall": 4.0}, "answers.overall"),
                         ({"advice": "x" * 501}, "answers.advice"),
                         ({"advice": "a\u200bb"}, "answers.advice"),
                         ({"nope": 1}, "answers.nope")):
        with pytest.raises(Invalid) as error:
            rules.check_answers(QUESTIONS, {**answers, **wrong})
        assert error.value.field == field


def test_a_respondent_is_keyed_without_a_name() -> None:
    key = rules.respondent_key("sv-1", PERSON)
    assert key == rules.respondent_key("sv-1", PERSON) != rules.respondent_key("sv-2", PERSON)
    assert PERSON not in key


def _case(state: str, **more: Any) -> dict[str, Any]:
    return {"id": "C1", "kind": "service_attitude", "state": state, "office": "13502000000",
            "title": "窗口态度", "history": ['{"at": "2026-12-01T10:00:00+08:00", '
                                             '"event": "answered"}'], **more}


def test_a_complaint_answered_is_announced_with_its_filers_notice() -> None:
    event = event_for(Change("MODIFY", _case("answered", filer=PERSON), _case("accepted")))
    assert event is not None
    assert event.detail_type == "ComplaintAnswered"
    assert event.detail["answered_at"] == "2026-12-01T10:00:00+08:00"
    assert event.detail["notification"]["recipient"] == PERSON
    assert PERSON not in str({k: v for k, v in event.detail.items() if k != "notification"})
    anonymous = event_for(Change("MODIFY", _case("answered"), _case("accepted")))
    assert anonymous is not None
    assert "notification" not in anonymous.detail
    assert event_for(Change("MODIFY", _case("rated"), _case("answered"))) is None
    assert event_for(Change("MODIFY", _case("answered"), _case("answered"))) is None
    assert event_for(Change("INSERT", _case("filed"))) is None
