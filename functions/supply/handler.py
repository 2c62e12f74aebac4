"""Invoice supply (plan action B7): a taxpayer applies (paper invoices posted, or a higher
monthly quota for 数电票) and follows its application; an officer of its tax office lists
and decides the ones the automatic checks (验旧) sent for review."""

from __future__ import annotations

import os
from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.platform.api import declares, make_resolver
from etax.platform.auth import caller, require_principal
from etax.platform.aws import lazy
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.partners import adapter
from etax.platform.settings import required
from etax.simulations.carrier import SimulatedCarrier
from etax.supply.repository import IssuedInvoices, SupplyRepository
from etax.supply.requests import DecisionRequest, SupplyRequest
from etax.supply.results import Applications, DigitalApplication, PaperApplication, ReviewQueue
from etax.supply.service import SupplyService

app = make_resolver()
once = Once(app)
service = SupplyService(
    SupplyRepository(), RegistryRepository(), IssuedInvoices(),
    adapter("carrier", simulated=lambda: SimulatedCarrier(
        lazy("dynamodb"), required("SUPPLY_TABLE"),
        step_seconds=float(os.environ.get("LOGISTICS_STEP_SECONDS", "3600")))))


@app.post("/v1/invoice-supplies")
def apply() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/invoice-supplies", SupplyRequest, service.apply, "taxpayer")


@app.get("/v1/invoice-supplies")
@declares(query={"state": "officers: review (the default, the only queue listed)",
                 "tax_office": "an admin: the office whose review queue to list"})
def listed() -> Applications | ReviewQueue:
    query = app.current_event.query_string_parameters or {}
    return service.list_applications(caller(app), state=query.get("state"),
                                     office=query.get("tax_office"))


@app.get("/v1/invoice-supplies/<application_id>")
def view(application_id: str) -> PaperApplication | DigitalApplication:
    return service.view(caller(app), application_id)


@app.post("/v1/invoice-supplies/<application_id>/decision")
def decide(application_id: str) -> dict[str, Any]:
    principal = require_principal(app.current_event.raw_event, "officer", "admin")
    return once.parsed(
        principal, f"POST /v1/invoice-supplies/{application_id}/decision", DecisionRequest,
        lambda request: service.decide(principal, application_id, request))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
