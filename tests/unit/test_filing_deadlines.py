"""Periods, deadlines and the holiday extension, from the versioned data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etax.filing import deadlines
from etax.filing.deadlines import Calendar, PeriodError, deadline, load_data, parse_period


def test_periods_parse_to_their_first_and_last_day() -> None:
    assert parse_period("2026-02").end == date(2026, 2, 28)
    assert parse_period("2026-12").end == date(2026, 12, 31)
    quarter = parse_period("2026-Q3")
    assert (quarter.periodicity, quarter.start, quarter.end) == (
        "quarterly", date(2026, 7, 1), date(2026, 9, 30))
    assert parse_period("2025").periodicity == "annual"


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26-10", "2026-1", "", "2026-10-01"])
def test_malformed_periods_name_the_period(text: str) -> None:
    with pytest.raises(PeriodError) as error:
        parse_period(text)
    assert error.value.field == "period"


def test_monthly_vat_is_due_on_the_15th_of_the_following_month() -> None:
    # 2026-12-15 is a Tuesday and no holiday block falls in 1-15 December
    due = deadline("vat", "2026-11")
    assert (due.statutory, due.due_date, due.how) == (date(2026, 12, 15), date(2026, 12, 15),
                                                      "statutory")
    quarterly = deadline("vat", "2026-Q3")
    assert quarterly.statutory == date(2026, 10, 15)


def test_a_deadline_on_a_weekend_moves_to_the_next_working_day() -> None:
    # 2026-08-15 is a Saturday: the deadline of July 2026 is Monday 17 August
    due = deadline("vat", "2026-07")
    assert (due.due_date, due.how, due.extended_by_days) == (date(2026, 8, 17),
                                                             "next_working_day", 2)


def test_a_holiday_block_of_three_days_or_more_extends_by_its_length() -> None:
    # National Day: 1-7 October 2026 off (7 days) → 15 + 7 = Thursday 22 October
    due = deadline("vat", "2026-09")
    assert (due.due_date, due.how, due.extended_by_days) == (date(2026, 10, 22),
                                                             "holiday_block", 7)
    # Labour Day: 1-5 May 2026 off → 15 + 5 = 20 May (a Wednesday)
    assert deadline("vat", "2026-04").due_date == date(2026, 5, 20)
    # an ordinary weekend inside the window extends nothing: 2026-11-15 is a Sunday → 16th
    assert deadline("vat", "2026-10").due_date == date(2026, 11, 16)


def test_working_weekends_are_working_days() -> None:
    calendar = Calendar(load_data()["calendars"])
    assert not calendar.is_rest_day(date(2026, 10, 10))  # Saturday, made a working day
    assert calendar.is_rest_day(date(2026, 10, 11))       # Sunday
    assert calendar.is_rest_day(date(2026, 10, 1))        # National Day


def test_annual_iit_reconciliation_is_due_on_30_june_of_the_following_year() -> None:
    due = deadline("iit_annual", "2025")
    assert due.statutory == date(2026, 6, 30)
    assert due.due_date == date(2026, 6, 30)  # a Tuesday
    with pytest.raises(PeriodError) as error:
        deadline("iit_annual", "2025-10")
    assert error.value.field == "period"


def test_vehicle_vessel_tax_is_due_as_the_data_says() -> None:
    due = deadline("vehicle_vessel", "2026")
    assert due.statutory == date(2026, 12, 31)
    assert due.due_date == date(2026, 12, 31)


def test_a_year_without_a_calendar_uses_weekends_only_and_says_so() -> None:
    due = deadline("vat", "2027-04")  # 2027-05-15 is a Saturday
    assert due.calendar_known is False
    assert due.due_date == date(2027, 5, 17)


def test_unknown_tax_types_name_the_field() -> None:
    with pytest.raises(PeriodError) as error:
        deadline("salt", "2026-10")
    assert error.value.field == "tax_type"


def test_a_published_deadline_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {**load_data(), "published": {"vat": {"2026-09": "2026-10-26"}}}
    monkeypatch.setattr(deadlines, "load_data", lambda: data)
    due = deadline("vat", "2026-09")
    assert (due.due_date, due.how) == (date(2026, 10, 26), "published")


def test_rules_have_effective_dates() -> None:
    monthly_2008 = parse_period("2008-12")
    with pytest.raises(PeriodError):
        deadlines.rule_for("vat", monthly_2008)


@given(st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 1)))
def test_a_deadline_is_a_working_day_never_before_the_statutory_one(day: date) -> None:
    period = f"{day.year}-{day.month:02d}"
    due = deadline("vat", period)
    calendar = Calendar(load_data()["calendars"])
    assert not calendar.is_rest_day(due.due_date)
    assert due.due_date >= due.statutory
    assert due.due_date - due.statutory < timedelta(days=20)
