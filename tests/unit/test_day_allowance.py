"""A person's allowance of a day (etax.rules.dates.day_allowance): the China day, a counter's
expiry after it, the seconds to the next day."""

from __future__ import annotations

from datetime import UTC, datetime

from etax.rules.dates import day_allowance


def test_the_day_is_chinas_and_the_counter_outlives_it() -> None:
    day, expires, retry = day_allowance(datetime(2026, 12, 6, 2, 0, tzinfo=UTC))  # 10:00
    assert day == "2026-12-06"
    assert retry == 14 * 3600 + 1  # to midnight in Beijing
    # two days after the day's end (2026-12-06T16:00Z)
    assert expires == int(datetime(2026, 12, 8, 16, 0, tzinfo=UTC).timestamp())


def test_late_evening_utc_is_already_the_next_day_in_china() -> None:
    day, _, retry = day_allowance(datetime(2026, 12, 6, 15, 59, 59, 500000, tzinfo=UTC))
    assert (day, retry) == ("2026-12-06", 1)  # half a second left: never 0
    assert day_allowance(datetime(2026, 12, 6, 16, 0, tzinfo=UTC))[0] == "2026-12-07"
