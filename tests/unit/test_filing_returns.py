"""Return kinds compute through the toolbox's calculators; bad figures name data.<field>."""

from __future__ import annotations

import json
from typing import Any

import pytest

from etax.calculators import vat
from etax.errors import Invalid
from etax.filing import calculation, deadlines
from etax.filing.deadlines import parse_period
from etax.filing.requests import ReturnRequest
from etax.filing.returns import Computation
from etax.platform.api import validate_body
from etax.platform.errors import ProblemError
from etax.platform.results import as_json


def compute(kind: str, data: dict[str, Any], period: str = "2026-10") -> Computation:
    return calculation.compute(ReturnRequest(kind=kind, data=data), period=parse_period(period))


def test_every_return_kind_of_the_data_has_a_computer() -> None:
    kinds = {k for spec in deadlines.tax_types().values() for k in spec["returns"]}
    assert kinds == set(calculation.computers())


def test_small_scale_vat_is_the_calculators_answer_for_the_period() -> None:
    monthly = compute("vat_small_scale", {"sales": "150000"})
    assert monthly.tax_fen == 150_000
    same = vat.SmallScaleRequest.model_validate({"taxpayer": "small_scale", "period": "month",
                                                 "sales": "150000"})
    assert monthly.answer == as_json(vat.compute(same, on=parse_period("2026-10").end))
    assert json.loads(json.dumps(monthly.answer)) == monthly.answer  # stored as plain JSON
    assert monthly.answer["date"] == "2026-10-31"
    # the quarter's threshold for a quarterly period; a date in the data is replaced
    quarterly = compute("vat_small_scale", {"sales": "280000", "date": "2020-01-01"}, "2026-Q3")
    assert (quarterly.tax_fen, quarterly.answer["period"], quarterly.answer["date"]) == (
        0, "quarter", "2026-09-30")


@pytest.mark.parametrize(("kind", "data", "field"), [
    ("vat_small_scale", {"sales": "-1"}, "data.sales"),
    ("vat_small_scale", {"sales": "1", "colour": "red"}, "data.colour"),
    ("vat_general", {"sales": [{"amount": "100", "rate": "0.07"}]}, "data.sales[0].rate"),
    ("iit_annual", {"income": "1", "special_additional": {"pet_care": "1"}},
     "data.special_additional.pet_care"),
    ("vehicle_vessel", {"vehicles": [{"province": "99", "vehicle_class": "commercial_bus"}]},
     "data.vehicles[0].province"),
    ("vat_reduced", {"sales": "1"}, "kind"),
])
def test_bad_figures_are_422_naming_the_field(kind: str, data: dict[str, Any],
                                              field: str) -> None:
    with pytest.raises(Invalid) as error:
        compute(kind, data, "2025" if kind in ("iit_annual", "vehicle_vessel") else "2026-10")
    assert error.value.field == field, error.value.detail


def test_figures_that_are_not_an_object_are_refused_by_the_returns_model() -> None:
    """The computers take a validated return: the edge refuses ``data`` that is not an
    object (422 naming ``data``) before anything is computed."""
    with pytest.raises(ProblemError) as error:
        validate_body({"kind": "vat_small_scale", "data": ["sales"]}, ReturnRequest)
    assert (error.value.status, error.value.field) == (422, "data")


def test_an_annual_refund_is_not_a_liability() -> None:
    refund = compute("iit_annual", {"income": "100000", "withheld": "3000"}, "2025")
    assert refund.tax_fen == 0
    assert refund.answer["to_refund"] != "0.00"
