"""The tools function (the tax toolbox's calculators) called with sample API Gateway events:
every route answers with its steps, bad input is a 422 problem naming the field, and no AWS
service is called at all."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import pytest

from etax.calculators.common import today_in_china
from tests.functional.conftest import ApiCalls, call, load_handler, sample_event

ROUTES = {
    "iit_withholding": "/v1/tools/iit/withholding",
    "iit_annual": "/v1/tools/iit/annual",
    "iit_bonus": "/v1/tools/iit/bonus",
    "vat": "/v1/tools/vat",
    "vehicle_vessel": "/v1/tools/vehicle-vessel",
    "departure_refund": "/v1/tools/departure-refund",
}


@pytest.fixture
def tools(api_calls: ApiCalls) -> ModuleType:
    return load_handler("calculators")


def post(module: ModuleType, name: str, body: Any) -> dict[str, Any]:
    event = sample_event(f"calculators/{name}.json")
    event["body"] = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return call(module, event)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_sample_event_is_answered_with_steps_and_rules(tools: ModuleType, name: str,
                                                             api_calls: ApiCalls) -> None:
    event = sample_event(f"calculators/{name}.json")
    assert event["path"] == ROUTES[name]
    answer = call(tools, event)
    assert answer["statusCode"] == 200, answer["body"]
    assert answer["headers"]["Content-Type"] == "application/json"
    body = answer["json"]
    assert body["rules"]
    assert all(rule["sources"] for rule in body["rules"])
    steps = body["steps"] if "steps" in body else body["months"][0]["steps"]
    assert steps
    assert all(set(s) == {"label", "formula", "value"} for s in steps)
    assert api_calls.calls == []


def test_the_sample_answers(tools: ModuleType) -> None:
    def answer(name: str) -> dict[str, Any]:
        result: dict[str, Any] = call(tools, sample_event(f"calculators/{name}.json"))["json"]
        return result

    assert [m["withholding"] for m in answer("iit_withholding")["months"]] == [
        "555.00", "625.00", "1850.00"]
    assert answer("iit_annual")["tax"] == "885.60"
    assert answer("iit_bonus")["tax"] == "3390.10"
    small = answer("vat")
    assert (small["exempt"], small["tax_due"]) == (True, "0.00")
    assert answer("vehicle_vessel")["annual_tax"] == "480.00"
    refund = answer("departure_refund")
    assert (refund["refund_due"], refund["agency_fee"], refund["net_refund"]) == (
        "110.00", "20.00", "90.00")


def test_the_rules_default_to_today_in_china(tools: ModuleType) -> None:
    before = today_in_china()
    body = post(tools, "vehicle_vessel", {"province": "35", "vehicle_class": "passenger_car",
                                          "displacement_l": "1.2"})["json"]
    assert body["date"] in {before.isoformat(), today_in_china().isoformat()}


def test_general_vat(tools: ModuleType) -> None:
    body = post(tools, "vat", {"taxpayer": "general", "input_tax": "5000",
                               "sales": [{"amount": "100000", "rate": "0.13"}]})["json"]
    assert (body["output_tax"], body["tax_due"], body["carry_forward"]) == (
        "13000.00", "8000.00", "0.00")


@pytest.mark.parametrize(("name", "body", "field"), [
    ("iit_withholding", {"monthly_gross": "-30000"}, "monthly_gross"),
    ("iit_withholding", {"monthly_gross": "30000", "months": 13}, "months"),
    ("iit_withholding", {"monthly_gross": "30000", "special_additional": {"pet_care": "500"}},
     "special_additional.pet_care"),
    ("iit_withholding", {"monthly_gross": "30000",
                         "special_additional": {"housing_rent": "2000"}},
     "special_additional.housing_rent"),
    ("iit_annual", {"income": "12O000"}, "income"),
    ("iit_annual", {"income": "120000", "year": 2018}, "year"),
    ("iit_bonus", {"bonus": "36000", "date": "2028-01-01"}, "date"),
    ("iit_bonus", {}, "bonus"),
    ("vat", {"taxpayer": "individual", "sales": "1"}, "taxpayer"),
    ("vat", {"sales": "1"}, "taxpayer"),
    ("vat", {"taxpayer": "general", "sales": [{"amount": "1", "rate": "0.03"}]},
     "sales[0].rate"),
    ("vat", {"taxpayer": "small_scale", "sales": "1", "period": "year"}, "period"),
    ("vehicle_vessel", {"province": "99", "vehicle_class": "passenger_car",
                        "displacement_l": "1.5"}, "province"),
    ("vehicle_vessel", {"province": "35", "vehicle_class": "passenger_car"}, "displacement_l"),
    ("departure_refund", {"purchases": [{"amount": "1000", "vat_rate": "0.13", "store": "S",
                                         "date": "2026-11-31"}]}, "purchases[0].date"),
    ("departure_refund", {"purchases": []}, "purchases"),
])
def test_bad_input_is_a_422_problem_naming_the_field(tools: ModuleType, name: str,
                                                     body: dict[str, Any], field: str) -> None:
    answer = post(tools, name, body)
    assert answer["statusCode"] == 422, answer["body"]
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    problem = answer["json"]
    assert problem["status"] == 422
    assert problem["field"] == field
    assert problem["detail"].startswith(field)


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", ""])
def test_a_body_that_is_not_a_json_object_is_a_400(tools: ModuleType, body: str) -> None:
    answer = post(tools, "vat", body)
    assert answer["statusCode"] == 400
    assert answer["json"]["field"] == "body"


def test_an_ineligible_refund_is_an_answer_not_an_error(tools: ModuleType) -> None:
    answer = post(tools, "departure_refund", {
        "purchases": [{"amount": "150", "vat_rate": "0.13", "store": "S", "date": "2026-11-20"}],
        "traveller": {"residence": "foreign", "days_in_china": 12}})
    assert answer["statusCode"] == 200
    assert answer["json"]["eligible"] is False
    assert answer["json"]["reason"] == (
        "S on 2026-11-20: refundable purchases 150.00 < the minimum 200.00")


def guide_event(**query: str) -> dict[str, Any]:
    event = sample_event("calculators/guide.json")
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    return event


def test_the_guide_answers_a_small_scale_monthly_return(tools: ModuleType,
                                                        api_calls: ApiCalls) -> None:
    answer = call(tools, sample_event("calculators/guide.json"))
    assert answer["statusCode"] == 200, answer["body"]
    body = answer["json"]
    assert (body["matter"], body["taxpayer_type"], body["on"]) == (
        "vat-monthly-return", "small_scale", "2026-12-06")
    assert body["steps"][2]["route"] == "POST /v1/filing/obligations/{obligation_id}/return"
    assert body["steps"][0]["channels"][0] == {"id": "api",
                                               "label": "平台 API（应用、财务软件接入）"}
    assert [(d["period"], d["due_date"], d["this_month"]) for d in body["deadlines"]] == [
        ("2026-11", "2026-12-15", True)]
    assert body["rules"][0]["table"] == "vat.small_scale"
    assert api_calls.calls == []
    today = call(tools, guide_event(taxpayer_type="small_scale", matter="vat-monthly-return"))
    assert today["json"]["on"] == today_in_china().isoformat()


def test_the_guide_catalogue_and_its_refusals_name_the_field(tools: ModuleType) -> None:
    catalogue = call(tools, guide_event(taxpayer_type="natural_person"))
    assert catalogue["statusCode"] == 200
    assert [m["id"] for m in catalogue["json"]["matters"]] == [
        "iit-annual-reconciliation", "vehicle-vessel-tax"]
    assert call(tools, guide_event())["json"]["taxpayer_types"]["overseas_visitor"] == "境外旅客"
    for query, field in (({"taxpayer_type": "company"}, "taxpayer_type"),
                         ({"matter": "vat-monthly-return"}, "taxpayer_type"),
                         ({"taxpayer_type": "general", "matter": "departure-refund"}, "matter"),
                         ({"taxpayer_type": "general", "matter": "x" * 300}, "matter"),
                         ({"taxpayer_type": "general", "matter": "invoice-supply",
                           "on": "2026-02-30"}, "on")):
        refused = call(tools, guide_event(**query))
        assert refused["statusCode"] == 422, (query, refused["body"])
        assert refused["json"]["field"] == field
        assert "x" * 50 not in refused["body"]
