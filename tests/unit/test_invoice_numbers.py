"""Our 20-digit 数电票 numbers (layout from sources.md#invoices) and disjoint sequence blocks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etax.rules import invoice_numbers as numbers
from etax.rules import uscc
from etax.rules.invoice_numbers import InvoiceNumber, InvoiceNumberError, SequenceBlock


def test_format_number_layout() -> None:
    text = numbers.format_number(2024, "35", "api", 42)
    assert text == "24353000000000000042"
    assert len(text) == 20


def test_facts_example_has_the_documented_layout() -> None:
    # 23442000000014209621: year 23, region 44 (广东), channel 2 (our "mobile"), sequence.
    parsed = numbers.parse_number("23442000000014209621")
    assert parsed == InvoiceNumber(23, "44", "mobile", 14209621)
    assert parsed.year == 2023
    assert str(parsed) == parsed.text == "23442000000014209621"


def test_channel_digits_are_data() -> None:
    assert numbers.CHANNEL_DIGITS == {"web": "1", "mobile": "2", "api": "3"}


TWENTY = "a fully digitalized invoice number has 20 digits"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2344200000001420962", f"{TWENTY}, this one has 19"),
        ("234420000000142096211", f"{TWENTY}, this one has 21"),
        ("", f"{TWENTY}, this one has 0"),
        ("2344200000001420962X", "an invoice number has only the digits 0-9"),
        ("２３442000000014209621", "an invoice number has only the digits 0-9"),
        ("23440000000014209621", "channel digit 0 is not one of ours (1 web, 2 mobile, 3 api)"),
        ("23449000000014209621", "channel digit 9 is not one of ours"),
        ("23442000000000000000", "sequence 0 is never issued"),
        ("23002000000014209621", "region code 00 is not a region"),
    ],
)
def test_parse_number_says_why(text: str, reason: str) -> None:
    with pytest.raises(InvoiceNumberError) as caught:
        numbers.parse_number(text)
    assert caught.value.reason.startswith(reason)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ((1999, "35", "web", 1), "the year must be between 2000 and 2099"),
        ((2100, "35", "web", 1), "the year must be between 2000 and 2099"),
        ((2024, "3", "web", 1), "a region code is two digits"),
        ((2024, "3A", "web", 1), "a region code is two digits"),
        ((2024, "00", "web", 1), "region code 00 is not a region"),
        ((2024, "35", "fax", 1), "channel 'fax' is not one of web, mobile, api"),
        ((2024, "35", "web", 0), "the sequence must be between 1 and 999999999999999"),
        ((2024, "35", "web", 10**15), "the sequence must be between 1 and"),
    ],
)
def test_format_number_refusals(args: tuple[int, str, str, int], reason: str) -> None:
    with pytest.raises(InvoiceNumberError) as caught:
        numbers.format_number(*args)
    assert caught.value.reason.startswith(reason)


years = st.integers(numbers.FIRST_YEAR, numbers.LAST_YEAR)
regions = st.from_regex(r"[0-9]{2}", fullmatch=True).filter(lambda r: r != "00")
channels = st.sampled_from(sorted(numbers.CHANNEL_DIGITS))
sequences = st.integers(1, numbers.MAX_SEQUENCE)


@given(years, regions, channels, sequences)
def test_format_parse_round_trip(year: int, region: str, channel: str, sequence: int) -> None:
    text = numbers.format_number(year, region, channel, sequence)
    assert re.fullmatch("[0-9]{20}", text)
    parsed = numbers.parse_number(text)
    assert parsed == InvoiceNumber(year % 100, region, channel, sequence)
    assert parsed.year == year
    assert parsed.text == text


@given(years, regions, channels, sequences, sequences)
def test_distinct_sequences_give_distinct_numbers(
    year: int, region: str, channel: str, a: int, b: int
) -> None:
    same = numbers.format_number(year, region, channel, a) == numbers.format_number(
        year, region, channel, b
    )
    assert same == (a == b)


@pytest.mark.parametrize(
    ("code", "region"),
    [
        ("91350100M000100Y43", "35"),  # the standard's example
        ("9144030071526726XG", "44"),
        ("91110000802100433B", "11"),
        ("91350211M0000XUF46", "35"),  # real, fails its checksum: region still usable
    ],
)
def test_region_of_credit_code(code: str, region: str) -> None:
    assert numbers.region_of_credit_code(code) == region


def test_region_of_credit_code_refusals() -> None:
    with pytest.raises(InvoiceNumberError, match="not a credit code: a credit code has 18"):
        numbers.region_of_credit_code("913501")
    with pytest.raises(InvoiceNumberError, match="is not six digits"):
        numbers.region_of_credit_code(uscc.complete("91A50100M000100Y4"))
    with pytest.raises(InvoiceNumberError, match="region code 00"):
        numbers.region_of_credit_code(uscc.complete("91000000M000100Y4"))


def test_sequence_block() -> None:
    block = numbers.block_for(2, 100)
    assert block == SequenceBlock(201, 100)
    assert block.end == 300
    assert list(block.numbers())[:2] == [201, 202]
    assert len(block.numbers()) == 100
    assert block.contains(201)
    assert block.contains(300)
    assert not block.contains(200)
    assert not block.contains(301)
    assert numbers.block_for(0, 1) == SequenceBlock(1, 1)


def test_sequence_block_refusals() -> None:
    with pytest.raises(InvoiceNumberError, match="starts at 1"):
        SequenceBlock(0, 10)
    with pytest.raises(InvoiceNumberError, match="at least one"):
        SequenceBlock(1, 0)
    with pytest.raises(InvoiceNumberError, match="must end by"):
        SequenceBlock(numbers.MAX_SEQUENCE, 2)
    with pytest.raises(InvoiceNumberError, match="start at 0"):
        numbers.block_for(-1, 10)
    with pytest.raises(InvoiceNumberError, match="at least one"):
        numbers.block_for(0, 0)


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.integers(1, 10**6))
def test_blocks_never_overlap(i: int, j: int, size: int) -> None:
    a, b = numbers.block_for(i, size), numbers.block_for(j, size)
    assert a.overlaps(b) == (i == j)
    assert a.contains(b.start) == (i == j)


@given(st.integers(0, 10**6), st.integers(1, 10**4), st.integers(1, 10**10))
def test_every_sequence_is_in_exactly_its_block(i: int, size: int, sequence: int) -> None:
    owner = (sequence - 1) // size
    assert numbers.block_for(owner, size).contains(sequence)
    assert numbers.block_for(i, size).contains(sequence) == (i == owner)
