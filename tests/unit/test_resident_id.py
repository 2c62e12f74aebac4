"""GB 11643 resident ID numbers."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etax.rules import resident_id


def test_the_standards_example() -> None:
    parsed = resident_id.parse("11010519491231002X")
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.sex == "female"
    assert parsed.masked == "110105********002X"


def test_lower_case_x_is_accepted() -> None:
    assert resident_id.parse("11010519491231002x").number == "11010519491231002X"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1101051949123100", "a resident ID has 18 characters"),
        ("1101051949123100AX", "the first 17 characters of a resident ID must be digits"),
        ("110105194902300020", "19490230 is not a valid birth date"),
        ("110105199912310020", "check character is '0', but positions 1-17 give"),
    ],
)
def test_invalid_numbers_say_why(text: str, reason: str) -> None:
    with pytest.raises(resident_id.MalformedResidentId) as caught:
        resident_id.parse(text)
    assert caught.value.reason.startswith(reason)


def test_future_birth_dates_are_refused() -> None:
    head = "11010520990101001"
    with pytest.raises(resident_id.MalformedResidentId, match="not a possible birth date"):
        resident_id.parse(head + resident_id.check_character(head), today=date(2026, 11, 28))


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
       st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_single_digit_errors_are_detected(born: date, sequence: int, position: int,
                                          shift: int) -> None:
    head = f"350102{born:%Y%m%d}{sequence:03d}"
    number = head + resident_id.check_character(head)
    changed = head[:position] + str((int(head[position]) + shift) % 10) + head[position + 1:]
    assert resident_id.check_character(changed) != number[17]
