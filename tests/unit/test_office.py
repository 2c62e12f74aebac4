"""The mobile office's pure rules: alarm messages, alert ids and words, shifts, field
documents' numbers, periods and appointments."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from etax.errors import Invalid
from etax.office import alerts, documents

NOW = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize("stamp", ["2026-12-06T02:00:00.000+0000", "2026-12-06T02:00:00Z",
                                   "2026-12-06T02:00:00", "2026-12-06T10:00:00+08:00"])
def test_an_alarm_message_as_cloudwatch_or_the_local_stack_writes_it(stamp: str) -> None:
    change = alerts.parse_alarm(json.dumps({"AlarmName": "a", "NewStateValue": "ALARM",
                                            "StateChangeTime": stamp}))
    assert change.changed_at == NOW
    assert change.alert_id.startswith("20261206T020000Z-")


@pytest.mark.parametrize("message", [
    "[]", "{}", '{"AlarmName": "a", "NewStateValue": "ON", "StateChangeTime": "2026-12-06"}',
    '{"AlarmName": "", "NewStateValue": "OK", "StateChangeTime": "2026-12-06"}',
    '{"AlarmName": "a", "NewStateValue": "OK"}', "not json",
])
def test_a_message_that_is_not_an_alarms_change_is_refused(message: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (json's and ours: the consumer poisons both)
        alerts.parse_alarm(message)


def test_the_same_change_is_the_same_alert_and_another_instant_another() -> None:
    change = alerts.AlarmChange("a", "ALARM", "OK", "r", "d", NOW)
    assert change.alert_id == alerts.AlarmChange("a", "ALARM", "OK", "x", "y", NOW).alert_id
    assert change.alert_id != alerts.AlarmChange("a", "ALARM", "OK", "r", "d",
                                                 NOW + timedelta(seconds=1)).alert_id
    assert change.alert_id != alerts.AlarmChange("b", "ALARM", "OK", "r", "d", NOW).alert_id


def test_an_alerts_words_say_what_why_and_when_in_beijing_time() -> None:
    change = alerts.AlarmChange("etax-x-Errors", "ALARM", "OK", "5 errors", "", NOW)
    title, body = alerts.words(change, change.alert_id)
    assert title == "平台告警：etax-x-Errors"
    assert "原因：5 errors" in body
    assert "2026-12-06 10:00:00（北京时间）" in body
    assert "说明：（无）" in body
    assert f"/v1/office/alerts/{change.alert_id}/ack" in body
    assert alerts.ALERT_ID.fullmatch(change.alert_id)
    title, _ = alerts.words(alerts.AlarmChange("a" * 300, "OK", "ALARM", "", "", NOW), "x")
    assert len(title) == 100


def test_who_is_on_duty_at_an_instant() -> None:
    shifts = [alerts.Shift("1", "b", NOW - timedelta(hours=1), NOW + timedelta(hours=1), "x"),
              alerts.Shift("2", "a", NOW, NOW + timedelta(hours=8), "x"),
              alerts.Shift("3", "b", NOW - timedelta(hours=9), NOW, "x"),
              alerts.Shift("4", "c", NOW + timedelta(minutes=1), NOW + timedelta(hours=2), "x")]
    assert alerts.on_duty(shifts, NOW) == ["a", "b"]  # a shift ending now is over
    assert alerts.on_duty(shifts, NOW + timedelta(hours=3)) == ["a"]


@pytest.mark.parametrize(("starts", "ends", "field"), [
    (NOW, NOW, "ends_at"), (NOW, NOW + timedelta(hours=24, seconds=1), "ends_at"),
    (NOW - timedelta(hours=2), NOW, "ends_at"),
    (NOW + timedelta(days=90, seconds=1), NOW + timedelta(days=90, hours=1), "starts_at"),
    (NOW.replace(tzinfo=None), NOW + timedelta(hours=1), "starts_at"),
])
def test_a_shift_out_of_bounds(starts: datetime, ends: datetime, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        alerts.check_shift(starts, ends, NOW)
    assert refused.value.field == field


def test_a_shift_of_a_whole_day_starting_ninety_days_ahead_is_fine() -> None:
    starts = NOW + timedelta(days=90)
    alerts.check_shift(starts, starts + timedelta(hours=24), NOW)


def test_a_field_documents_number_and_check_path() -> None:
    number = documents.number_of("13501000000", documents.INQUIRY, 2026, 7)
    assert number == "13501000000-XW-2026-00007"
    assert documents.NUMBER.fullmatch(number)
    assert documents.verify_path(number) == f"/v1/field-documents/{number}/verify"


@pytest.mark.parametrize(("first", "last", "field"), [
    ("2025-02", "2025-01", "period.to"), ("2026-01", "2027-01", "period.to"),
    ("2016-11", "2026-11", "period.from"),
])
def test_an_inspections_periods(first: str, last: str, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        documents.check_period(first, last, date(2026, 12, 6))
    assert refused.value.field == field


def test_an_inspection_of_ten_years_up_to_this_month_is_fine() -> None:
    assert documents.check_period("2017-01", "2026-12", date(2026, 12, 6)) == {
        "from": "2017-01", "to": "2026-12"}


def test_an_inquirys_time_is_kept_in_beijing_time_to_the_minute() -> None:
    at = datetime(2026, 12, 10, 1, 30, 45, tzinfo=UTC)
    assert documents.check_appointment(at, NOW) == "2026-12-10T09:30+08:00"
    with pytest.raises(Invalid):
        documents.check_appointment(NOW + timedelta(days=60, minutes=1), NOW)
    documents.check_appointment(NOW + timedelta(days=60), NOW)


def test_a_digest_is_64_hexadecimal_digits_lower_cased() -> None:
    assert documents.check_digest("A" * 64) == "a" * 64
    for bad in ("a" * 63, "g" * 64, ""):
        with pytest.raises(Invalid):
            documents.check_digest(bad)


def test_a_notice_prints_the_same_bytes_each_time_and_withdrawn_it_is_stamped() -> None:
    number = documents.number_of("13501000000", documents.INSPECTION, 2026, 1)
    document = {
        "spec": documents.SPEC, "number": number, "kind": documents.INSPECTION,
        "kind_name": "税务检查通知书", "issue_date": "2026-12-06",
        "issued_at": "2026-12-06T02:00:00Z",
        "taxpayer": {"name": "福州示例有限公司", "credit_code": "91350100M000100Y43"},
        "tax_office": {"code": "13501000000", "name": "国家税务总局福州市税务局"},
        "inspectors": ["officer-fz-0001", "officer-fz-0002"],
        "content": {"matters": "增值税申报情况", "period": {"from": "2025-01", "to": "2025-12"}},
        "verify": documents.verify_path(number), "qr": documents.verify_path(number)}
    envelope = {"document": document,
                "signature": {"algorithm": "ES256", "key_id": "k", "value": "c2ln"}}
    printed = documents.render_pdf(envelope, "issued")
    assert printed.startswith(b"%PDF")
    assert documents.render_pdf(envelope, "issued") == printed
    assert documents.render_pdf(envelope, "withdrawn") != printed
