"""Credit ratings (D12) on the local stack over HTTP: the demo seller files a return of a past
period late and pays it late; the annual evaluation, started through its route, fans out over
the register (one queue message a page of a segment) and rates the seller with a deduction for
each, linked to the obligation that caused it; the seller applies for repair of the corrected
late filing, an officer of its office approves, and the points restored are the rule's share
for the days from the deadline to the correction, and the re-rating names the repair; a
whole-record repair asked too soon and a direct-D repair without a direct D are 422s naming
the field; the public A-list; another taxpayer and an officer of another office are refused.
The annual schedule's function, invoked twice, starts the previous year's run once."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import requests

from etax.credit.repair import RepairPolicy, whole_record_repair_from
from tests.e2e.test_filing_e2e import (
    FUZHOU,
    RETAILER,
    master,
    months_back,
    post,
    provider_confirms,
    today,
    wait_for,
)
from tests.e2e.test_platform_e2e import bearer, token

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]
__all__ = ["master"]  # the payment callback's key (a fixture of test_filing_e2e)

SELLER = "91350100M000100Y43"  # demo data: general taxpayer registered 2016-03-01, Fuzhou


def get(api: str, path: str, who: dict[str, str] | None = None,
        params: dict[str, str] | None = None) -> requests.Response:
    return requests.get(f"{api}{path}", headers=who or {}, params=params, timeout=60)


def level_for(score: Decimal) -> str:
    """The level a score deserves for a taxpayer operating for years, with income, not D the
    year before (art. 16, 17; etax.credit.evaluation)."""
    if score < 40:
        return "D"
    return "A" if score >= 90 else "B" if score >= 70 else "C"


def test_late_filing_and_payment_rated_repaired_and_listed(api: str, master: bytes) -> None:
    seller = bearer(token(api, "taxpayer", SELLER))
    officer = bearer(token(api, "officer", "officer-fz-0001", FUZHOU))
    admin = bearer(token(api, "admin", "admin-0001"))

    # a return of a past period filed today, after its deadline, and paid in full today
    created = post(api, "/v1/filing/obligations", seller,
                   {"taxpayer": SELLER, "tax_type": "vat", "period": months_back(2)})
    assert created.status_code == 201, created.text
    oid = created.json()["obligation_id"]
    filed = post(api, f"/v1/filing/obligations/{oid}/return", seller, {
        "kind": "vat_general",
        "data": {"sales": [{"amount": "100000", "rate": "0.13"}], "input_tax": "1000"}})
    assert filed.status_code == 201, filed.text
    due = date.fromisoformat(filed.json()["due_date"])
    days = (today() - due).days
    assert days > 3
    payment = post(api, f"/v1/filing/obligations/{oid}/payments", seller,
                   {"method": "pos", "amount": filed.json()["liability"]["outstanding"]})
    assert payment.status_code == 201, payment.text
    assert provider_confirms(api, master, payment.json()).status_code == 200
    year = due.year

    # the annual evaluation: started by an admin, run through the queue, followed to done
    started = post(api, "/v1/credit/evaluations", admin, {"year": year, "segments": 2})
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    done = wait_for("the evaluation run", lambda: (
        answer if (answer := get(api, f"/v1/credit/evaluations/{run_id}", officer).json())
        ["state"] == "done" else None), timeout=180)
    assert done["evaluated"] >= 1

    answer = get(api, f"/v1/credit/ratings/{SELLER}", seller, {"year": str(year)})
    assert answer.status_code == 200, answer.text
    rating = answer.json()
    link = f"/v1/filing/obligations/{oid}"
    caused = {d["indicator"]: d for d in rating["deductions"]
              if any(r.get("link") == link for r in d["records"])}
    assert set(caused) == {"FILING_LATE", "PAYMENT_LATE"}
    assert [r["reference"] for r in caused["FILING_LATE"]["records"]] == [f"filing:{oid}"]
    assert [r["reference"] for r in caused["PAYMENT_LATE"]["records"]] == [f"payment:{oid}"]
    assert caused["FILING_LATE"]["points"] == caused["PAYMENT_LATE"]["points"] == 5
    assert caused["FILING_LATE"]["restored"] == "0.0"
    assert get(api, link, seller).status_code == 200  # the link shows the obligation
    score = Decimal(rating["score"])
    assert score == rating["start"] - sum(Decimal(d["net"]) for d in rating["deductions"])
    assert rating["level"] == level_for(score)

    # repair of the corrected late filing: applied for, approved by an officer of the office
    applied = post(api, "/v1/credit/repairs", seller,
                   {"year": year, "indicator": "FILING_LATE", "record": f"filing:{oid}"})
    assert applied.status_code == 201, applied.text
    share = Decimal(RepairPolicy.shipped().restored_tenths(5, days)) / 10
    assert Decimal(applied.json()["restores"]) == share
    repair_id = applied.json()["id"]
    xiamen = bearer(token(api, "officer", "officer-xm-0001", "13502000000"))
    refused = post(api, f"/v1/credit/repairs/{repair_id}/decision", xiamen,
                   {"decision": "approve"})
    assert refused.status_code == 403, refused.text
    approved = post(api, f"/v1/credit/repairs/{repair_id}/decision", officer,
                    {"decision": "approve"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    repaired = get(api, f"/v1/credit/ratings/{SELLER}", seller, {"year": str(year)}).json()
    [filing] = [d for d in repaired["deductions"] if d["indicator"] == "FILING_LATE"
                and d["records"][0]["reference"] == f"filing:{oid}"]
    assert Decimal(filing["restored"]) == share
    assert filing["repair"] == repair_id  # the re-rating names the repair
    assert Decimal(repaired["score"]) == score + share
    assert repaired["level"] == level_for(score + share)

    # whole-record repair waits 6 months from the last violation (the platform's records);
    # a direct D the rating does not list cannot be repaired
    whole = post(api, "/v1/credit/repairs", seller, {"year": year, "kind": "whole_record"})
    assert (whole.status_code, whole.json()["field"]) == (422, "kind"), whole.text
    assert whole.json()["opens_on"] >= whole_record_repair_from(
        due, RepairPolicy.shipped()).isoformat()
    direct = post(api, "/v1/credit/repairs", seller,
                  {"year": year, "kind": "direct_d", "indicator": "D_SERIOUS_VIOLATOR"})
    assert (direct.status_code, direct.json()["field"]) == (422, "indicator"), direct.text

    # the public A-list: credit code, name and year only
    listed = get(api, "/v1/credit/a-list", params={"year": str(year)})
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert all(set(item) == {"credit_code", "name", "year"} for item in items)
    assert (SELLER in {i["credit_code"] for i in items}) is (repaired["level"] == "A")
    assert items, "the demo register's clean taxpayers are rated A"

    # another taxpayer, and an officer of another office, are refused
    other = bearer(token(api, "taxpayer", RETAILER))
    assert get(api, f"/v1/credit/ratings/{SELLER}", other).status_code == 403
    assert get(api, f"/v1/credit/ratings/{SELLER}", xiamen).status_code == 403
    assert get(api, f"/v1/credit/repairs/{repair_id}", other).status_code == 403
    # the seller's own standing so far this year
    preview = get(api, "/v1/me/credit/preview", seller)
    assert (preview.status_code, preview.json()["provisional"]) == (200, True)


def test_the_annual_schedule_starts_the_previous_years_run_once(
        api: str, aws: Any, stack: dict[str, Any]) -> None:
    admin = bearer(token(api, "admin", "admin-0001"))
    answers = []
    for _ in range(2):  # the schedule's event, then a retried delivery of it
        invoke = aws("lambda").invoke(FunctionName=stack["CreditAnnualFunctionName"],
                                      Payload=json.dumps({"source": "aws.events"}).encode())
        assert "FunctionError" not in invoke, invoke["Payload"].read()
        answers.append(json.loads(invoke["Payload"].read()))
    year = today().year - 1
    assert answers[0] == answers[1]
    assert (answers[0]["run"], answers[0]["year"]) == (f"annual-{year}", year)
    done = wait_for("the annual run", lambda: (
        answer if (answer := get(api, f"/v1/credit/evaluations/annual-{year}", admin).json())
        ["state"] == "done" else None), timeout=180)
    assert done["started_by"] == "schedule:annual-credit-run"
    assert done["evaluated"] >= 1
