"""Filing and payment (plan action B5): obligations, returns with the tax computed, payments of
a liability by any of five methods, their signed receipts."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.documents.signing import KmsDocumentSigner
from etax.filing import payments
from etax.filing.repository import FilingRepository
from etax.filing.requests import ObligationRequest, PaymentRequest, ReturnRequest
from etax.filing.results import Obligations, ObligationView, PaymentView, Receipt
from etax.filing.service import FilingService
from etax.platform.api import declares, make_resolver
from etax.platform.auth import caller, require_principal
from etax.platform.aws import lazy
from etax.platform.observability import business, instrument
from etax.platform.once import Once
from etax.platform.partners import adapter
from etax.platform.settings import required

app = make_resolver()
signer = KmsDocumentSigner(lazy("kms"), required("SIGNING_KEY_ID"))
service = FilingService(FilingRepository(), RegistryRepository(), signer=signer,
                        instructions=adapter("payment", simulated=lambda: payments.ADAPTERS))
once = Once(app)


@app.post("/v1/filing/obligations")
def create_obligation() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/filing/obligations", ObligationRequest, service.create_obligation)


@app.get("/v1/filing/obligations")
@declares(query={"taxpayer": "an officer: whose obligations to list (the caller if absent)"})
def list_obligations() -> Obligations:
    principal = require_principal(app.current_event.raw_event)
    return service.list_obligations(principal, app.current_event.get_query_string_value(
        "taxpayer"))


@app.get("/v1/filing/obligations/<obligation_id>")
def obligation(obligation_id: str) -> ObligationView:
    return service.obligation_view(caller(app), obligation_id)


@app.post("/v1/filing/obligations/<obligation_id>/return")
def file_return(obligation_id: str) -> tuple[dict[str, Any], int]:
    principal = require_principal(app.current_event.raw_event)
    return once.parsed(
        principal, f"POST /v1/filing/obligations/{obligation_id}/return", ReturnRequest,
        lambda request: filed(service.file_return(principal, obligation_id, request))), 201


def filed[T](answer: T) -> T:
    business("ReturnsFiled")  # the return is written (a replay answers without filing again)
    return answer


@app.post("/v1/filing/obligations/<obligation_id>/payments")
def start_payment(obligation_id: str) -> tuple[dict[str, Any], int]:
    principal = require_principal(app.current_event.raw_event)
    return once.parsed(
        principal, f"POST /v1/filing/obligations/{obligation_id}/payments", PaymentRequest,
        lambda request: service.start_payment(principal, obligation_id, request)), 201


@app.get("/v1/filing/payments/<payment_id>")
def payment(payment_id: str) -> PaymentView:
    return service.payment_view(caller(app), payment_id)


@app.get("/v1/filing/payments/<payment_id>/receipt")
def receipt(payment_id: str) -> Receipt:
    return service.receipt(caller(app), payment_id)


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
