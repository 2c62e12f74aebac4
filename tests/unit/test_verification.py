"""Rules of the verification service (sources.md#invoices): requests, matching, day, window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from etax.invoices import verification_rules as v
from etax.invoices.verification_rules import (
    ResultCode,
    VerifyFacts,
    VerifyInputError,
    VerifyQuery,
)
from etax.rules import dates

DIGITAL_NUMBER = "23442000000014209621"
ISSUED = date(2023, 2, 15)


# --- result codes and constants ------------------------------------------------------------


def test_result_codes_and_messages() -> None:
    assert [code.value for code in ResultCode] == ["001", "002", "006", "009"]
    assert ResultCode("001") is ResultCode.GENUINE
    assert ResultCode.GENUINE.message_zh == "查验成功"
    assert ResultCode.MISMATCH.message_zh == "不一致"
    assert ResultCode.NOT_FOUND.message_zh == "查无此票"
    assert "5" in ResultCode.OVER_DAILY_LIMIT.message_zh
    assert all(code.message_en for code in ResultCode)
    assert v.DAILY_LIMIT == 5
    assert v.WINDOW_YEARS == 5


# --- business day and window ---------------------------------------------------------------


def test_business_date_across_midnight() -> None:
    # Shanghai is UTC+8: 15:59:59 UTC is 23:59:59 there, 16:00 UTC is the next day.
    assert dates.business_date(datetime(2024, 1, 1, 15, 59, 59, tzinfo=UTC)) == date(2024, 1, 1)
    assert dates.business_date(datetime(2024, 1, 1, 16, 0, tzinfo=UTC)) == date(2024, 1, 2)
    # Just after UTC midnight it is already morning in Shanghai, same date.
    assert dates.business_date(datetime(2024, 1, 2, 0, 0, 1, tzinfo=UTC)) == date(2024, 1, 2)
    # A New York evening is the next morning in Shanghai.
    new_york = timezone(timedelta(hours=-5))
    assert dates.business_date(datetime(2024, 12, 31, 20, 0, tzinfo=new_york)) == date(2025, 1, 1)


def test_business_date_needs_a_time_zone() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        dates.business_date(datetime(2024, 1, 1, 12, 0))


@given(
    st.datetimes(
        min_value=datetime(1992, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)
    )
)
def test_business_date_is_utc_plus_eight(now: datetime) -> None:
    """China has kept UTC+8 without daylight saving since 1991 (earlier years differ)."""
    assert dates.business_date(now) == (now + timedelta(hours=8)).date()


@pytest.mark.parametrize(
    ("issued", "today", "inside"),
    [
        (date(2020, 6, 15), date(2025, 6, 15), True),  # same calendar day five years ago
        (date(2020, 6, 14), date(2025, 6, 15), False),  # one day earlier
        (date(2025, 6, 15), date(2025, 6, 15), True),  # issued today: checkable today
        (date(2025, 6, 16), date(2025, 6, 15), False),  # in the future
        (date(2023, 2, 28), date(2028, 2, 29), True),  # 29 Feb five years back → 28 Feb
        (date(2023, 2, 27), date(2028, 2, 29), False),
        (date(2024, 2, 29), date(2029, 2, 28), True),  # the window starts 2024-02-28
        (date(2024, 2, 28), date(2029, 2, 28), True),
        (date(2024, 2, 27), date(2029, 2, 28), False),
    ],
)
def test_window_edges(issued: date, today: date, inside: bool) -> None:
    assert v.within_window(issued, today) is inside


def test_window_start() -> None:
    assert v.window_start(date(2025, 6, 15)) == date(2020, 6, 15)
    assert v.window_start(date(2028, 2, 29)) == date(2023, 2, 28)


# --- request forms -------------------------------------------------------------------------


def test_fully_digitalized_form() -> None:
    query = v.query_from_request(
        {"number": DIGITAL_NUMBER, "issue_date": "2023-02-15", "total": "112"}
    )
    assert query == VerifyQuery(DIGITAL_NUMBER, None, ISSUED, total_fen=11200)
    assert query.check == "total"


def test_special_invoice_form() -> None:
    query = v.query_from_request(
        {
            "code": "1200154130",
            "number": "03630024",
            "issue_date": "2016-06-21",
            "amount": "94339.62",
        }
    )
    assert query == VerifyQuery("03630024", "1200154130", date(2016, 6, 21), amount_fen=9433962)
    assert query.check == "amount"


def test_ordinary_invoice_form() -> None:
    query = v.query_from_request(
        {
            "code": "011001605111",
            "number": "80100798",
            "issue_date": "2016-10-18",
            "check_code_last6": "380258",
        }
    )
    assert query == VerifyQuery(
        "80100798", "011001605111", date(2016, 10, 18), check_code_last6="380258"
    )
    assert query.check == "check_code_last6"


def test_used_car_code_is_checked_by_total() -> None:
    query = v.query_from_request(
        {"code": "044031900117", "number": "12345678", "issue_date": "2020-01-02", "total": "50000"}
    )
    assert query.total_fen == 5000000


def test_red_letter_amounts_may_be_negative() -> None:
    query = v.query_from_request(
        {"number": DIGITAL_NUMBER, "issue_date": "2023-02-15", "total": "-112.00"}
    )
    assert query.total_fen == -11200


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            "01,10,011001605111,80100798,64.9,20161018,85342965681116380258",
            VerifyQuery("80100798", "011001605111", date(2016, 10, 18), check_code_last6="380258"),
        ),
        (
            "01,01,1200154130,03630024,94339.62,20160621,,9335,",
            VerifyQuery("03630024", "1200154130", date(2016, 6, 21), amount_fen=9433962),
        ),
        (
            "01,04,4200161350,00015045,165106.00,20160501,48114255542168294433,DBFE,",
            VerifyQuery("00015045", "4200161350", date(2016, 5, 1), check_code_last6="294433"),
        ),
        (
            "01,32,,23442000000014209621,112,20230215,,74AE",
            VerifyQuery(DIGITAL_NUMBER, None, ISSUED, total_fen=11200),
        ),
    ],
)
def test_qr_form_uses_the_check_value_of_its_type(payload: str, expected: VerifyQuery) -> None:
    assert v.query_from_request({"qr": payload}) == expected


ORDINARY: dict[str, object] = {
    "code": "011001605111",
    "number": "80100798",
    "issue_date": "2016-10-18",
    "check_code_last6": "380258",
}
SPECIAL: dict[str, object] = {
    "code": "1200154130",
    "number": "03630024",
    "issue_date": "2016-06-21",
    "amount": "94339.62",
}
DIGITAL: dict[str, object] = {"number": DIGITAL_NUMBER, "issue_date": "2023-02-15", "total": "112"}


def _without(body: dict[str, object], name: str) -> dict[str, object]:
    return {key: value for key, value in body.items() if key != name}


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({**DIGITAL, "buyer": "x"}, "buyer", "unknown field"),
        ({**DIGITAL, "fpdm": "x"}, "fpdm", "unknown field"),
        ({**DIGITAL, "": "x"}, "body", "unknown field"),
        ({}, "number", "missing"),
        (_without(DIGITAL, "number"), "number", "missing"),
        (_without(DIGITAL, "issue_date"), "issue_date", "missing"),
        (_without(DIGITAL, "total"), "total", "missing: a fully digitalized invoice is checked"),
        (_without(SPECIAL, "amount"), "amount", "missing: an invoice of type 01 is checked"),
        (_without(ORDINARY, "check_code_last6"), "check_code_last6", "missing"),
        (_without(ORDINARY, "code"), "code", "missing: an 8-digit invoice number needs its code"),
        ({**DIGITAL, "code": "1200154130"}, "code", "a fully digitalized invoice"),
        ({**DIGITAL, "amount": "100"}, "amount", "not used: a fully digitalized invoice"),
        ({**SPECIAL, "total": "100"}, "total", "not used: an invoice of type 01"),
        ({**SPECIAL, "check_code_last6": "123456"}, "check_code_last6", "not used"),
        ({**ORDINARY, "amount": "1"}, "amount", "not used: an invoice of type 10"),
        ({**DIGITAL, "qr": "01,32,,"}, "issue_date", "cannot be combined with 'qr'"),
        ({**DIGITAL, "number": "2344200000001420962"}, "number", "an invoice number has 20"),
        ({**DIGITAL, "number": 23442000000014209621}, "number", "must be a string, not int"),
        ({**ORDINARY, "number": "8010079"}, "number", "an invoice number has 20 digits"),
        ({**ORDINARY, "code": "0110016051"}, "code", "digit 8 of a 10-digit code"),
        ({**ORDINARY, "code": "01100160511"}, "code", "an invoice code has 10 or 12 digits"),
        ({**ORDINARY, "code": None}, "code", "must be a string, not NoneType"),
        ({**ORDINARY, "check_code_last6": "38025"}, "check_code_last6", "the last six digits"),
        ({**ORDINARY, "check_code_last6": "38025X"}, "check_code_last6", "the last six digits"),
        ({**DIGITAL, "issue_date": "2023/02/15"}, "issue_date", "write the date as YYYY-MM-DD"),
        ({**DIGITAL, "issue_date": "20230215"}, "issue_date", "write the date as YYYY-MM-DD"),
        ({**DIGITAL, "issue_date": "2023-02-30"}, "issue_date", "2023-02-30 is not a calendar"),
        ({**DIGITAL, "total": "1e3"}, "total", "exponents are not allowed"),
        ({**DIGITAL, "total": 112.0}, "total", "must be a decimal string in yuan"),
        ({**DIGITAL, "total": True}, "total", "must be a decimal string in yuan"),
        ({**SPECIAL, "amount": "94,339.62"}, "amount", "thousands separators"),
        ({"qr": "02,32,,23442000000014209621,112,20230215,,74AE"}, "qr.version", "the version"),
        ({"qr": "01,32,,23442000000014209621,112"}, "qr.payload", "a payload has 7 or 8"),
        ({"qr": "01,04,4200161350,00015045,1.00,20160501,,DBFE"}, "qr.check_code", "type 04"),
        ({"qr": 42}, "qr", "must be a string"),
    ],
)
def test_bad_requests_name_the_field(body: dict[str, object], field: str, reason: str) -> None:
    with pytest.raises(VerifyInputError) as caught:
        v.query_from_request(body)
    assert caught.value.field == field
    assert caught.value.reason.startswith(reason)


def test_query_needs_exactly_one_check_value() -> None:
    with pytest.raises(VerifyInputError, match="exactly one"):
        VerifyQuery(DIGITAL_NUMBER, None, ISSUED)
    with pytest.raises(VerifyInputError, match="exactly one"):
        VerifyQuery(DIGITAL_NUMBER, None, ISSUED, amount_fen=1, total_fen=2)


# --- matching ------------------------------------------------------------------------------

DIGITAL_FACTS = VerifyFacts("32", None, DIGITAL_NUMBER, ISSUED, 9912, 11200, None)
SPECIAL_FACTS = VerifyFacts(
    "01", "1200154130", "03630024", date(2016, 6, 21), 9433962, 10660377, None
)
ORDINARY_FACTS = VerifyFacts(
    "10", "011001605111", "80100798", date(2016, 10, 18), 5743, 6490, "85342965681116380258"
)


def test_matches_each_kind() -> None:
    assert v.matches(v.query_from_request(DIGITAL), DIGITAL_FACTS)
    assert v.matches(v.query_from_request(SPECIAL), SPECIAL_FACTS)
    assert v.matches(v.query_from_request(ORDINARY), ORDINARY_FACTS)


def test_digital_facts_with_empty_code_match_a_query_without_code() -> None:
    facts = VerifyFacts("32", "", DIGITAL_NUMBER, ISSUED, 9912, 11200, "")
    assert v.matches(v.query_from_request(DIGITAL), facts)


@pytest.mark.parametrize(
    ("body", "facts"),
    [
        ({**DIGITAL, "total": "112.01"}, DIGITAL_FACTS),
        ({**DIGITAL, "total": "99.12"}, DIGITAL_FACTS),  # the amount, not the total
        ({**DIGITAL, "issue_date": "2023-02-16"}, DIGITAL_FACTS),
        ({**DIGITAL, "number": "23442000000014209622"}, DIGITAL_FACTS),
        ({**SPECIAL, "amount": "106603.77"}, SPECIAL_FACTS),  # the total, not the amount
        ({**ORDINARY, "check_code_last6": "380259"}, ORDINARY_FACTS),
        ({**ORDINARY, "check_code_last6": "853429"}, ORDINARY_FACTS),  # first six, not last
    ],
)
def test_mismatches(body: dict[str, object], facts: VerifyFacts) -> None:
    assert not v.matches(v.query_from_request(body), facts)


def test_query_with_the_wrong_kind_of_check_value_does_not_match() -> None:
    # Same identity, but the stored invoice is a 专票 and the query carries a total.
    query = VerifyQuery("03630024", "1200154130", date(2016, 6, 21), total_fen=10660377)
    assert not v.matches(query, SPECIAL_FACTS)
    no_check_code = VerifyFacts("10", "011001605111", "80100798", date(2016, 10, 18), 1, 1, None)
    assert not v.matches(v.query_from_request(ORDINARY), no_check_code)
    other_code = VerifyFacts("01", "1200154530", "03630024", date(2016, 6, 21), 9433962, 1, None)
    assert not v.matches(v.query_from_request(SPECIAL), other_code)


def test_qr_query_matches_its_invoice() -> None:
    query = v.query_from_request(
        {"qr": "01,10,011001605111,80100798,64.9,20161018,85342965681116380258"}
    )
    assert v.matches(query, ORDINARY_FACTS)


def test_result_for() -> None:
    good = v.query_from_request(DIGITAL)
    bad = v.query_from_request({**DIGITAL, "total": "1"})
    assert v.result_for(good, None, 0) is ResultCode.NOT_FOUND
    assert v.result_for(good, DIGITAL_FACTS, 0) is ResultCode.GENUINE
    assert v.result_for(good, DIGITAL_FACTS, 4) is ResultCode.GENUINE
    assert v.result_for(good, DIGITAL_FACTS, 5) is ResultCode.OVER_DAILY_LIMIT
    assert v.result_for(bad, DIGITAL_FACTS, 0) is ResultCode.MISMATCH
    assert v.result_for(bad, DIGITAL_FACTS, 5) is ResultCode.OVER_DAILY_LIMIT


# --- what counts: genuine checks, the invoice's mismatch ceiling, the caller's budget -------


def test_result_for_with_the_mismatch_ceiling() -> None:
    good = v.query_from_request(DIGITAL)
    bad = v.query_from_request({**DIGITAL, "total": "1"})
    ceiling = v.LIMITS.mismatches_per_invoice
    assert v.result_for(good, DIGITAL_FACTS, 0, ceiling - 1) is ResultCode.GENUINE
    assert v.result_for(bad, DIGITAL_FACTS, 0, ceiling - 1) is ResultCode.MISMATCH
    # at the ceiling nothing is compared: a right guess is not told from a wrong one
    assert v.result_for(good, DIGITAL_FACTS, 0, ceiling) is ResultCode.OVER_DAILY_LIMIT
    assert v.result_for(bad, DIGITAL_FACTS, 0, ceiling) is ResultCode.OVER_DAILY_LIMIT
    strict = v.Limits(mismatches_per_invoice=5, failures_per_client=1)
    assert v.result_for(bad, DIGITAL_FACTS, 0, 5, strict) is ResultCode.OVER_DAILY_LIMIT


def test_only_a_genuine_check_counts_toward_the_invoice_s_five() -> None:
    charges = {code: v.charge_for(code) for code in ResultCode}
    assert charges[ResultCode.GENUINE] == v.Charge(invoice_mismatch=False, client_failure=False)
    assert charges[ResultCode.MISMATCH] == v.Charge(invoice_mismatch=True, client_failure=True)
    assert charges[ResultCode.NOT_FOUND] == v.Charge(invoice_mismatch=False, client_failure=True)
    assert charges[ResultCode.OVER_DAILY_LIMIT] == v.Charge(invoice_mismatch=False,
                                                            client_failure=True)


def test_shipped_limits_are_data() -> None:
    assert v.Limits(mismatches_per_invoice=20, failures_per_client=50) == v.LIMITS
    assert v.Limits.shipped() == v.LIMITS
    with pytest.raises(ValueError, match="at least"):
        v.Limits(mismatches_per_invoice=4, failures_per_client=50)
    with pytest.raises(ValueError, match="at least"):
        v.Limits(mismatches_per_invoice=20, failures_per_client=0)


def test_claimed_value_names_the_compared_attribute() -> None:
    attribute, value, types = v.claimed_value(v.query_from_request(DIGITAL))
    assert (attribute, value) == ("total_fen", 11200)
    assert {"31", "32"} <= set(types)
    assert "01" not in types
    attribute, value, types = v.claimed_value(v.query_from_request(SPECIAL))
    assert (attribute, value) == ("amount_fen", 9433962)
    assert "01" in types
    ordinary = {"code": "011001605111", "number": "80100798", "issue_date": "2016-10-18",
                "check_code_last6": "116380"}
    attribute, value, types = v.claimed_value(v.query_from_request(ordinary))
    assert (attribute, value) == ("check6", "116380")
    assert "10" in types


def test_red_letter_totals_match_only_with_their_sign() -> None:
    red = VerifyFacts("32", None, DIGITAL_NUMBER, ISSUED, -9912, -11200, None)
    assert v.matches(v.query_from_request({**DIGITAL, "total": "-112.00"}), red)
    assert not v.matches(v.query_from_request(DIGITAL), red)
    by_qr = v.query_from_request({"qr": f"01,32,,{DIGITAL_NUMBER},-112.00,20230215,,ABCD,"})
    assert v.matches(by_qr, red)


def test_client_key_keeps_no_address() -> None:
    key = v.client_key("ip", "203.0.113.7")
    assert key.startswith("ip:")
    assert len(key) == 3 + 32
    assert "203.0.113.7" not in key
    assert key == v.client_key("ip", "203.0.113.7")
    assert key != v.client_key("sms", "203.0.113.7")


def test_retry_after_runs_to_the_next_shanghai_midnight() -> None:
    # 15:59:00 UTC is 23:59:00 in Shanghai: one minute (and a second) to go
    assert v.seconds_to_next_day(datetime(2026, 12, 3, 15, 59, tzinfo=UTC)) == 61
    assert v.next_day_start(datetime(2026, 12, 3, 16, 0, tzinfo=UTC)).date() == date(2026, 12, 5)
    assert v.seconds_to_next_day(datetime(2026, 12, 3, 16, 0, tzinfo=UTC)) == 86_401


def test_a_qr_payload_reads_field_by_field_in_the_answers_order() -> None:
    from etax.invoices.verification import read_qr
    from etax.platform.results import as_json

    view = as_json(read_qr(" 01,10,011001605111,80100798,64.9,20161018,85342965681116380258 "))
    assert list(view) == ["version", "type", "type_name", "code", "number", "amount", "date",
                          "check_code", "tail"]
    assert (view["type_name"], view["amount"], view["date"]) == (
        "增值税电子普通发票", "64.90", "2016-10-18")


@pytest.mark.parametrize(("payload", "field"), [
    ("01,32,,123", "payload"),
    ("01,32,,26352000000000000001,1.00,20261332,,ABCD,", "payload.date"),
])
def test_a_payload_that_is_not_an_invoice_qr_is_malformed_naming_the_part(
        payload: str, field: str) -> None:
    from etax.errors import Malformed
    from etax.invoices.verification import read_qr

    with pytest.raises(Malformed) as refused:
        read_qr(payload)
    assert refused.value.field == field
