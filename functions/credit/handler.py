"""Tax payment credit ratings (plan action D12): a taxpayer's rating with every deduction and
the records that caused it, the public A-list, the in-year preview, repair applications an
officer decides, and the annual evaluation run over the register."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.credit.repository import CreditRepository
from etax.credit.requests import DecisionRequest, RepairRequest, RunRequest
from etax.credit.results import AList, Rating, Repair, Run
from etax.credit.service import CreditService
from etax.errors import Invalid
from etax.filing.repository import FilingRepository
from etax.platform.api import declares, make_resolver
from etax.platform.auth import caller, require_principal
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.queues import WorkQueue

app = make_resolver()
once = Once(app)
service = CreditService(CreditRepository(), FilingRepository(), RegistryRepository(),
                        fanout=WorkQueue("CREDIT_RUN_QUEUE_URL"))
A_LIST_PAGE = 100


def _year(name: str = "year") -> int | None:
    raw = app.current_event.get_query_string_value(name)
    if raw is None:
        return None
    if not raw.isdigit() or not 2014 <= int(raw) <= 2100:
        raise Invalid("a year is four digits, 2014 or later", field=name)
    return int(raw)


@app.get("/v1/credit/ratings/<credit_code>")
@declares(query={"year": "the year rated (the latest rated if absent)"})
def rating(credit_code: str) -> Rating:
    return service.rating(caller(app), credit_code, _year())


@app.get("/v1/credit/a-list")
@declares(query={"year": "the year of the list", "cursor": "the next page's cursor",
                 "limit": "at most this many (1 to 100)"})
def a_list() -> AList:
    raw = app.current_event.get_query_string_value("limit") or str(A_LIST_PAGE)
    if not raw.isdigit() or not 1 <= int(raw) <= A_LIST_PAGE:
        raise Invalid(f"limit is 1 to {A_LIST_PAGE}", field="limit")
    return service.a_list(_year(), app.current_event.get_query_string_value("cursor"),
                          int(raw))


@app.get("/v1/me/credit/preview")
def my_preview() -> Rating:
    return service.preview_me(caller(app, "taxpayer"))


@app.post("/v1/credit/repairs")
def apply_repair() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/credit/repairs", RepairRequest, service.apply_repair,
                       "taxpayer")


@app.get("/v1/credit/repairs/<repair_id>")
def repair(repair_id: str) -> Repair:
    return service.repair_view(caller(app), repair_id)


@app.post("/v1/credit/repairs/<repair_id>/decision")
def decide(repair_id: str) -> tuple[dict[str, Any], int]:
    principal = require_principal(app.current_event.raw_event, "officer")
    return once.parsed(principal, f"POST /v1/credit/repairs/{repair_id}/decision",
                       DecisionRequest,
                       lambda request: service.decide(principal, repair_id, request)), 200


@app.post("/v1/credit/evaluations")
def start_run() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/credit/evaluations", RunRequest, service.start_run,
                       "officer", "admin")[0], 202


@app.get("/v1/credit/evaluations/<run_id>")
def run(run_id: str) -> Run:
    return service.run_view(caller(app, "officer", "admin"), run_id)


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
