"""The computer of each return kind (see :mod:`etax.filing.returns`): thin adapters over the tax
calculators (:mod:`etax.calculators`), which hold every rate, bracket and threshold.

A return's ``data`` is the calculator's request without what the obligation already fixes: the
period fixes the rules' date (its last day, or its year), and for small-scale VAT whether
the threshold is a month's or a quarter's. Whatever the return sends for those is replaced.

=====================  =============================================  ======================
kind                   data (see the calculator)                      tax payable
=====================  =============================================  ======================
``vat_small_scale``    :class:`~etax.calculators.vat.SmallScaleRequest`  ``tax_due``
                       (``sales``, ``prices_include_tax``)
``vat_general``        :class:`~etax.calculators.vat.GeneralRequest`  ``tax_due``
                       (``sales`` lines, ``input_tax``, …)
``iit_annual``         :class:`~etax.calculators.iit.annual.Request`  ``to_pay`` (``to_refund``
                                                                      is the ledger's
                                                                      ``refund_due``, paid
                                                                      by the refund pipeline)
``vehicle_vessel``     ``{"vehicles": [<vehicle_vessel.Request>…]}``  Σ ``annual_tax``
=====================  =============================================  ======================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from etax.calculators import vat, vehicle_vessel
from etax.calculators.iit import annual
from etax.errors import Invalid, invalid_from
from etax.filing.deadlines import Period
from etax.filing.requests import ReturnRequest
from etax.filing.returns import CalculatorComputer, Computation, TaxComputer
from etax.rules import money

FIXED_BY_THE_PERIOD = ("date", "year")


def _payable(name: str) -> Any:
    return lambda answer: money.parse_yuan(answer[name])


def _without_dates(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in FIXED_BY_THE_PERIOD}


def _small_scale(data: dict[str, Any], period: Period) -> dict[str, Any]:
    return {**_without_dates(data), "taxpayer": "small_scale", "date": period.end,
            "period": "quarter" if period.periodicity == "quarterly" else "month"}


def _general(data: dict[str, Any], period: Period) -> dict[str, Any]:
    return {**_without_dates(data), "taxpayer": "general", "date": period.end}


def _annual(data: dict[str, Any], period: Period) -> dict[str, Any]:
    return {**_without_dates(data), "year": period.end.year}


class Vehicles(BaseModel):
    model_config = ConfigDict(extra="forbid")
    vehicles: list[dict[str, Any]] = Field(min_length=1, max_length=500)


@dataclass(frozen=True, slots=True)
class VehiclesComputer:
    """Vehicle and vessel tax for the year: one calculator answer per vehicle, summed."""

    def compute(self, request: ReturnRequest, *, period: Period) -> Computation:
        per_vehicle = CalculatorComputer(
            request_model=vehicle_vessel.Request, compute_answer=vehicle_vessel.compute,
            payable_fen=_payable("annual_tax"),
            prepare=lambda one, p: {**_without_dates(one), "year": p.end.year})
        try:
            listed = Vehicles.model_validate(request.data)
        except ValidationError as error:
            raise invalid_from(error.errors(), prefix=("body", "data")) from None
        answers, total = [], 0
        for index, vehicle in enumerate(listed.vehicles):
            try:
                one = per_vehicle.compute_figures(vehicle, period=period)
            except Invalid as error:
                field = (error.field or "data").replace("data.", f"data.vehicles[{index}].", 1)
                raise Invalid(f"{field}: {error.detail.split(': ', 1)[-1]}",
                              field=field) from None
            answers.append(one.answer)
            total += one.tax_fen
        return Computation(tax_fen=total, answer={
            "vehicles": answers, "tax": money.format_yuan(total),
            "steps": [f"Σ annual tax of {len(answers)} vehicle(s) = {money.format_yuan(total)}"]})


COMPUTERS: dict[str, TaxComputer] = {
    "vat_small_scale": CalculatorComputer(
        request_model=vat.SmallScaleRequest, compute_answer=vat.compute,
        payable_fen=_payable("tax_due"), prepare=_small_scale),
    "vat_general": CalculatorComputer(
        request_model=vat.GeneralRequest, compute_answer=vat.compute,
        payable_fen=_payable("tax_due"), prepare=_general),
    "iit_annual": CalculatorComputer(
        request_model=annual.Request, compute_answer=annual.compute,
        payable_fen=_payable("to_pay"), prepare=_annual, refund_fen=_payable("to_refund")),
    "vehicle_vessel": VehiclesComputer(),
}


def computers() -> Mapping[str, TaxComputer]:
    """The computer of every return kind the platform accepts."""
    return COMPUTERS


def compute(request: ReturnRequest, *, period: Period) -> Computation:
    """The tax of a validated return (its ``data`` a JSON object: the route's model says so),
    through the computer of its kind."""
    known = computers()
    computer = known.get(request.kind)
    if computer is None:
        raise Invalid(f"kind: returns of kind {request.kind!r} are not accepted; accepted: "
                      f"{', '.join(sorted(known))}", field="kind")
    return computer.compute(request, period=period)
