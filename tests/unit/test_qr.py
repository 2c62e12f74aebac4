"""The national invoice QR payload: sources.md#invoices examples, malformed payloads, round trip."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etax.rules import invoice_types, qr
from etax.rules.qr import QrError, QrPayload

# The real payloads quoted in sources.md#invoices.
REAL = [
    (
        "01,10,011001605111,80100798,64.9,20161018,85342965681116380258",
        QrPayload(
            "01",
            "10",
            "011001605111",
            "80100798",
            6490,
            date(2016, 10, 18),
            "85342965681116380258",
            "",
        ),
    ),
    (
        "01,01,1200154130,03630024,94339.62,20160621,,9335,",
        QrPayload("01", "01", "1200154130", "03630024", 9433962, date(2016, 6, 21), "", "9335"),
    ),
    (
        "01,04,4200161350,00015045,165106.00,20160501,48114255542168294433,DBFE,",
        QrPayload(
            "01",
            "04",
            "4200161350",
            "00015045",
            16510600,
            date(2016, 5, 1),
            "48114255542168294433",
            "DBFE",
        ),
    ),
    (
        "01,32,,23442000000014209621,112,20230215,,74AE",
        QrPayload("01", "32", "", "23442000000014209621", 11200, date(2023, 2, 15), "", "74AE"),
    ),
]


@pytest.mark.parametrize(("text", "expected"), REAL)
def test_real_payloads_parse(text: str, expected: QrPayload) -> None:
    assert qr.parse(text) == expected


@pytest.mark.parametrize(("text", "expected"), REAL)
def test_trailing_comma_and_whitespace_do_not_matter(text: str, expected: QrPayload) -> None:
    bare = text.rstrip(",")
    assert qr.parse(bare) == expected
    assert qr.parse(bare + ",") == expected
    spaced = " " + " , ".join(bare.split(",")) + " ,\n"
    assert qr.parse(spaced) == expected


def test_real_payload_fields_in_words() -> None:
    special = qr.parse(REAL[1][0])
    assert qr.type_name(special.type) == "增值税专用发票"
    assert special.check_code == ""  # 专票 payloads carry no check code
    digital = qr.parse(REAL[3][0])
    assert qr.type_name(digital.type) == "电子发票（普通发票）"
    assert digital.code == ""
    assert invoice_types.is_fully_digitalized(digital.type)


def test_render_is_canonical() -> None:
    assert qr.render(REAL[0][1]) == (
        "01,10,011001605111,80100798,64.90,20161018,85342965681116380258,,"
    )
    assert qr.render(REAL[1][1]) == "01,01,1200154130,03630024,94339.62,20160621,,9335,"
    assert qr.render(REAL[3][1]) == "01,32,,23442000000014209621,112.00,20230215,,74AE,"


def test_lower_case_tail_is_kept_upper_case() -> None:
    assert qr.parse("01,32,,23442000000014209621,112,20230215,,74ae").tail == "74AE"


def test_negative_amounts_of_red_letter_invoices() -> None:
    assert qr.parse("01,32,,23442000000014209621,-112.5,20230215,,74AE").amount_fen == -11250


ORDINARY = REAL[0][0].split(",")  # 7 fields
SPECIAL = REAL[1][0].rstrip(",").split(",")
DIGITAL = REAL[3][0].split(",")
VERSION, TYPE, CODE, NUMBER, AMOUNT, DATE, CHECK_CODE, TAIL = range(8)


def _with(base: list[str], index: int, value: str) -> str:
    """A real payload with one field replaced."""
    parts = list(base)
    parts[index] = value
    return ",".join(parts)


@pytest.mark.parametrize(
    ("text", "field", "reason"),
    [
        # The malformed kinds the sources name: version ≠ 01, too few fields.
        (_with(ORDINARY, VERSION, "02"), "version", "the version must be 01, not '02'"),
        (_with(ORDINARY, VERSION, "1"), "version", "the version must be 01, not '1'"),
        (",".join(ORDINARY[:6]), "payload", "a payload has 7 or 8 fields, this one has 6"),
        ("", "payload", "a payload has 7 or 8 fields, this one has 1"),
        (",".join(DIGITAL) + ",,", "payload", "a payload has 7 or 8 fields, this one has 10"),
        (",".join(DIGITAL) + ",X", "payload", "a payload has 7 or 8 fields, this one has 9"),
        (_with(ORDINARY, TYPE, "99"), "type", "'99' is not a known invoice type"),
        (_with(ORDINARY, TYPE, ""), "type", "'' is not a known invoice type"),
        (_with(DIGITAL, CODE, "011001605111"), "code", "a fully digitalized invoice (31, 32)"),
        (_with(ORDINARY, CODE, ""), "code", "type 10 needs a 10- or 12-digit invoice code"),
        (_with(ORDINARY, CODE, "01100160511"), "code", "type 10 needs a 10- or 12-digit"),
        (_with(ORDINARY, CODE, "01100160511A"), "code", "type 10 needs a 10- or 12-digit"),
        (_with(DIGITAL, NUMBER, "2344200000001420962"), "number", "a fully digitalized invoice"),
        (_with(ORDINARY, NUMBER, "8010079"), "number", "type 10 has an 8-digit invoice number"),
        (_with(ORDINARY, NUMBER, "2" * 20), "number", "type 10 has an 8-digit invoice number"),
        (_with(ORDINARY, AMOUNT, "64.901"), "amount", "at most 2 decimal places"),
        (_with(ORDINARY, AMOUNT, ""), "amount", "the amount is blank"),
        (_with(ORDINARY, AMOUNT, "6e1"), "amount", "exponents are not allowed"),
        (_with(SPECIAL, AMOUNT, "1,000"), "payload", "a payload has 7 or 8 fields"),
        (_with(ORDINARY, DATE, "20161318"), "date", "20161318 is not a calendar date"),
        (_with(ORDINARY, DATE, "20160230"), "date", "20160230 is not a calendar date"),
        (_with(ORDINARY, DATE, "2016-10-18"), "date", "the issue date is written yyyymmdd"),
        (_with(ORDINARY, DATE, "161018"), "date", "the issue date is written yyyymmdd"),
        (_with(ORDINARY, CHECK_CODE, "12345"), "check_code", "the check code is empty or 20"),
        (_with(ORDINARY, CHECK_CODE, "1" * 19 + "X"), "check_code", "the check code is empty"),
        (_with(SPECIAL, TAIL, "93G5"), "tail", "the last field is empty or four hex digits"),
        (_with(SPECIAL, TAIL, "93355"), "tail", "the last field is empty or four hex digits"),
    ],
)
def test_malformed_payloads_name_the_field(text: str, field: str, reason: str) -> None:
    with pytest.raises(QrError) as caught:
        qr.parse(text)
    assert caught.value.field == field
    assert caught.value.reason.startswith(reason)


def test_first_wrong_field_is_named() -> None:
    with pytest.raises(QrError) as caught:
        qr.parse("02,99,x,y,z,w,v,u")
    assert caught.value.field == "version"


def test_constructing_an_invalid_payload_is_refused() -> None:
    with pytest.raises(QrError) as caught:
        QrPayload("01", "31", "", "1" * 20, 100, datetime(2024, 1, 1, 12, 0), "", "")
    assert caught.value.field == "date"
    with pytest.raises(QrError) as caught:
        QrPayload("01", "31", "", "1" * 20, 100, date(2024, 1, 1), "", "abcd")
    assert caught.value.field == "tail"
    with pytest.raises(QrError) as caught:
        QrPayload("01", "31", "", "1" * 20, 10**14, date(2024, 1, 1), "", "")
    assert caught.value.field == "amount"


def test_tail_for_our_own_invoices() -> None:
    payload = QrPayload("01", "32", "", "24353000000000000042", 113000, date(2024, 3, 1))
    tail = qr.tail_for(payload)
    assert re.fullmatch("[0-9A-F]{4}", tail)
    # SHA-256 of "01,32,,24353000000000000042,1130.00,20240301," (the other seven fields).
    expected = hashlib.sha256(b"01,32,,24353000000000000042,1130.00,20240301,").hexdigest()
    assert tail == expected[:4].upper()
    sealed = qr.with_tail(payload)
    assert sealed.tail == tail
    assert qr.render(sealed).endswith(f",{tail},")
    assert qr.tail_for(sealed) == tail  # the tail does not feed itself


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet="0123456789", min_size=n, max_size=n)


@st.composite
def payloads(draw: st.DrawFn) -> QrPayload:
    """Any valid payload, of every known type."""
    type_ = draw(st.sampled_from(list(invoice_types.TYPE_NAMES)))
    if invoice_types.is_fully_digitalized(type_):
        code, number = "", draw(_digits(20))
    else:
        code, number = draw(st.one_of(_digits(10), _digits(12))), draw(_digits(8))
    return QrPayload(
        version="01",
        type=type_,
        code=code,
        number=number,
        amount_fen=draw(st.integers(-(10**13), 10**13)),
        issue_date=draw(st.dates()),
        check_code=draw(st.one_of(st.just(""), _digits(20))),
        tail=draw(st.one_of(st.just(""), st.from_regex(r"[0-9A-F]{4}", fullmatch=True))),
    )


@given(payloads())
def test_round_trip(payload: QrPayload) -> None:
    assert qr.parse(qr.render(payload)) == payload


@given(payloads())
def test_round_trip_without_trailing_comma(payload: QrPayload) -> None:
    assert qr.parse(qr.render(payload)[:-1]) == payload


@given(payloads())
def test_our_tail_round_trips(payload: QrPayload) -> None:
    sealed = qr.with_tail(payload)
    assert qr.parse(qr.render(sealed)).tail == qr.tail_for(payload)


def test_our_payload_carries_the_signed_total() -> None:
    number = "26352000000000000001"
    normal = qr.for_invoice("32", number, 109000, date(2026, 12, 3))
    red = qr.for_invoice("32", number, -109000, date(2026, 12, 3))
    assert normal.startswith(f"01,32,,{number},1090.00,20261203,,")
    assert red.startswith(f"01,32,,{number},-1090.00,20261203,,")
    assert qr.parse(red).amount_fen == -109000
    assert qr.parse(red).tail == qr.tail_for(qr.parse(red))
