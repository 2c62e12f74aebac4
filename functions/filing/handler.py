"""Filing and payment (plan action B5): obligations, returns with the tax computed, payments of
a liability by any of five methods, their signed receipts."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.documents.signing import KmsDocumentSigner
from etax.filing.repository import FilingRepository
from etax.filing.service import FilingService, ObligationRequest, PaymentRequest, ReturnRequest
from etax.platform.api import make_resolver, parse_body
from etax.platform.auth import require_principal
from etax.platform.aws import lazy
from etax.platform.idempotency import Idempotency
from etax.platform.observability import instrument
from etax.platform.settings import required

app = make_resolver()
signer = KmsDocumentSigner(lazy("kms"), required("SIGNING_KEY_ID"))
service = FilingService(FilingRepository(), RegistryRepository(), signer=signer)
idempotency = Idempotency(required("IDEMPOTENCY_TABLE"))


@app.post("/v1/filing/obligations")
def create_obligation() -> tuple[dict[str, Any], int]:
    principal = require_principal(app.current_event.raw_event)
    request = parse_body(app, ObligationRequest)
    return idempotency.run_request(
        app, scope="POST /v1/filing/obligations", principal=principal.subject,
        payload=request.model_dump(mode="json"),
        operation=lambda: service.create_obligation(principal, request)), 201


@app.get("/v1/filing/obligations")
def list_obligations() -> dict[str, Any]:
    principal = require_principal(app.current_event.raw_event)
    return service.list_obligations(principal, app.current_event.get_query_string_value(
        "taxpayer"))


@app.get("/v1/filing/obligations/<obligation_id>")
def obligation(obligation_id: str) -> dict[str, Any]:
    principal = require_principal(app.current_event.raw_event)
    return service.obligation_view(principal, obligation_id)


@app.post("/v1/filing/obligations/<obligation_id>/return")
def file_return(obligation_id: str) -> tuple[dict[str, Any], int]:
    principal = require_principal(app.current_event.raw_event)
    request = parse_body(app, ReturnRequest)
    return idempotency.run_request(
        app, scope=f"POST /v1/filing/obligations/{obligation_id}/return",
        principal=principal.subject, payload=request.model_dump(mode="json"),
        operation=lambda: service.file_return(principal, obligation_id, request)), 201


@app.post("/v1/filing/obligations/<obligation_id>/payments")
def start_payment(obligation_id: str) -> tuple[dict[str, Any], int]:
    principal = require_principal(app.current_event.raw_event)
    request = parse_body(app, PaymentRequest)
    return idempotency.run_request(
        app, scope=f"POST /v1/filing/obligations/{obligation_id}/payments",
        principal=principal.subject, payload=request.model_dump(mode="json"),
        operation=lambda: service.start_payment(principal, obligation_id, request)), 201


@app.get("/v1/filing/payments/<payment_id>")
def payment(payment_id: str) -> dict[str, Any]:
    principal = require_principal(app.current_event.raw_event)
    return service.payment_view(principal, payment_id)


@app.get("/v1/filing/payments/<payment_id>/receipt")
def receipt(payment_id: str) -> dict[str, Any]:
    principal = require_principal(app.current_event.raw_event)
    return service.receipt(principal, payment_id)


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
