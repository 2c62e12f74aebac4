"""GB 32100-2015 credit codes: sources.md#uscc vectors and properties of the check character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etax.rules import uscc

VALID = [
    "91350100M000100Y43",  # the standard's worked example
    "9144030071526726XG",
    "91440300708461136T",
    "914403001922038216",
    "91110000802100433B",
    "911100006000045237",
    "91110000101623741K",
    "911101066976941872",
]
# Real, published codes whose check character is wrong (sources.md#uscc).
REAL_BUT_FAILING = ["91350211M0000XUF46", "91350203M0001QAY9B"]


@pytest.mark.parametrize("code", VALID)
def test_published_codes_pass(code: str) -> None:
    parsed = uscc.parse(code)
    assert parsed.checksum_valid
    assert parsed.checksum_reason is None
    assert uscc.is_valid(code)


@pytest.mark.parametrize("code", REAL_BUT_FAILING)
def test_real_codes_that_fail_the_checksum_are_well_formed(code: str) -> None:
    parsed = uscc.parse(code)
    assert not parsed.checksum_valid
    assert parsed.checksum_reason


def test_standard_example_with_wrong_check_character() -> None:
    parsed = uscc.parse("91350100M000100Y4Z")
    assert not parsed.checksum_valid
    assert parsed.expected_check_character == "3"
    assert parsed.checksum_reason == "check character is 'Z', but positions 1-17 give '3'"


def test_weights_are_powers_of_three_mod_31() -> None:
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_parts() -> None:
    parsed = uscc.parse("91350100M000100Y43")
    assert parsed.registration_authority == "9"
    assert parsed.authority_name == "工商(市场监管)"
    assert parsed.entity_type_name == "企业"
    assert parsed.region_code == "350100"
    assert parsed.organization_code == "M000100Y4"
    assert parsed.warnings == []


def test_people_type_lower_case_and_spaces() -> None:
    assert uscc.parse(" 91350100m000100y43 ").code == "91350100M000100Y43"
    assert uscc.parse("913501 00M000 100Y43").code == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "a credit code has 18 characters, this one has 0"),
        ("91350100M000100Y4", "a credit code has 18 characters, this one has 17"),
        ("91350100M000100Y433", "a credit code has 18 characters, this one has 19"),
        ("91350100I000100Y43", "character 'I' at position 9 is not allowed"),
        ("9135010OM000100Y43", "character 'O' at position 8 is not allowed"),
        ("91350100M000100Y4-", "character '-' at position 18 is not a letter or digit"),
    ],
)
def test_malformed_codes_say_why(text: str, reason: str) -> None:
    with pytest.raises(uscc.MalformedCode) as caught:
        uscc.parse(text)
    assert caught.value.reason.startswith(reason)
    assert not uscc.is_valid(text)


def test_unpublished_authority_is_a_warning_not_an_error() -> None:
    parsed = uscc.parse(uscc.complete("X1350100M000100Y4"))
    assert parsed.checksum_valid
    assert parsed.warnings == ["registration-authority code 'X' is not a published one"]


first17 = st.text(alphabet=uscc.ALPHABET, min_size=17, max_size=17)


@given(first17)
def test_completed_codes_are_valid(head: str) -> None:
    assert uscc.is_valid(uscc.complete(head))


@given(first17, st.integers(0, 16), st.integers(1, 30))
def test_any_single_substitution_is_detected(head: str, position: int, shift: int) -> None:
    code = uscc.complete(head)
    value = uscc.ALPHABET.index(code[position])
    changed = code[:position] + uscc.ALPHABET[(value + shift) % 31] + code[position + 1:]
    assert not uscc.parse(changed).checksum_valid
