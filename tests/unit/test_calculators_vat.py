"""VAT calculator: a general taxpayer (output − input, excess input carried forward) and a
small-scale taxpayer (1 % levy, the 100,000 / 300,000 exemption to 2027-12-31, then 3 %)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from etax.calculators import vat
from etax.calculators.common import InputError, fen, yuan
from etax.platform.results import as_json

ON = dt.date(2026, 11, 28)


def general(**body: Any) -> dict[str, Any]:
    answer: dict[str, Any] = as_json(vat.compute(
        vat.GeneralRequest.model_validate({"taxpayer": "general", **body}), on=ON))
    return answer


def small(**body: Any) -> dict[str, Any]:
    answer: dict[str, Any] = as_json(vat.compute(
        vat.SmallScaleRequest.model_validate({"taxpayer": "small_scale", **body}), on=ON))
    return answer


def test_general_output_minus_input() -> None:
    answer = general(sales=[{"amount": "100000", "rate": "0.13"},
                            {"amount": "20000", "rate": "0.06"},
                            {"amount": "333.33", "rate": "0.09"}],
                     input_tax="5000", input_carried_forward="1000")
    assert [s["tax"] for s in answer["sales"]] == ["13000.00", "1200.00", "30.00"]
    assert answer["output_tax"] == "14230.00"
    assert (answer["tax_due"], answer["carry_forward"]) == ("8230.00", "0.00")
    assert answer["steps"][2] == {"label": "output tax, line 3",
                                  "formula": "333.33 × 0.09", "value": "30.00"}


def test_excess_input_is_carried_forward() -> None:
    answer = general(sales=[{"amount": "10000", "rate": "0.13"}], input_tax="5000")
    assert (answer["tax_due"], answer["carry_forward"]) == ("0.00", "3700.00")
    following = general(sales=[{"amount": "50000", "rate": "0.13"}], input_tax="0",
                        input_carried_forward=answer["carry_forward"])
    assert following["tax_due"] == "2800.00"


@given(lines=st.lists(st.tuples(st.integers(0, 10**9), st.sampled_from(["0.13", "0.09", "0.06",
                                                                         "0"])), max_size=5),
       input_tax=st.integers(0, 10**8), carried=st.integers(0, 10**8))
def test_general_due_and_carry_forward_balance(lines: list[tuple[int, str]], input_tax: int,
                                               carried: int) -> None:
    answer = general(sales=[{"amount": yuan(a), "rate": r} for a, r in lines],
                     input_tax=yuan(input_tax), input_carried_forward=yuan(carried))
    due, forward = fen(Decimal(answer["tax_due"])), fen(Decimal(answer["carry_forward"]))
    output = fen(Decimal(answer["output_tax"]))
    assert due >= 0
    assert forward >= 0
    assert due * forward == 0
    assert output - (input_tax + carried) == due - forward


def test_a_rate_general_taxpayers_do_not_use_names_the_line() -> None:
    with pytest.raises(InputError) as caught:
        general(sales=[{"amount": "1", "rate": "0.13"}, {"amount": "1", "rate": "0.03"}])
    assert caught.value.field == "sales[1].rate"


@pytest.mark.parametrize(("period", "sales", "exempt", "tax"), [
    ("month", "100000", True, "0.00"),
    ("month", "100000.01", False, "1000.00"),
    ("month", "150000", False, "1500.00"),
    ("quarter", "300000", True, "0.00"),
    ("quarter", "300000.01", False, "3000.00"),
])
def test_small_scale_reduced_rate_and_exemption(period: str, sales: str, exempt: bool,
                                                tax: str) -> None:
    answer = small(period=period, sales=sales)
    assert (answer["exempt"], answer["tax_due"], answer["levy_rate"]) == (exempt, tax, "0.01")


def test_small_scale_prices_including_tax() -> None:
    answer = small(sales="202000", prices_include_tax=True)
    assert (answer["sales"], answer["tax_due"]) == ("200000.00", "2000.00")
    assert answer["steps"][0]["formula"] == "202000.00 ÷ (1 + 0.01)"


def test_after_2027_the_data_says_3_percent_and_no_exemption() -> None:
    answer = small(sales="50000", date="2028-01-01")
    assert (answer["levy_rate"], answer["exempt"], answer["exemption_threshold"]) == (
        "0.03", False, None)
    assert answer["tax_due"] == "1500.00"
    assert small(sales="50000", date="2027-12-31")["exempt"] is True


def test_bad_requests_name_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        vat.SmallScaleRequest.model_validate({"taxpayer": "small_scale", "sales": "-5"})
    assert caught.value.errors()[0]["loc"] == ("sales",)
    with pytest.raises(ValidationError) as caught:
        vat.SmallScaleRequest.model_validate({"taxpayer": "small_scale", "sales": "5",
                                              "period": "year"})
    assert caught.value.errors()[0]["loc"] == ("period",)
    with pytest.raises(ValidationError) as caught:
        vat.GeneralRequest.model_validate({"taxpayer": "general",
                                           "sales": [{"amount": "1", "rate": "13%"}]})
    assert caught.value.errors()[0]["loc"] == ("sales", 0, "rate")
    with pytest.raises(InputError) as input_error:
        vat.model_for("individual")
    assert input_error.value.field == "taxpayer"
    with pytest.raises(InputError, match="2019-04-01"):
        general(sales=[], date="2019-03-31")
