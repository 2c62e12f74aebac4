"""Refunds (plan action B6): a taxpayer applies and lists its cases, the applicant, an officer
of its tax office or an admin follows every stage, officers list their office's review queue
and decide."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.people import RegisteredPeople
from etax.acceptance.registration.repository import RegistryRepository
from etax.acceptance.repository import AcceptanceRepository
from etax.filing.refunds import FilingOverpayments
from etax.filing.repository import FilingRepository
from etax.invoices.inputs import InvoiceInputs
from etax.invoices.repository import InvoiceReader
from etax.platform.api import declares, json_body, make_resolver, parse_body, validate_body
from etax.platform.auth import caller, require_principal
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.partners import adapter
from etax.refunds.repository import RefundRepository
from etax.refunds.requests import ApproveIn, RefundRequest, RejectIn
from etax.refunds.results import CaseView, OwnCases, ReviewQueue
from etax.refunds.service import MAX_PAGE, RefundService
from etax.simulations.bank import SimulatedBank

app = make_resolver()
service = RefundService(RefundRepository(), RegistryRepository(),
                        people=RegisteredPeople(AcceptanceRepository()),
                        overpayments=FilingOverpayments(FilingRepository()),
                        invoices=InvoiceInputs(InvoiceReader()),
                        bank=adapter("bank", simulated=SimulatedBank))
once = Once(app)


@app.post("/v1/refunds")
def apply() -> tuple[dict[str, Any], int]:
    principal = require_principal(app.current_event.raw_event, "taxpayer")
    body = json_body(app)
    return once(principal, "POST /v1/refunds", body,
                lambda: service.submit(principal, validate_body(body, RefundRequest).refund)), 201


@app.get("/v1/refunds")
@declares(query={"state": "officers: review (the default, the only queue listed)",
                 "tax_office": "an admin: the office whose review queue to list",
                 "limit": f"how many cases on a page, 1 to {MAX_PAGE} (20 if absent)",
                 "cursor": "the previous page's cursor"})
def cases() -> OwnCases | ReviewQueue:
    principal = require_principal(app.current_event.raw_event)
    query = app.current_event.query_string_parameters or {}
    return service.list_cases(principal, state=query.get("state"),
                              office=query.get("tax_office"), limit=query.get("limit"),
                              cursor=query.get("cursor"))


@app.get("/v1/refunds/<case_id>")
def case(case_id: str) -> CaseView:
    return service.view(caller(app), case_id)


@app.post("/v1/refunds/<case_id>/approve")
def approve(case_id: str) -> dict[str, Any]:
    principal = require_principal(app.current_event.raw_event, "officer")
    request = parse_body(app, ApproveIn) if app.current_event.body else ApproveIn()
    return once(
        principal, f"POST /v1/refunds/{case_id}/approve", request.model_dump(mode="json"),
        lambda: service.decide(principal, case_id, approve=True, note=request.note))


@app.post("/v1/refunds/<case_id>/reject")
def reject(case_id: str) -> dict[str, Any]:
    principal = require_principal(app.current_event.raw_event, "officer")
    return once.parsed(
        principal, f"POST /v1/refunds/{case_id}/reject", RejectIn,
        lambda request: service.decide(principal, case_id, approve=False, note=request.reason))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
