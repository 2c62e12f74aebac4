"""Invoice types and the platform's code classification (alxd), vectors from sources.md#invoices."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etax.rules import invoice_types
from etax.rules.invoice_types import InvoiceCodeError, InvoiceTypeError

ALL_TYPES = ["01", "02", "03", "04", "08", "10", "11", "14", "15", "31", "32"]


def test_every_listed_type_has_a_name_and_a_check() -> None:
    assert list(invoice_types.TYPE_NAMES) == ALL_TYPES
    assert set(invoice_types.REQUIRED_CHECK) == set(ALL_TYPES)
    assert invoice_types.type_name("01") == "增值税专用发票"
    assert invoice_types.type_name("31") == "电子发票（增值税专用发票）"
    assert invoice_types.type_name("32") == "电子发票（普通发票）"


@pytest.mark.parametrize(
    ("invoice_type", "check"),
    [
        ("01", "amount"),
        ("02", "amount"),
        ("03", "amount"),
        ("08", "amount"),
        ("04", "check_code_last6"),
        ("10", "check_code_last6"),
        ("11", "check_code_last6"),
        ("14", "check_code_last6"),
        ("15", "total"),
        ("31", "total"),
        ("32", "total"),
    ],
)
def test_required_check(invoice_type: str, check: str) -> None:
    assert invoice_types.required_check(invoice_type) == check


def test_fully_digitalized() -> None:
    assert [t for t in ALL_TYPES if invoice_types.is_fully_digitalized(t)] == ["31", "32"]


@pytest.mark.parametrize("bad", ["99", "", "1", "05", "33"])
def test_unknown_types_are_refused(bad: str) -> None:
    assert not invoice_types.is_known_type(bad)
    for function in (
        invoice_types.type_name,
        invoice_types.required_check,
        invoice_types.is_fully_digitalized,
    ):
        with pytest.raises(InvoiceTypeError, match="is not one of 01, 02"):
            function(bad)


# Every branch of the platform's alxd, in its order.
CLASSIFIED = [
    # The four special 12-digit codes → 10, though none starts with 0.
    ("144031539110", "10"),
    ("131001570151", "10"),
    ("133011501118", "10"),
    ("111001571071", "10"),
    # 12 digits, first digit 0: the suffix decides.
    ("011001605111", "10"),  # the sources' QR example of a 电子普票
    ("044031900104", "04"),
    ("044031900105", "04"),
    ("044031900106", "11"),
    ("044031900107", "11"),
    ("044031900112", "14"),
    ("044031900117", "15"),
    ("044031920117", "15"),  # digit 8 = 2 does not matter when the first digit is 0
    # 12 digits, first digit not 0, digit 8 = 2 → 机动车.
    ("144031520110", "03"),
    ("144031520111", "03"),  # suffix 11 needs a leading 0
    # 10 digits: digit 8 decides.
    ("1200154130", "01"),  # the sources' QR example of a 专票
    ("1200154530", "01"),
    ("1200154330", "04"),
    ("1200154630", "04"),
    ("4200161350", "04"),  # the sources' QR example of a 普票
    ("1200154730", "02"),
    ("1200154230", "02"),
]


@pytest.mark.parametrize(("code", "invoice_type"), CLASSIFIED)
def test_classify_legacy_code(code: str, invoice_type: str) -> None:
    assert invoice_types.classify_legacy_code(code) == invoice_type


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("", "an invoice code has 10 or 12 digits, this one has 0"),
        ("12001541", "an invoice code has 10 or 12 digits, this one has 8"),
        ("12001541301", "an invoice code has 10 or 12 digits, this one has 11"),
        ("0440319001041", "an invoice code has 10 or 12 digits, this one has 13"),
        ("12001541A0", "an invoice code has only the digits 0-9"),
        ("１２００１５４１３０", "an invoice code has only the digits 0-9"),
        ("044031900199", "a 12-digit code starting with 0 must end in one of"),
        ("044031920199", "a 12-digit code starting with 0 must end in one of"),
        ("144031539111", "a 12-digit code not starting with 0 is a 机动车 invoice only"),
        ("1200154030", "digit 8 of a 10-digit code must be 1, 2, 3, 5, 6 or 7; here it is 0"),
        ("1200154430", "digit 8 of a 10-digit code must be 1, 2, 3, 5, 6 or 7; here it is 4"),
        ("1200154830", "digit 8 of a 10-digit code must be 1, 2, 3, 5, 6 or 7; here it is 8"),
        ("1200154930", "digit 8 of a 10-digit code must be 1, 2, 3, 5, 6 or 7; here it is 9"),
    ],
)
def test_unclassifiable_codes_say_why(code: str, reason: str) -> None:
    with pytest.raises(InvoiceCodeError) as caught:
        invoice_types.classify_legacy_code(code)
    assert caught.value.reason.startswith(reason)


@pytest.mark.parametrize(
    ("code", "area"),
    [
        ("1200154130", "1200"),
        ("4200161350", "4200"),
        ("011001605111", "1100"),
        ("4403154130", "4403"),
        ("044031900104", "4403"),
        ("2102154130", "2102"),
        ("021021900104", "2102"),
        ("3302154130", "3302"),
        ("3502154130", "3502"),
        ("3702154130", "3702"),
        ("4401154130", "4400"),
        ("3301154130", "3300"),
        ("144031539110", "4403"),  # 12 digits: digits 2-5
        ("137021900104", "3702"),
        ("135011900104", "3500"),
    ],
)
def test_routing_area(code: str, area: str) -> None:
    assert invoice_types.routing_area(code) == area


def test_routing_area_refuses_malformed_codes() -> None:
    with pytest.raises(InvoiceCodeError, match="10 or 12 digits"):
        invoice_types.routing_area("123")


@given(st.text(alphabet="0123456789", min_size=10, max_size=12).filter(lambda s: len(s) != 11))
def test_classification_is_total_over_digit_strings(code: str) -> None:
    """Every 10- or 12-digit string gets a known type or a reason, nothing else."""
    reason = ""
    found = ""
    try:
        found = invoice_types.classify_legacy_code(code)
    except InvoiceCodeError as error:
        reason = error.reason
    assert bool(found) != bool(reason)
    assert found in {"", "01", "02", "03", "04", "10", "11", "14", "15"}
    start = 1 if len(code) == 12 else 0
    area = invoice_types.routing_area(code)
    assert area == code[start : start + 4] or area == code[start : start + 2] + "00"
    assert area in invoice_types.KEPT_AREAS or area.endswith("00")
