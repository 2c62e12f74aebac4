"""The tax toolbox on the local stack over HTTP, as a client calls it: every calculator route
without signing in, answers exact to the fen with their steps, and 422 problems naming the
field for bad input; the service guide's steps with this month's deadline from filing's
calendar."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests

from etax.calculators.common import today_in_china
from etax.filing import deadlines

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]


def post(api: str, path: str, body: Any) -> requests.Response:
    return requests.post(f"{api}/v1/tools/{path}", json=body, timeout=30)


def ok(api: str, path: str, body: Any) -> dict[str, Any]:
    answer = post(api, path, body)
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    result: dict[str, Any] = answer.json()
    assert result["rules"]
    return result


def test_cumulative_withholding(api: str) -> None:
    body = ok(api, "iit/withholding", {
        "monthly_gross": "30000", "social_insurance": "4500",
        "special_additional": {"child_education": "2000"}, "months": 12})
    months = body["months"]
    assert [m["withholding"] for m in months[:3]] == ["555.00", "625.00", "1850.00"]
    assert [m["month"] for m in months] == list(range(1, 13))
    assert months[2]["steps"][2]["formula"] == "55500.00 × 0.1 − 2520.00"
    annual = ok(api, "iit/annual", {"income": "360000", "social_insurance": "54000",
                                    "special_additional": {"child_education": "24000"},
                                    "withheld": body["total"]})
    assert annual["tax"] == body["total"]
    assert (annual["refund_or_payable"], annual["outcome"]) == ("0.00", "settled")


def test_annual_reconciliation(api: str) -> None:
    body = ok(api, "iit/annual", {"income": "120000", "social_insurance": "12480",
                                  "special_additional": {"child_education": "18000"},
                                  "withheld": "1000", "year": 2025})
    assert (body["taxable"], body["tax"]) == ("29520.00", "885.60")
    assert (body["refund_or_payable"], body["to_refund"], body["exempt_small_amount"]) == (
        "-114.40", "114.40", False)


def test_bonus_and_its_cliff(api: str) -> None:
    assert ok(api, "iit/bonus", {"bonus": "36000", "year": 2026})["tax"] == "1080.00"
    above = ok(api, "iit/bonus", {"bonus": "36001", "year": 2026})
    assert above["tax"] == "3390.10"
    assert above["cliff"]["extra_tax"] == "2310.10"


def test_vat(api: str) -> None:
    general = ok(api, "vat", {"taxpayer": "general", "input_tax": "20000",
                              "sales": [{"amount": "100000", "rate": "0.13"}]})
    assert (general["tax_due"], general["carry_forward"]) == ("0.00", "7000.00")
    small = ok(api, "vat", {"taxpayer": "small_scale", "period": "month", "sales": "150000",
                            "date": "2026-11-28"})
    assert (small["levy_rate"], small["tax_due"], small["exempt"]) == ("0.01", "1500.00", False)
    later = ok(api, "vat", {"taxpayer": "small_scale", "period": "quarter", "sales": "90000",
                            "date": "2028-02-01"})
    assert (later["levy_rate"], later["exempt"], later["tax_due"]) == ("0.03", False, "2700.00")


def test_vehicle_and_vessel_tax(api: str) -> None:
    body = ok(api, "vehicle-vessel", {"province": "35", "vehicle_class": "passenger_car",
                                      "displacement_l": "1.998"})
    assert (body["annual_tax"], body["bracket"]) == ("480.00", "over 1.6 L up to 2.0 L")
    assert body["national_range"] == {"min": "360.00", "max": "660.00"}
    assert body["province"]["verified"] is False


def test_departure_refund(api: str) -> None:
    body = ok(api, "departure-refund", {
        "purchases": [{"amount": "1000", "vat_rate": "0.13", "store": "福州东街口百货",
                       "date": "2026-11-20"}],
        "departure_date": "2026-11-28",
        "traveller": {"residence": "foreign", "days_in_china": 20}})
    assert (body["eligible"], body["refund_due"], body["agency_fee"], body["net_refund"]) == (
        True, "110.00", "20.00", "90.00")
    assert body["payment_methods"] == ["cash", "bank_transfer"]
    small = ok(api, "departure-refund", {"purchases": [
        {"amount": "199.99", "vat_rate": "0.13", "store": "S", "date": "2026-11-20"}]})
    assert small["eligible"] is False
    assert "< the minimum 200.00" in small["reason"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("iit/withholding", {"monthly_gross": "30000",
                         "special_additional": {"pet_care": "500"}}, "special_additional.pet_care"),
    ("iit/withholding", {"monthly_gross": "30000", "months": 13}, "months"),
    ("iit/annual", {"income": "-1"}, "income"),
    ("vehicle-vessel", {"province": "99", "vehicle_class": "passenger_car",
                        "displacement_l": "1.5"}, "province"),
    ("departure-refund", {"purchases": [{"amount": "12.345", "vat_rate": "0.13", "store": "S",
                                         "date": "2026-11-20"}]}, "purchases[0].amount"),
])
def test_bad_input_is_a_422_naming_the_field(api: str, path: str, body: dict[str, Any],
                                             field: str) -> None:
    answer = post(api, path, body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.json()["field"] == field


def test_the_guide_gives_a_small_scale_monthly_return_with_this_month_deadline(
        api: str) -> None:
    answer = requests.get(f"{api}/v1/guide", params={
        "taxpayer_type": "small_scale", "matter": "vat-monthly-return"}, timeout=30)
    assert answer.status_code == 200, answer.text
    guide = answer.json()
    assert guide["title"] == "增值税按月申报"
    assert [s["route"] for s in guide["steps"]][1:4] == [
        "POST /v1/tools/vat", "POST /v1/filing/obligations/{obligation_id}/return",
        "POST /v1/filing/obligations/{obligation_id}/payments"]
    today = today_in_china()
    last_month = f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"
    this_month = next(d for d in guide["deadlines"] if d["this_month"])
    expected = deadlines.deadline("vat", last_month)
    assert (this_month["period"], this_month["due_date"], this_month["how"]) == (
        last_month, expected.due_date.isoformat(), expected.how)
    assert this_month["days_left"] == (expected.due_date - today).days
    assert guide["rules"][0]["table"] == "vat.small_scale"

    # the route a step names is the platform's: the calculator it points to answers
    small = ok(api, "vat", {"taxpayer": "small_scale", "sales": "150000"})
    assert small["rules"][0]["effective_from"] == guide["rules"][0]["effective_from"]

    refused = requests.get(f"{api}/v1/guide", params={
        "taxpayer_type": "natural_person", "matter": "vat-monthly-return"}, timeout=30)
    assert refused.status_code == 422
    assert refused.json()["field"] == "matter"
    catalogue = requests.get(f"{api}/v1/guide", timeout=30).json()
    assert {m["id"] for m in catalogue["matters"]} >= {
        "vat-monthly-return", "first-vat-return", "iit-annual-reconciliation",
        "departure-refund", "invoice-supply"}
