"""Data sharing (plan action D14): bank–tax consents (银税互动) granted, asked for, answered and
revoked; a partner's reads within them, each logged and shown to the taxpayer; a partner
department's signed feed of the facts it is entitled to."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.credit.repository import CreditRepository
from etax.credit.service import CreditService
from etax.documents.signing import KmsDocumentSigner
from etax.filing.repository import FilingRepository
from etax.invoices.sales import IssuedSales
from etax.platform.api import declares, make_resolver
from etax.platform.auth import caller, require_principal
from etax.platform.aws import lazy
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.settings import required
from etax.sharing.adapters import CreditRatings
from etax.sharing.outbound import OutboundFeed
from etax.sharing.repository import FeedRepository, SharingRepository
from etax.sharing.requests import ConsentAsk, DecisionRequest, GrantRequest
from etax.sharing.results import Consents, ConsentView, PartnerData, Reads
from etax.sharing.service import SharingService

app = make_resolver(max_body_bytes=4096)
once = Once(app)
filings = FilingRepository()
service = SharingService(
    SharingRepository(),
    CreditRatings(CreditService(CreditRepository(), filings, RegistryRepository())),
    filings, IssuedSales())
feed = OutboundFeed(FeedRepository(), KmsDocumentSigner(lazy("kms"), required("SIGNING_KEY_ID")))


def _cursor() -> str | None:
    return app.current_event.get_query_string_value("cursor")


@app.post("/v1/consents")
def grant() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/consents", GrantRequest, service.grant, "taxpayer")


@app.get("/v1/me/consents")
@declares(query={"cursor": "the next page's cursor"})
def mine() -> Consents:
    return service.mine(caller(app, "taxpayer"), _cursor())


@app.get("/v1/consents/<consent_id>")
def consent(consent_id: str) -> ConsentView:
    return service.view(caller(app, "taxpayer", "partner"), consent_id)


@app.get("/v1/consents/<consent_id>/reads")
@declares(query={"cursor": "the next page's cursor"})
def reads(consent_id: str) -> Reads:
    return service.reads(caller(app, "taxpayer"), consent_id, _cursor())


@app.post("/v1/consents/<consent_id>/decision")
def decide(consent_id: str) -> tuple[dict[str, Any], int]:
    principal = require_principal(app.current_event.raw_event, "taxpayer")
    return once.parsed(principal, f"POST /v1/consents/{consent_id}/decision", DecisionRequest,
                       lambda body: service.decide(principal, consent_id, body)), 200


@app.delete("/v1/consents/<consent_id>")
def revoke(consent_id: str) -> ConsentView:
    return service.revoke(caller(app, "taxpayer"), consent_id)


@app.post("/v1/partner/consents")
def ask() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/partner/consents", ConsentAsk, service.ask, "partner")


@app.get("/v1/partner/taxpayers/<credit_code>/<scope>")
@declares(query={"consent_id": "read under this consent (else the newest that permits it)"})
def partner_read(credit_code: str, scope: str) -> PartnerData:
    return service.read(caller(app, "partner"), credit_code, scope,
                        app.current_event.get_query_string_value("consent_id"))


@app.get("/v1/partner/feed")
@declares(query={"cursor": "the `next` of the page read before (from the start if absent)",
                 "limit": "at most this many entries, 1 to 100 (100 if absent)"})
def department_feed() -> dict[str, Any]:
    return feed.read(caller(app, "partner"), _cursor(),
                     app.current_event.get_query_string_value("limit"))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
