"""A year's credit evaluation: the starting score, each indicator's counting (late filing per
month), the levels at each boundary, direct D, no A, M, repair folded in, the catalogue's
validity by date, and the in-year preview."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etax.credit.catalogue import Catalogue, catalogue_from_dict
from etax.credit.evaluation import (
    OPERATING_UNDER_3_YEARS,
    PREVIOUS_D,
    Record,
    Registration,
    YearFacts,
    evaluate,
    preview,
)
from etax.errors import Invalid
from etax.platform.data import load

OLD = Registration(registered_on=date(2015, 3, 1), recurring_complete=True)
FULL = Registration(registered_on=date(2015, 3, 1), recurring_complete=True,
                    nonrecurring_complete=True)


def _with_one_point_indicator() -> Catalogue:
    data: dict[str, Any] = dict(load("etax.credit", "indicators"))
    data["indicators"] = [*data["indicators"], {
        "code": "TEST_ONE", "description": "一分", "kind": "filing", "record_kind": "test",
        "counting": "per_occurrence", "points": 1, "repairable": False,
        "valid_from": "2025-07-01", "valid_to": None, "source": "test"}]
    return catalogue_from_dict(data)


ONE = _with_one_point_indicator()


def _points_off(n: int) -> tuple[Record, ...]:
    return tuple(Record("test", f"test:{i}", date(2026, 3, 1)) for i in range(n))


def _late(ref: str, due: date, filed: date | None, kind: str = "filing") -> Record:
    return Record(kind, f"{kind}:{ref}", due, filed)


def codes(evaluation: Any) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(d.code, d.points, d.records) for d in evaluation.deductions]


@pytest.mark.parametrize(("off", "score", "level"), [
    (0, 100, "A"), (10, 90, "A"), (11, 89, "B"), (30, 70, "B"), (31, 69, "C"),
    (60, 40, "C"), (61, 39, "D"), (100, 0, "D")])
def test_levels_at_each_boundary(off: int, score: int, level: str) -> None:
    result = evaluate(YearFacts(2026, _points_off(off)), FULL, catalogue=ONE)
    assert (result.start, result.score, result.level) == (100, Decimal(score), level)


@pytest.mark.parametrize(("registration", "start"), [
    (FULL, 100), (OLD, 93),
    (Registration(date(2015, 3, 1), recurring_complete=False), 90),
    (Registration(date(2015, 3, 1), recurring_complete=False, nonrecurring_complete=True), 90)])
def test_starting_score(registration: Registration, start: int) -> None:
    result = evaluate(YearFacts(2026), registration)
    assert (result.start, result.score, result.level) == (start, Decimal(start), "A")
    assert not result.provisional


def test_no_measures_no_evaluation() -> None:
    with pytest.raises(Invalid) as before:
        evaluate(YearFacts(2024), OLD)
    assert before.value.field == "year"


@pytest.mark.parametrize("kind", ["serious_violator_listing", "decision_unpaid",
                                  "violent_refusal", "invoice_violation",
                                  "false_incentive_claim", "abnormal_household"])
def test_each_direct_d_condition_rates_d_whatever_the_score(kind: str) -> None:
    result = evaluate(YearFacts(2026, (Record(kind, f"{kind}:1", date(2026, 5, 1)),)), FULL)
    assert (result.score, result.level) == (Decimal(100), "D")
    assert [(d.record, d.on) for d in result.direct_d] == [(f"{kind}:1", date(2026, 5, 1))]


@pytest.mark.parametrize(("amount", "due", "direct"), [
    (100_000_00, 1_000_000_00, True),       # 100,000 yuan, exactly 10 %
    (99_999_99, 500_000_00, False),         # under 100,000 yuan
    (100_000_00, 1_000_000_01, False),      # just under 10 %
    (150_000_00, 0, False)])                # no tax due on record: no share to compare
def test_evasion_rates_d_at_100000_yuan_and_10_percent(amount: int, due: int,
                                                      direct: bool) -> None:
    record = Record("evasion", "case:1", date(2026, 6, 1), amount_fen=amount, base_fen=due)
    result = evaluate(YearFacts(2026, (record,)), OLD)
    assert (result.level == "D") is direct


@pytest.mark.parametrize(("registered", "previous", "level", "no_a"), [
    (date(2023, 12, 31), None, "A", ()),
    (date(2024, 1, 1), None, "B", (OPERATING_UNDER_3_YEARS,)),
    (date(2015, 3, 1), "D", "B", (PREVIOUS_D,)),
    (date(2015, 3, 1), "C", "A", ()),
    (date(2025, 6, 1), "D", "B", (OPERATING_UNDER_3_YEARS, PREVIOUS_D))])
def test_no_a_in_the_first_three_years_or_after_a_d(registered: date, previous: str | None,
                                                   level: str, no_a: tuple[str, ...]) -> None:
    result = evaluate(YearFacts(2026), Registration(registered, True, previous_level=previous))
    assert (result.level, result.no_a) == (level, no_a)


@pytest.mark.parametrize(("registered", "income", "off", "level"), [
    (date(2026, 1, 2), True, 0, "M"),     # new: not a full evaluation year
    (date(2026, 1, 1), True, 0, "B"),     # a full year, but under 3 years: no A
    (date(2026, 3, 1), True, 61, "D"),    # new, under 40
    (date(2015, 3, 1), False, 0, "M"),
    (date(2015, 3, 1), False, 30, "M"),   # 70, no income
    (date(2015, 3, 1), False, 31, "C")])  # 69, no income
def test_m_for_new_taxpayers_and_no_income_at_70(registered: date, income: bool, off: int,
                                                 level: str) -> None:
    registration = Registration(registered, True, True, operating_income=income)
    result = evaluate(YearFacts(2026, _points_off(off)), registration, catalogue=ONE)
    assert result.level == level
    assert result.new_taxpayer is (registered > date(2026, 1, 1))


def test_a_new_taxpayer_with_a_direct_d_record_is_d() -> None:
    record = Record("abnormal_household", "abnormal:1", date(2026, 5, 1))
    assert evaluate(YearFacts(2026, (record,)), Registration(date(2026, 2, 1), True)).level == "D"


def test_late_filing_counts_once_per_month_of_the_deadline() -> None:
    records = (
        _late("vat-08", date(2025, 8, 15), date(2025, 8, 25)),
        _late("cit-08", date(2025, 8, 15), date(2025, 9, 1)),
        _late("stamp-08", date(2025, 8, 20), None),              # never filed
        _late("vat-09", date(2025, 9, 15), date(2025, 9, 30)),
        _late("vat-10", date(2025, 10, 15), date(2025, 10, 15)),  # on time
        _late("vat-11", date(2025, 11, 17), date(2025, 11, 10)))  # early
    result = evaluate(YearFacts(2025, records), OLD)
    assert codes(result) == [
        ("FILING_LATE", 5, ("filing:cit-08", "filing:vat-08", "filing:stamp-08")),
        ("FILING_LATE", 5, ("filing:vat-09",))]
    assert result.score == 83
    assert result.deductions[0].record == "filing:cit-08"
    assert result.deductions[0].corrected_on is None


def test_before_july_2025_each_late_return_counted() -> None:
    records = (_late("vat-05", date(2025, 5, 15), date(2025, 5, 25)),
               _late("cit-05", date(2025, 5, 31), date(2025, 6, 10)))
    result = evaluate(YearFacts(2025, records), OLD)
    assert codes(result) == [("FILING_LATE_2014", 5, ("filing:vat-05",)),
                             ("FILING_LATE_2014", 5, ("filing:cit-05",))]


def test_late_payment_per_occurrence_and_unpaid_surcharge_by_band() -> None:
    records = (
        _late("p1", date(2026, 4, 15), date(2026, 5, 1), kind="payment"),
        _late("p2", date(2026, 4, 15), date(2026, 6, 1), kind="payment"),
        _late("p3", date(2026, 4, 15), date(2026, 4, 15), kind="payment"),
        Record("surcharge", "surcharge:1", date(2026, 5, 1), None, amount_fen=20_000_00),
        Record("surcharge", "surcharge:2", date(2026, 5, 2), date(2026, 12, 1), 500_00),
        Record("surcharge", "surcharge:3", date(2026, 5, 3), date(2027, 1, 5), 500_00))
    result = evaluate(YearFacts(2026, records), OLD)
    assert codes(result) == [("PAYMENT_LATE", 5, ("payment:p1",)),
                             ("PAYMENT_LATE", 5, ("payment:p2",)),
                             ("SURCHARGE_UNPAID", 5, ("surcharge:1",)),
                             ("SURCHARGE_UNPAID", 3, ("surcharge:3",))]


@pytest.mark.parametrize(("count", "deducted"), [(9, 0), (10, 3), (25, 3)])
def test_invoice_patterns_need_ten_in_a_month(count: int, deducted: int) -> None:
    red = tuple(Record("red_letter_invoice", f"invoice:R{i}", date(2026, 3, 1 + i % 28))
                for i in range(count))
    voided = tuple(Record("voided_invoice", f"invoice:V{i}",
                          date(2026, 3 + i % 2, 10)) for i in range(18))  # 9 a month: none
    result = evaluate(YearFacts(2026, red + voided), OLD)
    assert [d.code for d in result.deductions] == (["INVOICE_RED_LETTER_PATTERN"] if deducted
                                                   else [])
    assert result.score == 93 - deducted
    if deducted:
        assert len(result.deductions[0].records) == count


def test_refused_refunds_each_count() -> None:
    records = (Record("refund_refused", "refund:1", date(2026, 2, 1)),
               Record("refund_refused", "refund:2", date(2026, 7, 1)))
    assert evaluate(YearFacts(2026, records), OLD).score == 83


def test_an_indicator_not_yet_valid_does_not_count() -> None:
    june = tuple(Record("red_letter_invoice", f"invoice:{i}", date(2025, 6, 10))
                 for i in range(12))
    july = tuple(Record("red_letter_invoice", f"invoice:J{i}", date(2025, 7, 10))
                 for i in range(12))
    assert evaluate(YearFacts(2025, june), OLD).deductions == ()
    assert [d.code for d in evaluate(YearFacts(2025, june + july), OLD).deductions] == [
        "INVOICE_RED_LETTER_PATTERN"]
    listed = Record("serious_violator_listing", "listing:1", date(2025, 6, 30))
    assert evaluate(YearFacts(2025, (listed,)), OLD).level == "A"


def test_records_outside_the_year_do_not_count() -> None:
    records = (_late("last-year", date(2025, 12, 15), date(2026, 1, 5)),)
    assert evaluate(YearFacts(2026, records), OLD).deductions == ()


@pytest.mark.parametrize(("filed", "approved", "restored", "score"), [
    (date(2026, 5, 18), False, Decimal(5), Decimal(93)),      # day 3: repaired without asking
    (date(2026, 5, 19), False, Decimal(0), Decimal(88)),      # day 4: waits for an officer
    (date(2026, 5, 19), True, Decimal(4), Decimal(92)),
    (date(2026, 8, 13), True, Decimal(3), Decimal(91)),       # day 90
    (date(2026, 8, 14), True, Decimal(2), Decimal(90)),       # day 91
    (None, True, Decimal(0), Decimal(88))])
def test_repair_gives_back_its_share(filed: date | None, approved: bool, restored: Decimal,
                                     score: Decimal) -> None:
    facts = YearFacts(2026, (_late("1", date(2026, 5, 15), filed),),
                      frozenset({"filing:1"}) if approved else frozenset())
    result = evaluate(facts, OLD)
    assert (result.deductions[0].restored, result.score) == (restored, score)


def test_a_fractional_repair_keeps_its_tenth() -> None:
    records = tuple(Record("surcharge", f"surcharge:{i}", date(2026, 3, 1), date(2027, 1, 20),
                           amount_fen=100_00) for i in range(2))
    facts = YearFacts(2026, records, frozenset({"surcharge:0"}))
    result = evaluate(facts, OLD)  # 3 points corrected after 90 days: 1.2 back
    assert [d.net for d in result.deductions] == [Decimal("1.8"), Decimal(3)]
    assert result.score == Decimal("88.2")
    assert result.level == "B"


def test_a_month_of_late_returns_is_repaired_when_all_are_filed() -> None:
    records = (_late("a", date(2026, 5, 15), date(2026, 5, 16)),
               _late("b", date(2026, 5, 20), date(2026, 6, 30)))
    result = evaluate(YearFacts(2026, records, frozenset({"filing:a"})), OLD)
    deduction = result.deductions[0]
    # from the first deadline to the last filing: 46 days, 60 %
    assert (deduction.on, deduction.corrected_on, deduction.restored) == (
        date(2026, 5, 15), date(2026, 6, 30), Decimal(3))


def test_the_order_of_the_records_does_not_matter() -> None:
    records = [
        _late("x", date(2026, 3, 15), date(2026, 4, 1)),
        _late("y", date(2026, 3, 16), None),
        _late("p", date(2026, 2, 15), date(2026, 3, 1), kind="payment"),
        Record("refund_refused", "refund:1", date(2026, 2, 15)),
        *(Record("voided_invoice", f"invoice:{i}", date(2026, 6, 2)) for i in range(10))]
    first = evaluate(YearFacts(2026, tuple(records)), OLD)
    random.Random(7).shuffle(records)
    assert evaluate(YearFacts(2026, tuple(records)), OLD) == first
    assert [d.code for d in first.deductions] == [
        "PAYMENT_LATE", "REFUND_REFUSED", "FILING_LATE", "INVOICE_VOIDED_PATTERN"]


def test_the_preview_is_the_year_so_far_marked_provisional() -> None:
    records = (_late("due-mar", date(2026, 3, 15), None),
               _late("due-may", date(2026, 5, 15), None),
               Record("abnormal_household", "abnormal:1", date(2026, 9, 1)))
    early = preview(YearFacts(2026, records), OLD, date(2026, 3, 15))
    assert (early.provisional, early.as_of, early.deductions, early.level) == (
        True, date(2026, 3, 15), (), "A")
    later = preview(YearFacts(2026, records), OLD, date(2026, 6, 1))
    assert ([d.record for d in later.deductions], later.score) == (
        ["filing:due-mar", "filing:due-may"], Decimal(83))
    assert evaluate(YearFacts(2026, records), OLD).level == "D"
    with pytest.raises(Invalid) as other_year:
        preview(YearFacts(2026, records), OLD, date(2027, 1, 1))
    assert other_year.value.field == "as_of"


@pytest.mark.parametrize(("records", "registration", "field"), [
    ((Record("lottery", "x:1", date(2026, 1, 1)),), OLD, "records[0].kind"),
    ((Record("filing", " ", date(2026, 1, 1)),), OLD, "records[0].reference"),
    ((Record("filing", "f:1", date(2026, 1, 1)), Record("filing", "f:1", date(2026, 2, 1))),
     OLD, "records[1].reference"),
    ((Record("surcharge", "s:1", date(2026, 1, 1), amount_fen=-1),), OLD,
     "records[0].amount_fen"),
    ((), Registration(date(2015, 1, 1), True, previous_level="E"), "previous_level")])
def test_bad_facts_are_refused_naming_the_field(records: tuple[Record, ...],
                                                registration: Registration, field: str) -> None:
    with pytest.raises(Invalid) as refused:
        evaluate(YearFacts(2026, records), registration)
    assert refused.value.field == field


KINDS = ["filing", "payment", "surcharge", "red_letter_invoice", "voided_invoice",
         "refund_refused"]


@st.composite
def records(draw: st.DrawFn) -> tuple[Record, ...]:
    count = draw(st.integers(0, 40))
    out = []
    for i in range(count):
        on = date(2025, 1, 1) + timedelta(days=draw(st.integers(0, 364)))
        late = draw(st.one_of(st.none(), st.integers(-5, 200)))
        done = None if late is None else on + timedelta(days=late)
        out.append(Record(draw(st.sampled_from(KINDS)), f"r:{i}", on, done,
                          amount_fen=draw(st.integers(0, 20_000_000))))
    return tuple(out)


@settings(max_examples=60, deadline=None)
@given(records(), st.booleans(), st.booleans(), st.integers(0, 40))
def test_score_never_exceeds_the_start_and_deductions_explain_it(
        found: tuple[Record, ...], recurring: bool, approve_all: bool, approvals: int) -> None:
    approved = frozenset(r.reference for r in found[:approvals]) if approve_all else frozenset()
    result = evaluate(YearFacts(2025, found, approved), Registration(date(2015, 1, 1),
                                                                     recurring))
    assert result.score <= result.start
    assert result.start - result.score == sum((d.net for d in result.deductions), Decimal(0))
    assert result.deducted == result.start - result.score
    assert all(Decimal(0) <= d.net <= d.points for d in result.deductions)
    assert result.level in ("A", "B", "C", "D")


def _zero(month: int, months: int = 1) -> Record:
    """A zero or negative VAT return of 2026-``month`` (``months`` long), due the month after."""
    first = 2026 * 12 + month - 1
    return Record("vat_zero_return", f"return:2026-{month:02d}", date(2026, month + 1, 15),
                  months=tuple(range(first, first + months)))


@pytest.mark.parametrize(("returns", "deducted"), [
    ((1, 2), False),                 # two months in a row
    ((1, 2, 3), True),               # three in a row
    ((1, 3, 5, 7, 9), False),        # five in all, none in a row
    ((1, 3, 5, 7, 9, 11), True),     # six in all
    ((1, 2, 4, 5, 7), False)])       # two runs of two, five in all
def test_zero_or_negative_vat_returns_cost_11_points_and_the_a_once_a_year(
        returns: tuple[int, ...], deducted: bool) -> None:
    facts = YearFacts(2026, tuple(_zero(m) for m in returns))
    result = evaluate(facts, OLD)
    if not deducted:
        assert (result.deductions, result.no_a, result.level) == ((), (), "A")
        return
    assert codes(result) == [("VAT_ZERO_NEGATIVE_RETURNS", 11,
                              tuple(f"return:2026-{m:02d}" for m in returns))]
    assert result.score == Decimal(82)
    assert result.no_a == ("zero_or_negative_vat_returns",)
    full = evaluate(facts, FULL)  # 100 − 11 = 89: B by the score; the bar is named all the same
    assert (full.level, full.no_a) == ("B", ("zero_or_negative_vat_returns",))


def test_a_zero_quarter_covers_its_three_months() -> None:
    result = evaluate(YearFacts(2026, (_zero(4, months=3),)), OLD)
    assert [d.code for d in result.deductions] == ["VAT_ZERO_NEGATIVE_RETURNS"]


def test_the_no_a_bar_of_an_indicator_keeps_a_score_of_90_from_an_a() -> None:
    data: dict[str, Any] = dict(load("etax.credit", "indicators"))
    data["indicators"] = [*data["indicators"], {
        "code": "TEST_BAR", "description": "一分，不得评为A级", "kind": "filing",
        "record_kind": "test", "counting": "per_occurrence", "points": 1, "no_a": "test_bar",
        "repairable": False, "valid_from": "2025-07-01", "valid_to": None, "source": "test"}]
    result = evaluate(YearFacts(2026, _points_off(1)), FULL,
                      catalogue=catalogue_from_dict(data))
    assert (result.score, result.level, result.no_a) == (Decimal(99), "B", ("test_bar",))


def test_a_whole_record_repair_gives_every_corrected_repairable_deduction_its_share() -> None:
    records = (
        _late("vat-08", date(2025, 8, 15), date(2025, 9, 1)),     # 17 days: 80 % of 5
        _late("vat-09", date(2025, 9, 15), date(2025, 12, 20)),   # 96 days: 40 % of 5
        _late("vat-10", date(2025, 10, 15), None),                # never filed: nothing back
        _late("vat-11", date(2025, 11, 17), date(2025, 11, 18)),  # automatic: 100 %
    )
    plain = evaluate(YearFacts(2025, records), OLD)
    repaired = evaluate(YearFacts(2025, records, whole_record_repaired=True), OLD)
    assert [(d.restored_tenths, d.repaired) for d in plain.deductions] == [
        (0, None), (0, None), (0, None), (50, "automatic")]
    assert [(d.restored_tenths, d.repaired) for d in repaired.deductions] == [
        (40, "whole_record"), (20, "whole_record"), (0, None), (50, "automatic")]
    assert repaired.score - plain.score == Decimal(6)
    one = evaluate(YearFacts(2025, records, frozenset({"filing:vat-08"})), OLD)
    assert [d.repaired for d in one.deductions][:2] == ["fault", None]


def test_a_lifted_direct_d_is_listed_and_the_level_comes_from_the_score() -> None:
    record = Record("serious_violator_listing", "violator:1", date(2026, 5, 1))
    facts = YearFacts(2026, (record, *_points_off(5)))
    assert evaluate(facts, FULL, catalogue=ONE).level == "D"
    lifted = evaluate(YearFacts(2026, facts.records,
                                lifted_direct_d=frozenset({"D_SERIOUS_VIOLATOR"})),
                      FULL, catalogue=ONE)
    assert (lifted.level, lifted.score) == ("A", Decimal(95))
    assert [(d.code, d.lifted) for d in lifted.direct_d] == [("D_SERIOUS_VIOLATOR", True)]
