"""Credit ratings (D12) over moto: ratings gathered from the filing table and the registry,
each deduction linked to the obligation that caused it; the public A-list; the in-year
preview; repair applications an officer decides (the restored share by the days to the
correction); the annual run in segments, idempotent per taxpayer and year; serious-violator
listings that rate D while they stand; problems naming fields; 403 for another taxpayer and
an officer of another office."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from etax.errors import Invalid
from etax.rules import uscc
from tests.functional.conftest import LambdaContext, call, load_handler
from tests.functional.test_acceptance_registration import OFFICE, put_record
from tests.functional.test_invoices import request
from tests.functional.test_supply import sqs_message

SELLER = "91350100M000100Y43"
RETAILER = "91350100MA2Y8KXX1B"
NEWCOMER = uscc.complete("91350100MA8ABCDE0")
OFFICER = ("officer", "officer-fz-0001", OFFICE)
XIAMEN_OFFICER = ("officer", "officer-xm-0001", "13502000000")
NOW = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def obligation(code: str, period: str, due: str, *, filed: str | None = None,
               paid: str | None = None, tax_fen: int = 0, surcharge_fen: int = 0) -> str:
    ident = f"{code}:vat:{period}"
    item: dict[str, Any] = {
        "pk": f"taxpayer#{code}", "sk": f"obligation#vat#{period}", "obligation_id": ident,
        "taxpayer": code, "tax_type": "vat", "period": period, "due_date": due,
        "statutory_due": due, "extension": "none", "status": "open", "version": 1,
        "created_by": "officer-fz-0001", "created_at": "2026-01-01T00:00:00+00:00",
        "tax_office": OFFICE}
    if filed:
        item.update(filed_at=filed, status="paid" if paid else "filed", tax_fen=tax_fen,
                    tax_paid_fen=tax_fen if paid else 0, surcharge_accrued_fen=surcharge_fen,
                    surcharge_paid_fen=0, overpaid_fen=0, accrued_through=None)
    if paid:
        item["paid_at"] = paid
    boto3.resource("dynamodb").Table("filing").put_item(Item=item)
    return ident


@pytest.fixture
def queue(aws: None, monkeypatch: pytest.MonkeyPatch) -> str:
    url: str = boto3.client("sqs").create_queue(QueueName="credit-runs")["QueueUrl"]
    monkeypatch.setenv("CREDIT_RUN_QUEUE_URL", url)
    return url


@pytest.fixture
def records(aws: None) -> None:
    put_record(SELLER)
    put_record(RETAILER, name="福州三坊七巷示例百货有限公司")
    put_record(NEWCOMER, name="福州新开示例商贸有限公司", registration_date="2026-03-01")
    # late by 8 days, filed and paid the same day: FILING_LATE (October) and PAYMENT_LATE
    obligation(SELLER, "2026-09", "2026-10-22", filed="2026-10-30T02:00:00+00:00",
               paid="2026-10-30T03:00:00+00:00", tax_fen=1_000_000)
    obligation(SELLER, "2026-08", "2026-09-15", filed="2026-09-10T02:00:00+00:00",
               paid="2026-09-12T02:00:00+00:00", tax_fen=500_000)
    # late by 2 days with nothing to pay: repaired without application
    obligation(SELLER, "2026-10", "2026-11-16", filed="2026-11-18T02:00:00+00:00")
    obligation(SELLER, "2026-11", "2026-12-15")  # not due yet
    # the newcomer filed late and has not paid
    obligation(NEWCOMER, "2026-09", "2026-10-22", filed="2026-10-27T02:00:00+00:00",
               tax_fen=200_000)


def _clocked(module: Any) -> Any:
    module.service.now = lambda: NOW
    return module


@pytest.fixture
def api(records: None, queue: str) -> Any:
    return _clocked(load_handler("credit"))


@pytest.fixture
def runs(records: None, queue: str) -> Any:
    return _clocked(load_handler("credit_runs"))


@pytest.fixture
def violators(records: None) -> Any:
    return _clocked(load_handler("credit_violators"))


def get(api: Any, path: str, who: tuple[str, ...] | None, *, resource: str | None = None,
        params: dict[str, str] | None = None, query: dict[str, str] | None = None
        ) -> dict[str, Any]:
    event = request("GET", path, who=who, resource=resource, params=params)
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in (query or {}).items()} \
        if query else None
    return call(api, event)


def post(api: Any, path: str, body: dict[str, Any], who: tuple[str, ...], *, key: str,
         resource: str | None = None, params: dict[str, str] | None = None) -> dict[str, Any]:
    return call(api, request("POST", path, body=body, who=who, key=key, resource=resource,
                             params=params))


def rating(api: Any, code: str, who: tuple[str, ...] | None) -> dict[str, Any]:
    return get(api, f"/v1/credit/ratings/{code}", who, resource="/v1/credit/ratings/{credit_code}",
               params={"credit_code": code})


def drain(runs: Any, queue: str) -> int:
    """Deliver the queue's messages to the run's worker until it is empty; how many."""
    sqs = boto3.client("sqs")
    delivered = 0
    while True:
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return delivered
        for message in got:
            event = {**sqs_message({}, message["MessageId"]), "body": message["Body"]}
            answer = runs.handler({"Records": [event]}, LambdaContext())
            assert answer["batchItemFailures"] == []
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
            delivered += 1


def start_run(api: Any, runs: Any, queue: str, monkeypatch: pytest.MonkeyPatch,
              who: tuple[str, ...] = ("admin", "admin-1")) -> dict[str, Any]:
    monkeypatch.setattr("etax.credit.service.PAGE", 1)  # one taxpayer a message: resumes
    answer = post(api, "/v1/credit/evaluations", {"year": 2026, "segments": 2}, who,
                  key="run-1")
    assert answer["statusCode"] == 202, answer["json"]
    # two segments, three taxpayers, one a page: each segment resumed from where it stopped
    assert drain(runs, queue) >= 3
    started: dict[str, Any] = answer["json"]
    return started


def test_the_run_rates_every_taxpayer_once_with_each_deduction_linked(
        api: Any, runs: Any, queue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    started = start_run(api, runs, queue, monkeypatch)
    assert started["state"] == "running"
    assert started["segments"] == 2
    progress = get(api, f"/v1/credit/evaluations/{started['id']}", OFFICER,
                   resource="/v1/credit/evaluations/{run_id}", params={"run_id": started["id"]})
    assert progress["json"] == {**started, "state": "done", "segments_done": 2, "evaluated": 3}

    answer = rating(api, SELLER, ("taxpayer", SELLER))
    assert answer["statusCode"] == 200, answer["json"]
    shown = answer["json"]
    assert (shown["year"], shown["start"], shown["score"], shown["level"]) == (
        2026, 93, "83.0", "B")
    assert shown["provisional"] is True
    assert shown["as_of"] == "2026-12-04"
    link = f"/v1/filing/obligations/{SELLER}:vat:2026-09"
    assert [(d["indicator"], d["points"], d["restored"], d["on"], d["records"])
            for d in shown["deductions"]] == [
        ("FILING_LATE", 5, "0.0", "2026-10-22",
         [{"reference": f"filing:{SELLER}:vat:2026-09", "link": link}]),
        ("PAYMENT_LATE", 5, "0.0", "2026-10-22",
         [{"reference": f"payment:{SELLER}:vat:2026-09", "link": link}]),
        ("FILING_LATE", 5, "5.0", "2026-11-16",
         [{"reference": f"filing:{SELLER}:vat:2026-10",
           "link": f"/v1/filing/obligations/{SELLER}:vat:2026-10"}])]
    assert shown["deductions"][0]["description"].startswith("未按规定期限纳税申报")
    assert shown["deductions"][0]["corrected_on"] == "2026-10-30"
    # the newcomer is M (registered in the year); the retailer, clean, A
    assert rating(api, NEWCOMER, OFFICER)["json"]["level"] == "M"
    assert rating(api, RETAILER, ("admin", "admin-1"))["json"]["level"] == "A"

    # a second delivery of the run's first messages changes nothing
    monkeypatch.setattr("etax.credit.service.PAGE", 100)
    for segment in (0, 1):
        body = {"run_id": started["id"], "year": 2026, "segment": segment, "segments": 2}
        runs.handler({"Records": [{**sqs_message(body, f"again-{segment}")}]}, LambdaContext())
    drain(runs, queue)
    again = get(api, f"/v1/credit/evaluations/{started['id']}", ("admin", "admin-1"),
                resource="/v1/credit/evaluations/{run_id}", params={"run_id": started["id"]})
    assert again["json"]["evaluated"] == 3


def test_ratings_are_the_taxpayers_and_its_offices(
        api: Any, runs: Any, queue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    start_run(api, runs, queue, monkeypatch)
    assert rating(api, SELLER, ("taxpayer", RETAILER))["statusCode"] == 403
    assert rating(api, SELLER, XIAMEN_OFFICER)["statusCode"] == 403
    assert rating(api, SELLER, None)["statusCode"] == 401
    assert rating(api, SELLER, OFFICER)["statusCode"] == 200
    assert post(api, "/v1/credit/evaluations", {"year": 2026}, ("taxpayer", SELLER),
                key="run-x")["statusCode"] == 403
    assert post(api, "/v1/credit/evaluations", {"year": 2026}, OFFICER,
                key="run-o")["statusCode"] == 403  # the whole register: not an office's
    future = post(api, "/v1/credit/evaluations", {"year": 2027}, ("admin", "admin-1"),
                  key="run-y")
    assert (future["statusCode"], future["json"]["field"]) == (422, "year")
    wrong = get(api, f"/v1/credit/ratings/{SELLER}", OFFICER,
                resource="/v1/credit/ratings/{credit_code}", params={"credit_code": SELLER},
                query={"year": "20x6"})
    assert (wrong["statusCode"], wrong["json"]["field"]) == (422, "year")
    none = get(api, f"/v1/credit/ratings/{SELLER}", OFFICER,
               resource="/v1/credit/ratings/{credit_code}", params={"credit_code": SELLER},
               query={"year": "2025"})
    assert (none["statusCode"], none["json"]["field"]) == (404, "year")


def test_the_a_list_is_public_and_paged(
        api: Any, runs: Any, queue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    start_run(api, runs, queue, monkeypatch)
    listed = get(api, "/v1/credit/a-list", None, query={"year": "2026"})
    assert listed["statusCode"] == 200, listed["json"]
    assert listed["json"] == {"year": 2026, "items": [
        {"credit_code": RETAILER, "name": "福州三坊七巷示例百货有限公司", "year": 2026}]}
    page = get(api, "/v1/credit/a-list", None, query={"year": "2026", "limit": "1"})
    assert len(page["json"]["items"]) == 1
    no_year = get(api, "/v1/credit/a-list", None)
    assert (no_year["statusCode"], no_year["json"]["field"]) == (422, "year")
    bad = get(api, "/v1/credit/a-list", None, query={"year": "2026", "cursor": "nope"})
    assert (bad["statusCode"], bad["json"]["field"]) == (400, "cursor")


def test_the_preview_is_the_taxpayers_own_year_so_far(api: Any) -> None:
    never_rated = rating(api, SELLER, OFFICER)  # the year so far until a run rates it
    assert (never_rated["json"]["score"], never_rated["json"]["provisional"]) == ("83.0", True)
    answer = get(api, "/v1/me/credit/preview", ("taxpayer", SELLER))
    assert answer["statusCode"] == 200, answer["json"]
    assert (answer["json"]["score"], answer["json"]["provisional"]) == ("83.0", True)
    assert get(api, "/v1/me/credit/preview", OFFICER)["statusCode"] == 403
    assert boto3.client("dynamodb").scan(TableName="credit")["Items"] == []  # not stored


def apply(api: Any, body: dict[str, Any], who: tuple[str, ...] = ("taxpayer", SELLER),
          key: str = "repair-1") -> dict[str, Any]:
    return post(api, "/v1/credit/repairs", body, who, key=key)


def decide(api: Any, repair_id: str, body: dict[str, Any], who: tuple[str, ...] = OFFICER,
           key: str = "decide-1") -> dict[str, Any]:
    return post(api, f"/v1/credit/repairs/{repair_id}/decision", body, who, key=key,
                resource="/v1/credit/repairs/{repair_id}/decision",
                params={"repair_id": repair_id})


FILING_REPAIR = {"year": 2026, "indicator": "FILING_LATE", "record": f"filing:{SELLER}:vat:2026-09"}


def test_an_approved_repair_restores_the_share_for_the_days_to_the_correction(
        api: Any, runs: Any, queue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    start_run(api, runs, queue, monkeypatch)
    applied = apply(api, FILING_REPAIR)
    assert applied["statusCode"] == 201, applied["json"]
    repair = applied["json"]
    # corrected 8 days after the deadline: 80 % of 5 points
    assert {k: repair[k] for k in ("state", "fault_on", "corrected_on", "restores")} == {
        "state": "applied", "fault_on": "2026-10-22", "corrected_on": "2026-10-30",
        "restores": "4.0"}
    assert apply(api, FILING_REPAIR)["json"] == repair  # the same key: the same answer
    again = apply(api, FILING_REPAIR, key="repair-2")
    assert (again["statusCode"], again["json"]["field"]) == (409, "record")

    path = f"/v1/credit/repairs/{repair['id']}"
    view = {"resource": "/v1/credit/repairs/{repair_id}", "params": {"repair_id": repair["id"]}}
    assert get(api, path, OFFICER, **view)["json"] == repair  # type: ignore[arg-type]
    assert get(api, path, ("taxpayer", RETAILER), **view)["statusCode"] == 403  # type: ignore[arg-type]
    assert decide(api, repair["id"], {"decision": "approve"},
                  who=XIAMEN_OFFICER)["statusCode"] == 403
    assert decide(api, repair["id"], {"decision": "approve"},
                  who=("taxpayer", SELLER))["statusCode"] == 403
    approved = decide(api, repair["id"], {"decision": "approve"})
    assert approved["statusCode"] == 200, approved["json"]
    assert (approved["json"]["state"], approved["json"]["decided_by"]) == (
        "approved", "officer-fz-0001")
    twice = decide(api, repair["id"], {"decision": "refuse", "reason": "再议"}, key="decide-2")
    assert (twice["statusCode"], twice["json"]["field"]) == (409, "state")

    shown = rating(api, SELLER, ("taxpayer", SELLER))["json"]
    assert shown["score"] == "87.0"
    assert shown["deductions"][0]["restored"] == "4.0"
    assert shown["deductions"][0]["net"] == "1.0"


def test_repair_problems_name_their_fields(api: Any) -> None:
    unknown = apply(api, {**FILING_REPAIR, "indicator": "FILING_SLOW"}, key="r-1")
    assert (unknown["statusCode"], unknown["json"]["field"]) == (422, "indicator")
    not_mine = apply(api, {**FILING_REPAIR, "record": f"filing:{NEWCOMER}:vat:2026-09"},
                     key="r-2")
    assert (not_mine["statusCode"], not_mine["json"]["field"]) == (422, "record")
    automatic = apply(api, {**FILING_REPAIR, "record": f"filing:{SELLER}:vat:2026-10"},
                      key="r-3")
    assert (automatic["statusCode"], automatic["json"]["field"]) == (409, "corrected_on")
    unpaid = apply(api, {"year": 2026, "indicator": "PAYMENT_LATE",
                         "record": f"payment:{NEWCOMER}:vat:2026-09"},
                   who=("taxpayer", NEWCOMER), key="r-4")
    assert (unpaid["statusCode"], unpaid["json"]["field"]) == (422, "corrected_on")
    shape = apply(api, {"year": 2026, "indicator": "FILING_LATE"}, key="r-5")
    assert (shape["statusCode"], shape["json"]["field"]) == (422, "record")
    assert apply(api, FILING_REPAIR, who=OFFICER, key="r-6")["statusCode"] == 403


def listing_event(kind: str, detail: dict[str, str], message_id: str) -> dict[str, Any]:
    return sqs_message({"source": "tax.violators", "detail-type": kind, "detail": detail},
                       message_id)


def test_a_serious_violator_listing_rates_d_while_it_stands(violators: Any, api: Any) -> None:
    listed = {"case_id": "case-1", "credit_code": RETAILER, "listed_on": "2026-11-20"}
    answer = violators.handler({"Records": [listing_event("ViolatorListed", listed, "v-1")]},
                               LambdaContext())
    assert answer["batchItemFailures"] == []
    shown = rating(api, RETAILER, OFFICER)["json"]
    assert shown["level"] == "D"
    assert shown["direct_d"] == [{"indicator": "D_SERIOUS_VIOLATOR",
                                  "description": "被列为重大税收违法失信主体",
                                  "on": "2026-11-20", "record": {"reference": "violator:case-1"}}]
    removed = {"case_id": "case-1", "credit_code": RETAILER, "removed_on": "2026-12-01"}
    violators.handler({"Records": [listing_event("ViolatorRemoved", removed, "v-2")]},
                      LambdaContext())
    assert rating(api, RETAILER, OFFICER)["json"]["level"] == "A"
    poisoned = violators.handler({"Records": [listing_event("ViolatorListed", {"x": "y"},
                                                            "v-3")]}, LambdaContext())
    assert poisoned["batchItemFailures"] == [{"itemIdentifier": "v-3"}]
    stored = boto3.client("dynamodb").get_item(TableName="credit", Key={
        "pk": {"S": f"taxpayer#{RETAILER}"}, "sk": {"S": "listing#case-1"}})["Item"]
    assert (stored["listed_on"]["S"], stored["removed_on"]["S"]) == ("2026-11-20", "2026-12-01")
    assert json.loads(json.dumps(stored["credit_code"])) == {"S": RETAILER}


def test_a_run_of_a_past_year_rates_only_who_was_registered_in_it(runs: Any, queue: str) -> None:
    assert runs.service.run_page({"run_id": "r-2025", "year": 2025, "segment": 0,
                                  "segments": 1}) == 2
    rated = {item["pk"]["S"].removeprefix("taxpayer#") for item in
             boto3.client("dynamodb").scan(TableName="credit")["Items"]
             if item["sk"]["S"] == "evaluation#2025"}
    assert rated == {SELLER, RETAILER}  # the newcomer registered in 2026


def test_a_rerating_after_a_repair_is_kept_when_the_run_is_delivered_again(
        api: Any, runs: Any, queue: str, monkeypatch: pytest.MonkeyPatch) -> None:
    started = start_run(api, runs, queue, monkeypatch)
    repair = apply(api, FILING_REPAIR)["json"]
    assert decide(api, repair["id"], {"decision": "approve"})["statusCode"] == 200
    assert rating(api, SELLER, OFFICER)["json"]["score"] == "87.0"  # re-rated outside the run
    # a late redelivery of the run's pages: each taxpayer counted once, the re-rating kept
    monkeypatch.setattr("etax.credit.service.PAGE", 100)
    for segment in (0, 1):
        body = {"run_id": started["id"], "year": 2026, "segment": segment, "segments": 2}
        runs.handler({"Records": [{**sqs_message(body, f"late-{segment}")}]}, LambdaContext())
    drain(runs, queue)
    progress = get(api, f"/v1/credit/evaluations/{started['id']}", ("admin", "admin-1"),
                   resource="/v1/credit/evaluations/{run_id}", params={"run_id": started["id"]})
    assert progress["json"]["evaluated"] == 3
    shown = rating(api, SELLER, OFFICER)["json"]
    assert shown["score"] == "87.0"
    assert shown["deductions"][0]["repair"] == repair["id"]


WHOLE = {"year": 2026, "kind": "whole_record"}


def test_a_whole_record_repair_waits_6_months_from_the_last_violation(api: Any) -> None:
    early = apply(api, WHOLE, key="w-1")
    # the last violation: the November return due 2026-11-16 (filed 2 days late)
    assert (early["statusCode"], early["json"]["field"]) == (422, "kind")
    assert early["json"]["opens_on"] == "2027-05-16"
    clean = apply(api, WHOLE, who=("taxpayer", RETAILER), key="w-2")
    assert (clean["statusCode"], clean["json"]["field"]) == (422, "kind")  # nothing to repair
    named = apply(api, {**WHOLE, "record": f"filing:{SELLER}:vat:2026-09"}, key="w-3")
    assert (named["statusCode"], named["json"]["field"]) == (422, "record")

    api.service.now = lambda: datetime(2027, 6, 14, 2, 0, tzinfo=UTC)
    # 2026 over, the December return never filed: the last violation is its deadline
    still = apply(api, WHOLE, key="w-4")
    assert (still["statusCode"], still["json"]["opens_on"]) == (422, "2027-06-15")

    api.service.now = lambda: datetime(2027, 6, 15, 2, 0, tzinfo=UTC)
    applied = apply(api, WHOLE, key="w-6")
    assert applied["statusCode"] == 201, applied["json"]
    repair = applied["json"]
    # the October return and payment, 8 days late: 80 % of 5 each
    assert {k: repair[k] for k in ("kind", "state", "last_violation_on", "restores")} == {
        "kind": "whole_record", "state": "applied", "last_violation_on": "2026-12-15",
        "restores": "8.0"}
    assert "record" not in repair
    twice = apply(api, WHOLE, key="w-7")
    assert (twice["statusCode"], twice["json"]["field"]) == (409, "kind")
    assert decide(api, repair["id"], {"decision": "approve"},
                  who=XIAMEN_OFFICER)["statusCode"] == 403
    approved = decide(api, repair["id"], {"decision": "approve"})
    assert approved["statusCode"] == 200, approved["json"]
    shown = get(api, f"/v1/credit/ratings/{SELLER}", ("taxpayer", SELLER),
                resource="/v1/credit/ratings/{credit_code}", params={"credit_code": SELLER},
                query={"year": "2026"})["json"]
    assert shown["provisional"] is False
    assert [(d["indicator"], d["restored"], d.get("repair")) for d in shown["deductions"]] == [
        ("FILING_LATE", "4.0", repair["id"]), ("PAYMENT_LATE", "4.0", repair["id"]),
        ("FILING_LATE", "5.0", None), ("FILING_LATE", "0.0", None)]
    assert shown["score"] == "86.0"  # 93 − 20 + 5 (automatic) + 8


def test_a_direct_d_repair_lifts_the_d_after_its_waiting_period(
        violators: Any, api: Any) -> None:
    def event(kind: str, detail: dict[str, str], ident: str) -> None:
        answer = violators.handler({"Records": [listing_event(kind, detail, ident)]},
                                   LambdaContext())
        assert answer["batchItemFailures"] == []

    body = {"year": 2025, "kind": "direct_d", "indicator": "D_SERIOUS_VIOLATOR"}
    retailer = ("taxpayer", RETAILER)
    event("ViolatorListed", {"case_id": "case-9", "credit_code": RETAILER,
                             "listed_on": "2025-11-20"}, "l-1")
    standing = apply(api, body, who=retailer, key="d-1")
    assert (standing["statusCode"], standing["json"]["field"]) == (422, "indicator")
    assert "still stands" in standing["json"]["detail"]
    event("ViolatorRemoved", {"case_id": "case-9", "credit_code": RETAILER,
                              "removed_on": "2026-06-01"}, "l-2")

    api.service.now = lambda: datetime(2026, 8, 1, 2, 0, tzinfo=UTC)
    early = apply(api, body, who=retailer, key="d-2")
    assert (early["statusCode"], early["json"]["field"]) == (422, "indicator")
    assert early["json"]["opens_on"] == "2026-11-20"  # 12 months from the day rated D
    none = apply(api, body, key="d-3")  # the seller's 2025 lists no direct D
    assert (none["statusCode"], none["json"]["field"]) == (422, "indicator")
    unnamed = apply(api, {"year": 2025, "kind": "direct_d"}, who=retailer, key="d-4")
    assert (unnamed["statusCode"], unnamed["json"]["field"]) == (422, "indicator")

    api.service.now = lambda: NOW
    applied = apply(api, body, who=retailer, key="d-5")
    assert applied["statusCode"] == 201, applied["json"]
    repair = applied["json"]
    assert {k: repair[k] for k in ("kind", "indicator", "record", "rated_d_on")} == {
        "kind": "direct_d", "indicator": "D_SERIOUS_VIOLATOR", "record": "violator:case-9",
        "rated_d_on": "2025-11-20"}
    assert decide(api, repair["id"], {"decision": "approve"})["statusCode"] == 200
    shown = get(api, f"/v1/credit/ratings/{RETAILER}", OFFICER,
                resource="/v1/credit/ratings/{credit_code}", params={"credit_code": RETAILER},
                query={"year": "2025"})["json"]
    assert (shown["level"], shown["score"]) == ("A", "93.0")
    assert shown["direct_d"][0]["lifted_by"] == repair["id"]


def test_zero_vat_returns_for_three_months_cost_11_points_and_the_a(api: Any) -> None:
    table = boto3.resource("dynamodb").Table("filing")
    for month, due in (("06", "2026-07-15"), ("07", "2026-08-15"), ("08", "2026-09-15")):
        ident = obligation(RETAILER, f"2026-{month}", due, filed=f"{due}T01:00:00+00:00",
                           paid=f"{due}T01:00:00+00:00")
        table.update_item(Key={"pk": f"taxpayer#{RETAILER}",
                               "sk": f"obligation#vat#2026-{month}"},
                          UpdateExpression="SET return_kind = :k, return_answer = :a",
                          ExpressionAttributeValues={
                              ":k": "vat_general",
                              ":a": json.dumps({"tax_due": "0.00", "carry_forward": "300.00"})})
        assert ident
    shown = rating(api, RETAILER, OFFICER)["json"]
    assert (shown["score"], shown["level"], shown["no_a"]) == (
        "82.0", "B", ["zero_or_negative_vat_returns"])
    [deduction] = shown["deductions"]
    assert deduction["indicator"] == "VAT_ZERO_NEGATIVE_RETURNS"
    assert [r["link"] for r in deduction["records"]] == [
        f"/v1/filing/obligations/{RETAILER}:vat:2026-{m}" for m in ("06", "07", "08")]


def test_the_annual_schedule_starts_the_previous_years_run_once(
        records: None, queue: str) -> None:
    annual = _clocked(load_handler("credit_annual"))
    first = annual.handler({"source": "aws.events"}, LambdaContext())
    assert first == {"run": "annual-2025", "year": 2025, "started_at": NOW.isoformat()}
    sqs = boto3.client("sqs")
    sent = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=[
        "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"]
    assert sent == "4"
    annual.service.now = lambda: datetime(2026, 12, 5, 2, 0, tzinfo=UTC)
    again = annual.handler({"source": "aws.events"}, LambdaContext())
    assert again == first  # the run found: nothing sent again
    assert sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=[
        "ApproximateNumberOfMessages"])["Attributes"]["ApproximateNumberOfMessages"] == "4"
    with pytest.raises(Invalid) as future:  # an operator's year not yet begun
        annual.handler({"year": 2027}, LambdaContext())
    assert future.value.field == "year"
