"""Applications (plan action B4, online acceptance): record-filing items accepted at once;
qualification recognition and preferential treatment with supporting documents uploaded to
S3 by presigned POST, submitted, and reviewed by an officer of the applicant's tax office;
the progress trail of every application."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.desk import RegistrationDesk
from etax.acceptance.documents import DocumentStore, s3_client
from etax.acceptance.registration.repository import RegistryRepository
from etax.acceptance.repository import AcceptanceRepository
from etax.acceptance.requests import ApplicationRequest, Decision, DocumentRequest
from etax.acceptance.results import Application, Catalogue, Document, Download, Queue, Upload
from etax.acceptance.service import ApplicationService
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import require_principal
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.partners import adapter
from etax.platform.settings import required, settings
from etax.simulations.bank import SimulatedBank

app = make_resolver()
repository = AcceptanceRepository()
service = ApplicationService(
    repository,
    RegistrationDesk(repository, RegistryRepository(), adapter("bank", simulated=SimulatedBank)),
    DocumentStore(s3_client(path_style=settings().is_local), required("DOCUMENTS_BUCKET")),
)
once = Once(app)


def _principal() -> Any:
    return require_principal(app.current_event.raw_event)


@app.get("/v1/applications/items")
def items() -> Catalogue:
    return service.items()


@app.post("/v1/applications")
def create() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/applications", ApplicationRequest, service.create, "taxpayer")


@app.get("/v1/applications")
@declares(query={"state": "the queue to list: submitted (the default), approved or rejected"})
def queue() -> Queue:
    principal = require_principal(app.current_event.raw_event, "officer")
    state = app.current_event.get_query_string_value("state", "submitted") or "submitted"
    return service.queue(principal, state)


@app.get("/v1/applications/<application_id>")
def view(application_id: str) -> Application:
    return service.view(_principal(), application_id)


@app.post("/v1/applications/<application_id>/documents")
def request_upload(application_id: str) -> tuple[Upload, int]:
    principal = _principal()
    return service.request_upload(principal, application_id,
                                  parse_body(app, DocumentRequest)), 201


@app.post("/v1/applications/<application_id>/documents/<document_id>/confirm")
def confirm(application_id: str, document_id: str) -> Document:
    return service.confirm_upload(_principal(), application_id, document_id)


@app.get("/v1/applications/<application_id>/documents/<document_id>")
def download(application_id: str, document_id: str) -> Download:
    return service.download(_principal(), application_id, document_id)


@app.post("/v1/applications/<application_id>/submit")
def submit(application_id: str) -> Application:
    return service.submit(_principal(), application_id)


@app.post("/v1/applications/<application_id>/decision")
def decide(application_id: str) -> Application:
    principal = require_principal(app.current_event.raw_event, "officer")
    return service.decide(principal, application_id, parse_body(app, Decision))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
