"""Individual income tax calculators: sources.md#iit worked examples exactly, the tables'
properties (monotonic, continuous at every edge, the bonus cliff the law has), cumulative
withholding against the annual tax, and inputs that must be refused naming their field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from etax.calculators.common import InputError, fen, yuan
from etax.calculators.iit import annual, bonus, withholding
from etax.calculators.iit.rules import ProgressiveTable, rules
from etax.platform.api import problem_for
from etax.platform.results import as_json

ON = dt.date(2026, 11, 28)
TABLES = {"comprehensive_annual": rules().comprehensive_annual.on(ON),
          "monthly_converted": rules().monthly_converted.on(ON)}


def fields_of(error: ValidationError) -> list[str]:
    return [".".join(str(part) for part in e["loc"]) for e in error.errors()]


# --- sources.md#iit worked examples --------------------------------------------------------------


def test_the_sat_example_withholds_555_625_1850() -> None:
    answer = as_json(withholding.compute(withholding.Request.model_validate({
        "monthly_gross": "30000", "social_insurance": "4500",
        "special_additional": {"child_education": "2000"}, "months": 3}), on=ON))
    assert [m["withholding"] for m in answer["months"]] == ["555.00", "625.00", "1850.00"]
    assert answer["total"] == "3030.00"
    first, second, third = answer["months"]
    assert first["cumulative_taxable"] == "18500.00"
    assert (second["cumulative_taxable"], second["rate"], second["quick_deduction"]) == (
        "37000.00", "0.1", "2520.00")
    assert (third["cumulative_tax"], third["withheld_before"]) == ("3030.00", "1180.00")
    assert [s["label"] for s in third["steps"]] == [
        "cumulative income", "cumulative taxable income", "cumulative tax",
        "withholding this month"]
    assert third["steps"][2]["formula"] == "55500.00 × 0.1 − 2520.00"


def test_child_education_and_elderly_support_in_the_first_month_withhold_195() -> None:
    answer = as_json(withholding.compute(withholding.Request.model_validate({
        "monthly_gross": "20000", "social_insurance": "3500",
        "special_additional": {"child_education": "2000", "elderly_support": "3000"},
        "months": 1}), on=ON))
    assert answer["months"][0]["withholding"] == "195.00"
    assert answer["total"] == "195.00"


def test_the_annual_example_is_885_60() -> None:
    answer = as_json(annual.compute(annual.Request.model_validate({
        "income": "120000", "social_insurance": "12480",
        "special_additional": {"child_education": "18000"}, "withheld": "0", "year": 2025})))
    assert answer["taxable"] == "29520.00"
    assert answer["tax"] == "885.60"
    assert answer["date"] == "2025-12-31"
    assert answer["steps"][0]["formula"] == (
        "max(0, 120000.00 − 60000.00 basic − 12480.00 social insurance − 18000.00 special "
        "additional − 0.00 other)")


@pytest.mark.parametrize(("amount", "tax"), [
    ("36000", "1080.00"), ("36001", "3390.10"), ("120000", "11790.00"),
    ("960000", "328840.00"), ("1000000", "434840.00"), ("30000", "900.00")])
def test_the_bonus_examples(amount: str, tax: str) -> None:
    assert bonus.compute(bonus.Request.model_validate({"bonus": amount}), on=ON).tax == tax


def test_the_bonus_cliff_at_36001_is_shown() -> None:
    answer = as_json(bonus.compute(bonus.Request.model_validate({"bonus": "36001"}), on=ON))
    assert answer["cliff"] == {"edge": "36000.00", "tax_at_edge": "1080.00",
                               "extra_tax": "2310.10", "extra_bonus": "1.00"}
    assert answer["after_tax"] == "32610.90"
    assert bonus.compute(bonus.Request.model_validate({"bonus": "36000"}), on=ON).cliff is None


# --- the tables ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(TABLES))
def test_both_formulas_agree_at_every_edge(name: str) -> None:
    table = TABLES[name]
    for lower, upper in zip(table.brackets, table.brackets[1:], strict=False):
        assert lower.up_to is not None
        edge = lower.up_to
        assert edge * lower.rate - lower.quick_deduction == \
            edge * upper.rate - upper.quick_deduction


def test_a_table_with_a_mistyped_quick_deduction_does_not_load() -> None:
    data: dict[str, Any] = rules().comprehensive_annual.on(ON).model_dump(mode="json")
    data["brackets"][1]["quick_deduction"] = "2250"
    with pytest.raises(ValidationError, match="not continuous at 36000"):
        ProgressiveTable.model_validate(data)


def edges(table: ProgressiveTable) -> list[int]:
    return [fen(b.up_to) for b in table.brackets if b.up_to is not None]


@pytest.mark.parametrize("name", sorted(TABLES))
@given(a=st.integers(0, 2_000_000_00), b=st.integers(0, 2_000_000_00))
def test_tax_is_monotonic_in_taxable_income(name: str, a: int, b: int) -> None:
    table = TABLES[name]
    low, high = sorted((a, b))
    assert 0 <= table.tax(low) <= table.tax(high)


@pytest.mark.parametrize("name", sorted(TABLES))
@given(data=st.data())
def test_tax_is_continuous_at_every_edge(name: str, data: st.DataObject) -> None:
    """One fen either side of an edge changes the tax by at most one fen's worth of the top
    rate (plus rounding): no jump anywhere in the progressive tables."""
    table = TABLES[name]
    edge = data.draw(st.sampled_from(edges(table)))
    step = data.draw(st.integers(1, 100))
    below, at, above = table.tax(edge - step), table.tax(edge), table.tax(edge + step)
    top = max(b.rate for b in table.brackets)
    assert at - below <= top * step + 1
    assert above - at <= top * step + 1
    # at the edge itself, the formula of the bracket above gives the same tax
    _, upper = table.bracket_for(edge + 1)
    assert Decimal(edge) * upper.rate - fen(upper.quick_deduction) == Decimal(at)


@given(a=st.integers(0, 2_000_000_00), b=st.integers(0, 2_000_000_00))
def test_bonus_tax_is_monotonic(a: int, b: int) -> None:
    low, high = sorted((a, b))
    table = TABLES["monthly_converted"]
    assert 0 <= bonus.separate_tax(low, table, 12) <= bonus.separate_tax(high, table, 12)


def test_the_bonus_has_a_cliff_at_every_edge_because_the_law_has() -> None:
    table = TABLES["monthly_converted"]
    for edge in edges(table):
        at, above = bonus.separate_tax(edge * 12, table, 12), bonus.separate_tax(
            edge * 12 + 100, table, 12)
        assert above - at > 100  # one yuan more bonus costs more than one yuan of tax


amounts = st.integers(0, 100_000_00)


@settings(max_examples=150)
@given(gross=st.integers(0, 300_000_00), social=amounts, children=st.integers(0, 3),
       rent=st.sampled_from([None, "800", "1100", "1500"]), other=st.integers(0, 5_000_00))
def test_cumulative_withholding_sums_to_the_annual_tax(gross: int, social: int, children: int,
                                                       rent: str | None, other: int) -> None:
    special: dict[str, str] = {}
    if children:
        special["child_education"] = str(2000 * children)
    if rent:
        special["housing_rent"] = rent
    monthly = as_json(withholding.compute(withholding.Request.model_validate({
        "monthly_gross": yuan(gross), "social_insurance": yuan(social),
        "special_additional": special, "other_deductions": yuan(other), "months": 12}), on=ON))
    withheld = [fen(Decimal(m["withholding"])) for m in monthly["months"]]
    assert all(amount >= 0 for amount in withheld)
    assert [fen(Decimal(m["cumulative_tax"])) for m in monthly["months"]] == [
        sum(withheld[:i + 1]) for i in range(12)]
    year = as_json(annual.compute(annual.Request.model_validate({
        "income": yuan(12 * gross), "social_insurance": yuan(12 * social),
        "special_additional": {k: str(int(v) * 12) for k, v in special.items()},
        "other_deductions": yuan(12 * other), "withheld": monthly["total"]}), on=ON))
    assert monthly["total"] == year["tax"]
    assert year["refund_or_payable"] == "0.00"


# --- annual settlement ------------------------------------------------------------------------


def test_a_refund_is_never_taken_away_by_the_small_amount_exemption() -> None:
    answer = as_json(annual.compute(annual.Request.model_validate({
        "income": "100000", "social_insurance": "10000", "withheld": "1000"}), on=ON))
    assert (answer["tax"], answer["refund_or_payable"]) == ("900.00", "-100.00")
    assert (answer["outcome"], answer["to_refund"], answer["exempt_small_amount"]) == (
        "refund", "100.00", False)


@pytest.mark.parametrize(("income", "withheld", "exempt", "to_pay"), [
    ("120000", "0", True, "0.00"),         # income at most 120,000
    ("150000", "3080", True, "0.00"),      # 3,480 tax, 400 left to pay
    ("150000", "3079.99", False, "400.01"),
])
def test_the_small_amount_exemption(income: str, withheld: str, exempt: bool,
                                    to_pay: str) -> None:
    answer = as_json(annual.compute(annual.Request.model_validate({
        "income": income, "social_insurance": "30000", "withheld": withheld}), on=ON))
    assert answer["exempt_small_amount"] is exempt
    assert answer["to_pay"] == to_pay


# --- refused inputs -----------------------------------------------------------------------


@pytest.mark.parametrize(("body", "field"), [
    ({"monthly_gross": "-1"}, "monthly_gross"),
    ({"monthly_gross": "1e4"}, "monthly_gross"),
    ({"monthly_gross": 30000.5}, "monthly_gross"),
    ({"monthly_gross": "30000", "months": 13}, "months"),
    ({"monthly_gross": "30000", "months": 0}, "months"),
    ({"monthly_gross": "30000", "months": "12"}, "months"),
    ({"monthly_gross": "30000", "special_additional": {"pet_care": "100"}},
     "special_additional.pet_care"),
    ({"monthly_gross": "30000", "special_additional": {"serious_illness": "100"}},
     "special_additional.serious_illness"),
    ({"monthly_gross": "30000", "bonus": "1"}, "bonus"),
])
def test_bad_withholding_requests_name_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        withholding.Request.model_validate(body)
    assert fields_of(caught.value)[0] == field


@pytest.mark.parametrize(("claims", "field", "message"), [
    ({"elderly_support": "3000.01"}, "special_additional.elderly_support", "at most 3000.00"),
    ({"housing_rent": "1200"}, "special_additional.housing_rent", "1500.00, 1100.00, 800.00"),
    ({"housing_loan": "1000", "housing_rent": "1500"}, "special_additional.housing_rent",
     "together with housing_loan"),
    ({"continuing_education": "500"}, "special_additional.continuing_education", "400.00"),
])
def test_deductions_beyond_the_rules_name_the_kind(claims: dict[str, str], field: str,
                                                   message: str) -> None:
    request = withholding.Request.model_validate({"monthly_gross": "30000",
                                                  "special_additional": claims})
    with pytest.raises(InputError, match=message) as caught:
        withholding.compute(request, on=ON)
    assert caught.value.field == field
    assert problem_for(caught.value).status == 422


def test_annual_caps_are_per_year() -> None:
    ok = annual.Request.model_validate({"income": "200000", "special_additional": {
        "serious_illness": "80000", "continuing_education": "8400", "housing_rent": "18000"}})
    assert as_json(annual.compute(ok, on=ON))["special_additional_total"] == "106400.00"
    too_much = annual.Request.model_validate({"income": "200000", "special_additional": {
        "serious_illness": "80000.01"}})
    with pytest.raises(InputError) as caught:
        annual.compute(too_much, on=ON)
    assert caught.value.field == "special_additional.serious_illness"


def test_dates_without_rules_name_the_field_that_asked() -> None:
    with pytest.raises(InputError, match="2018-12-31") as caught:
        annual.compute(annual.Request.model_validate({"income": "1", "year": 2018}))
    assert caught.value.field == "year"
    with pytest.raises(InputError) as caught:
        withholding.compute(withholding.Request.model_validate({
            "monthly_gross": "30000", "date": "2022-06-01",
            "special_additional": {"child_education": "1000"}}))
    assert caught.value.field == "date"  # the 2023 amounts are the first on record
    # without claims, 2022 computes with the 2019 tables
    plain = withholding.Request.model_validate({"monthly_gross": "30000", "date": "2022-06-01"})
    assert as_json(withholding.compute(plain))["months"][0]["withholding"] == "750.00"


def test_year_and_date_must_agree() -> None:
    request = annual.Request.model_validate({"income": "1", "year": 2025, "date": "2026-01-01"})
    with pytest.raises(InputError) as caught:
        annual.compute(request)
    assert caught.value.field == "year"


def test_separate_bonus_taxation_ends_with_2027() -> None:
    assert bonus.compute(bonus.Request.model_validate({"bonus": "1000", "year": 2027})).tax == (
        "30.00")
    with pytest.raises(InputError, match="comprehensive income") as caught:
        bonus.compute(bonus.Request.model_validate({"bonus": "1000", "year": 2028}))
    assert caught.value.field == "year"


def test_a_request_round_trips_through_json() -> None:
    request = withholding.Request.model_validate({
        "monthly_gross": "30000.5", "special_additional": {"infant_care": 2000}})
    dumped = request.model_dump(mode="json", exclude_none=True)
    assert dumped["monthly_gross"] == "30000.50"
    assert withholding.Request.model_validate(dumped) == request
