"""Vehicle and vessel tax (province schedules within the national ranges) and the departure tax
refund (the 2025-04-27 rules: minimum 200 per store and day, cash up to 20,000; 11 % / 8 %;
2 % agency fee), with the sources.md#vat example."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from etax.calculators import departure_refund, vehicle_vessel
from etax.calculators.common import InputError, RulesError
from etax.platform.data import load
from etax.platform.results import as_json

ON = dt.date(2026, 11, 28)


def car(**body: Any) -> dict[str, Any]:
    answer: dict[str, Any] = as_json(
        vehicle_vessel.compute(vehicle_vessel.Request.model_validate(body), on=ON))
    return answer


@pytest.mark.parametrize(("litres", "tax", "bracket"), [
    ("0.999", "180.00", "up to 1.0 L"), ("1.0", "180.00", "up to 1.0 L"),
    ("1.001", "300.00", "over 1.0 L up to 1.6 L"), ("1.6", "300.00", "over 1.0 L up to 1.6 L"),
    ("1.8", "480.00", "over 1.6 L up to 2.0 L"), ("2.5", "720.00", "over 2.0 L up to 2.5 L"),
    ("3", "1800.00", "over 2.5 L up to 3.0 L"), ("4.0", "3000.00", "over 3.0 L up to 4.0 L"),
    ("6.75", "4500.00", "over 4.0 L"),
])
def test_fujian_passenger_cars(litres: str, tax: str, bracket: str) -> None:
    answer = car(province="35", vehicle_class="passenger_car", displacement_l=litres)
    assert (answer["annual_tax"], answer["bracket"]) == (tax, bracket)
    assert answer["province"] == {"code": "35", "name": "福建省", "verified": False}
    low, high = (float(answer["national_range"][k]) for k in ("min", "max"))
    assert low <= float(tax) <= high


def test_every_schedule_lies_within_the_national_range() -> None:
    data = vehicle_vessel.rules()
    assert data.provinces
    for _code, (_name, schedules) in data.provinces.items():
        for schedule in schedules.entries:
            national = data.national.on(schedule.effective_from)
            for amount, bracket in zip(schedule.passenger_car, national.passenger_car,
                                       strict=True):
                assert bracket.min <= amount <= bracket.max
            if schedule.commercial_bus is not None:
                assert national.commercial_bus.min <= schedule.commercial_bus \
                    <= national.commercial_bus.max


def test_a_schedule_outside_the_national_range_does_not_load() -> None:
    data = copy.deepcopy(load("etax.calculators", "vehicle_vessel"))
    data["provinces"]["35"]["schedules"][0]["passenger_car"][0] = "361"
    with pytest.raises(RulesError, match="outside the national range 60-360"):
        vehicle_vessel.VehicleVesselRules(data)
    data = copy.deepcopy(load("etax.calculators", "vehicle_vessel"))
    data["provinces"]["35"]["schedules"][0]["passenger_car"].pop()
    with pytest.raises(RulesError, match="6 passenger-car amounts for 7 brackets"):
        vehicle_vessel.VehicleVesselRules(data)


@pytest.mark.parametrize(("body", "field"), [
    ({"province": "99", "vehicle_class": "passenger_car", "displacement_l": "1.5"}, "province"),
    ({"province": "35", "vehicle_class": "passenger_car"}, "displacement_l"),
    ({"province": "35", "vehicle_class": "commercial_bus"}, "vehicle_class"),
    ({"province": "35", "vehicle_class": "commercial_bus", "displacement_l": "2"},
     "displacement_l"),
])
def test_what_cannot_be_computed_names_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as caught:
        car(**body)
    assert caught.value.field == field


@pytest.mark.parametrize(("body", "field"), [
    ({"province": "fujian", "vehicle_class": "passenger_car"}, "province"),
    ({"province": "35", "vehicle_class": "truck"}, "vehicle_class"),
    ({"province": "35", "vehicle_class": "passenger_car", "displacement_l": "0"},
     "displacement_l"),
    ({"province": "35", "vehicle_class": "passenger_car", "displacement_l": "1.5 L"},
     "displacement_l"),
])
def test_malformed_vehicle_requests_name_the_field(body: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        vehicle_vessel.Request.model_validate(body)
    assert caught.value.errors()[0]["loc"] == (field,)


# --- departure refund -------------------------------------------------------------------------


def refund(purchases: list[dict[str, str]], **body: Any) -> dict[str, Any]:
    answer: dict[str, Any] = as_json(departure_refund.compute(
        departure_refund.Request.model_validate({"purchases": purchases, **body}), on=ON))
    return answer


def buy(amount: str, rate: str = "0.13", store: str = "S1",
        date: str = "2026-11-20") -> dict[str, str]:
    return {"amount": amount, "vat_rate": rate, "store": store, "date": date}


def test_1000_at_13_percent_is_110_due_20_fee_90_net() -> None:
    answer = refund([buy("1000")])
    assert (answer["refund_due"], answer["agency_fee"], answer["net_refund"]) == (
        "110.00", "20.00", "90.00")
    assert answer["eligible"] is True
    assert answer["payment_methods"] == ["cash", "bank_transfer"]


def test_goods_at_9_percent_are_refunded_8_percent() -> None:
    answer = refund([buy("1000", "0.09")])
    assert (answer["refund_due"], answer["agency_fee"], answer["net_refund"]) == (
        "80.00", "20.00", "60.00")


def test_the_minimum_counts_one_store_on_one_day_together() -> None:
    answer = refund([buy("150"), buy("50", "0.09"), buy("199.99", store="S2")])
    assert [p["eligible"] for p in answer["purchases"]] == [True, True, False]
    assert answer["purchases"][2]["reason"] == (
        "S2 on 2026-11-20: refundable purchases 199.99 < the minimum 200.00")
    assert answer["reason"] == "2 of 3 purchases eligible"
    assert answer["refund_due"] == "20.50"  # 16.50 + 4.00


def test_before_the_2025_revision_the_minimum_was_500_and_cash_10000() -> None:
    old = refund([buy("499", date="2025-04-20")], date="2025-04-26")
    assert (old["eligible"], old["minimum"], old["cash_limit"]) == (False, "500.00", "10000.00")
    assert "< the minimum 500.00" in old["reason"]
    new = refund([buy("499", date="2025-04-27")], date="2025-04-27")
    assert (new["eligible"], new["minimum"], new["cash_limit"]) == (True, "200.00", "20000.00")


def test_cash_up_to_a_refund_of_20000_then_transfer_only() -> None:
    over = refund([buy("200000")])   # refund due 22,000
    assert over["refund_due"] == "22000.00"
    assert over["payment_methods"] == ["bank_transfer"]
    exact = refund([buy("181818.18")])  # 20,000.00 due: still cash
    assert exact["refund_due"] == "20000.00"
    assert exact["payment_methods"] == ["cash", "bank_transfer"]


def test_ineligible_answers_carry_their_reason() -> None:
    services = refund([buy("1000", "0.06")])
    assert services["eligible"] is False
    assert services["reason"] == ("goods taxed at 6% are not refundable (goods taxed at 13%, 9% "
                                  "are)")
    assert services["payment_methods"] == []
    late = refund([buy("1000", date="2026-08-01")], departure_date="2026-11-28")
    assert late["eligible"] is False
    assert "not within 90 days" in late["reason"]
    assert late["conditions"][2]["met"] is False
    resident = refund([buy("1000")], traveller={"residence": "mainland", "days_in_china": 10})
    assert resident["eligible"] is False
    assert "Hong Kong, Macao or Taiwan resident" in resident["reason"]
    long_stay = refund([buy("1000")], traveller={"residence": "taiwan", "days_in_china": 184})
    assert "183 consecutive days" in long_stay["reason"]
    visitor = refund([buy("1000")], traveller={"residence": "hong_kong", "days_in_china": 183},
                     departure_date="2026-11-28")
    assert visitor["eligible"] is True
    assert [c["met"] for c in visitor["conditions"]] == [True, True, True, None]
    assert visitor["date"] == "2026-11-28"


@pytest.mark.parametrize(("body", "loc"), [
    ({"purchases": []}, ("purchases",)),
    ({"purchases": [buy("-1")]}, ("purchases", 0, "amount")),
    ({"purchases": [buy("1000", "thirteen")]}, ("purchases", 0, "vat_rate")),
    ({"purchases": [{**buy("1000"), "date": "2026-13-01"}]}, ("purchases", 0, "date")),
    ({"purchases": [buy("1000")], "traveller": {"residence": "mars"}},
     ("traveller", "residence")),
])
def test_malformed_refund_requests_name_the_field(body: dict[str, Any],
                                                  loc: tuple[Any, ...]) -> None:
    with pytest.raises(ValidationError) as caught:
        departure_refund.Request.model_validate(body)
    assert caught.value.errors()[0]["loc"] == loc
