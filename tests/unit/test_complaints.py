"""The pure rules of complaints and reports (D12): kinds as data, deadlines in working days,
the state machine, secrets hashed and compared in constant time, requests naming fields, the
escalation's events (a named filer notified, an anonymous one never named)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from pydantic import ValidationError

from etax.complaints import rules
from etax.complaints.escalation import escalation_event
from etax.complaints.model import Case, shown
from etax.complaints.requests import FileRequest, RateRequest
from etax.errors import Invalid, Refused, StateChanged


def test_the_kinds_are_data_with_their_deadlines_and_handlers() -> None:
    kinds = rules.kinds()
    assert kinds["service_attitude"].deadline_working_days == 10
    assert kinds["service_quality"].deadline_working_days == 20
    assert {k.handled_by for k in kinds.values()} == {"office", "taxpayer"}
    assert [k.name for k in kinds.values() if k.anonymous] == ["violation"]


def test_deadlines_count_working_days_on_the_holiday_calendar() -> None:
    # Friday 2026-12-04 + 10 working days: the weekends skipped → Friday 2026-12-18
    assert rules.add_working_days(date(2026, 12, 4), 10) == date(2026, 12, 18)
    # 2026-09-30 + 1: the National Day holiday (1–7 October) is skipped
    assert rules.add_working_days(date(2026, 9, 30), 1) > date(2026, 10, 7)
    assert rules.due_on(rules.kinds()["service_attitude"], date(2026, 12, 4)) == \
        date(2026, 12, 18)
    assert rules.overdue(date(2026, 12, 18), date(2026, 12, 19))
    assert not rules.overdue(date(2026, 12, 18), date(2026, 12, 18))


def test_an_unknown_kind_and_an_anonymous_complaint_name_the_kind() -> None:
    with pytest.raises(Invalid) as unknown:
        rules.kind_of("weather")
    assert unknown.value.field == "kind"
    with pytest.raises(Invalid) as anonymous:
        rules.kind_of("service_attitude", anonymous=True)
    assert anonymous.value.field == "kind"
    assert rules.kind_of("violation", anonymous=True).type == "report"


def test_the_state_machine() -> None:
    assert rules.next_state("accept", "filed") == "accepted"
    assert rules.next_state("refuse", "filed") == "refused"
    assert rules.next_state("answer", "accepted") == "answered"
    assert rules.next_state("rate", "answered") == "rated"
    assert rules.next_state("rate", "refused") == "rated"
    with pytest.raises(StateChanged) as early:
        rules.next_state("answer", "filed")
    assert early.value.field == "state"
    with pytest.raises(StateChanged) as twice:
        rules.next_state("rate", "rated")
    assert twice.value.field == "rating"
    with pytest.raises(StateChanged):
        rules.next_state("rate", "accepted")


def test_only_the_responsible_office_handles() -> None:
    rules.ensure_handler("13501000000", "13501000000")
    with pytest.raises(Refused):
        rules.ensure_handler("13501000000", "13502000000")
    with pytest.raises(Refused):
        rules.ensure_handler("13501000000", None)


def test_secrets_are_salted_hashes_compared_whole() -> None:
    secret = rules.new_secret()
    assert len(secret) >= 32
    salt, digest = rules.hash_secret(secret)
    assert secret not in (salt, digest)
    assert rules.hash_secret(secret)[1] != digest  # a fresh salt each time
    assert rules.secret_matches(secret, salt, digest)
    assert not rules.secret_matches(secret + "x", salt, digest)
    assert not rules.secret_matches("", salt, digest)
    assert not rules.secret_matches(None, salt, digest)
    assert not rules.secret_matches(secret, None, None)  # no case: the same work, no match


def test_tracking_codes_are_16_readable_characters() -> None:
    codes = {rules.tracking_code() for _ in range(50)}
    assert len(codes) == 50
    assert all(re.fullmatch(r"[A-Z2-7]{16}", c) for c in codes)


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "violation", "title": "题", "facts": "十个字以上的事实说明"}, "title"),
    ({"kind": "violation", "title": "标题", "facts": "太短"}, "facts"),
    ({"kind": "violation", "title": "标题\u200b", "facts": "十个字以上的事实说明"}, "title"),
    ({"kind": "violation", "title": "标题\n第二行", "facts": "十个字以上的事实说明"}, "title"),
    ({"kind": "violation", "title": "标题", "facts": "十个字以上的事实\u202e说明"}, "facts"),
    ({"kind": "violation", "title": "标题", "facts": "十个字以上的事实说明", "office": "1"},
     "office"),
    ({"kind": "violation", "title": "标题", "facts": "十个字以上的事实说明",
      "reported": "91350100M00010OY43"}, "reported"),
])
def test_requests_name_the_field(body: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        FileRequest.model_validate(body)
    assert refused.value.errors()[0]["loc"][0] == field


def test_facts_keep_line_breaks_and_a_code_is_normalised() -> None:
    body = FileRequest.model_validate({"kind": "violation", "title": " 标题 ",
                                       "facts": "第一行事实说明\n第二行事实说明",
                                       "reported": "91350100m000100y43"})
    assert (body.title, body.reported) == ("标题", "91350100M000100Y43")
    assert RateRequest.model_validate({"rating": 5}).rating == 5
    for wrong in (0, 6, "5", True):
        with pytest.raises(ValidationError):
            RateRequest.model_validate({"rating": wrong})


CASE = Case(id="ABCDEFGHIJKLMNOP", kind="service_attitude", state="filed", title="标题",
            facts="事实", office="13502000000", filed_at="2026-12-04T02:00:00+00:00",
            due_on="2026-12-18", filer="350102199003071234")


def test_a_case_is_shown_without_its_filer() -> None:
    view = shown(CASE)
    assert view.named is True
    assert "350102199003071234" not in repr(view)


def test_an_escalation_notifies_a_named_filer_and_no_one_for_an_anonymous_report() -> None:
    escalation = {"on": "2027-01-05", "due_on": "2026-12-18", "days_late": 18}
    named = escalation_event(CASE, escalation)
    assert named.detail["notification"]["recipient"] == CASE.filer
    assert named.detail["notification"]["id"] == f"complaint-escalated:{CASE.id}"
    anonymous = escalation_event(replace(CASE, filer=None), escalation)
    assert "notification" not in anonymous.detail
    assert str(CASE.filer) not in str({k: v for k, v in named.detail.items()
                                  if k != "notification"})
