"""E-invoices and mobile issuing (plan actions C8, C9): issue, download, print, credit, void;
a taxpayer's own invoices, issued or received; the published specification and signing keys."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.documents.signing import KmsDocumentSigner
from etax.invoices.listing import MAX_PAGE, InvoiceList
from etax.invoices.pages import InvoicePages
from etax.invoices.render import render_pdf
from etax.invoices.repository import InvoiceRepository
from etax.invoices.requests import IssueRequest, RedLetterRequest
from etax.invoices.results import Held, Keys, OwnInvoices
from etax.invoices.service import InvoiceService
from etax.invoices.spec import published
from etax.platform.api import declares, make_resolver
from etax.platform.auth import require_principal
from etax.platform.aws import lazy
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.settings import required

app = make_resolver()
once = Once(app)
signer = KmsDocumentSigner(lazy("kms"), required("SIGNING_KEY_ID"))
service = InvoiceService(InvoiceRepository(), RegistryRepository(), signer)
own = InvoiceList(InvoicePages())


@app.post("/v1/invoices")
def issue() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/invoices", IssueRequest,
                       lambda who, request: service.issue(who, request).summary(), "taxpayer")


@app.get("/v1/invoices")
@declares(query={"direction": "issued (as the seller) or received (as the buyer)",
                 "limit": f"how many invoices on a page, 1 to {MAX_PAGE} (20 if absent)",
                 "cursor": "the previous page's cursor"})
def own_invoices() -> OwnInvoices:
    principal = require_principal(app.current_event.raw_event, "taxpayer")
    query = app.current_event.query_string_parameters or {}
    return own.own(principal, direction=query.get("direction"), limit=query.get("limit"),
                   cursor=query.get("cursor"))


@app.get("/v1/invoices/spec")
def spec() -> dict[str, Any]:
    return published()


@app.get("/v1/keys")
def keys() -> Keys:
    return Keys([signer.public_key()])


@app.get("/v1/invoices/<number>")
def download(number: str) -> Held:
    return service.held(require_principal(app.current_event.raw_event), number)


@app.get("/v1/invoices/<number>/document")
def document(number: str) -> Response[bytes]:
    principal = require_principal(app.current_event.raw_event)
    invoice = service.envelope_for(principal, number)
    return Response(
        status_code=200,
        content_type="application/pdf",
        body=render_pdf(invoice.envelope, invoice.status),
        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'},
    )


@app.post("/v1/invoices/<number>/red-letter")
def red_letter(number: str) -> tuple[dict[str, Any], int]:
    return once.create(
        f"POST /v1/invoices/{number}/red-letter", RedLetterRequest,
        lambda who, request: service.red_letter(who, number, request).summary(), "taxpayer")


@app.post("/v1/invoices/<number>/void")
def void(number: str) -> dict[str, Any]:  # once: the first answer (Voided) as JSON
    principal = require_principal(app.current_event.raw_event, "taxpayer")
    return once(principal, f"POST /v1/invoices/{number}/void", {},
                lambda: service.void(principal, number))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
