"""Tax certificates (plan action B7): a taxpayer applies for a tax residency certificate or a
tax payment certificate, issued at once as a signed document; the holder (or an officer of
its office, or an admin) downloads it as JSON or PDF; anyone verifies it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.certificates.documents import render_pdf
from etax.certificates.repository import CertificateRepository
from etax.certificates.requests import CertificateRequest
from etax.certificates.results import Verdict
from etax.certificates.service import CertificateService
from etax.documents.signing import KmsDocumentSigner
from etax.filing.records import FilingPaymentRecords
from etax.filing.repository import FilingRepository
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import require_principal
from etax.platform.aws import lazy
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.settings import required

app = make_resolver()
signer = KmsDocumentSigner(lazy("kms"), required("SIGNING_KEY_ID"))
service = CertificateService(CertificateRepository(), RegistryRepository(), signer,
                             FilingPaymentRecords(FilingRepository()))
once = Once(app)


@app.post("/v1/certificates")
def issue() -> tuple[dict[str, Any], int]:
    principal = require_principal(app.current_event.raw_event, "taxpayer")
    request = parse_body(app, CertificateRequest)
    answer = once(
        principal, "POST /v1/certificates", request.model_dump(mode="json", by_alias=True),
        lambda: service.issue(principal, request))
    return answer, 201


@app.get("/v1/certificates/<number>")
def download(number: str) -> dict[str, Any]:
    principal = require_principal(app.current_event.raw_event)
    certificate = service.certificate_for(principal, number)
    return {**certificate.envelope, "status": certificate.status}


@app.get("/v1/certificates/<number>/document")
def document(number: str) -> Response[bytes]:
    principal = require_principal(app.current_event.raw_event)
    certificate = service.certificate_for(principal, number)
    return Response(status_code=200, content_type="application/pdf",
                    body=render_pdf(certificate.envelope, certificate.status),
                    headers={"Content-Disposition": f'inline; filename="{number}.pdf"'})


@app.get("/v1/certificates/<number>/verify")
@declares(query={"digest": "the SHA-256 of the document held, to check it is the one issued"})
def verify(number: str) -> Verdict:
    return service.verify(number, app.current_event.get_query_string_value("digest"))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
