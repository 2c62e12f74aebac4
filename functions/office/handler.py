"""The officers' mobile office (plan action E18, 移动办公): field documents drafted by one
inspector, countersigned by a second, issued as signed PDFs with a QR code that anyone
verifies; internal approvals routed through reviewers of the office; the on-duty roster the
platform's alarms are sent to, and their alerts."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.documents.signing import KmsDocumentSigner
from etax.office.approval_service import Approvals
from etax.office.documents import render_pdf
from etax.office.repository import OfficeRepository
from etax.office.requests import (
    ApprovalRequest,
    DecisionRequest,
    FieldDocumentRequest,
    ResubmitRequest,
    ShiftRequest,
    WithdrawRequest,
)
from etax.office.results import (
    Alert,
    AlertPage,
    Approval,
    ApprovalPage,
    FieldDocument,
    FieldDocumentVerdict,
    Roster,
)
from etax.office.service import SOURCE, FieldDocuments, Operations
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import caller
from etax.platform.aws import lazy
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.settings import required

app = make_resolver(max_body_bytes=8192)
once = Once(app)
repository = OfficeRepository()
publisher = EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), SOURCE)
field_documents = FieldDocuments(
    repository, RegistryRepository(), KmsDocumentSigner(lazy("kms"), required("SIGNING_KEY_ID")),
    publisher)
operations = Operations(repository, publisher)
approvals = Approvals(repository, publisher)


@app.post("/v1/office/field-documents")
def draft() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/office/field-documents", FieldDocumentRequest,
                       field_documents.draft, "officer")


@app.get("/v1/office/field-documents/<document_id>")
def read(document_id: str) -> FieldDocument:
    return field_documents.read(caller(app), document_id)


@app.get("/v1/office/field-documents/<document_id>/document")
def printed(document_id: str) -> Response[bytes]:
    envelope, state = field_documents.envelope(caller(app), document_id)
    number = envelope["document"]["number"]
    return Response(status_code=200, content_type="application/pdf",
                    body=render_pdf(envelope, state),
                    headers={"Content-Disposition": f'inline; filename="{number}.pdf"'})


@app.post("/v1/office/field-documents/<document_id>/countersign")
def countersign(document_id: str) -> FieldDocument:
    return field_documents.countersign(caller(app, "officer"), document_id)


@app.post("/v1/office/field-documents/<document_id>/withdraw")
def withdraw(document_id: str) -> FieldDocument:
    principal = caller(app, "officer", "admin")
    return field_documents.withdraw(principal, document_id,
                                    parse_body(app, WithdrawRequest).reason)


@app.get("/v1/field-documents/<number>/verify")
@declares(query={"digest": "the SHA-256 of the document held, to check it is the one issued"})
def verify(number: str) -> FieldDocumentVerdict:
    return field_documents.verify(number, app.current_event.get_query_string_value("digest"))


@app.post("/v1/office/approvals")
def submit_approval() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/office/approvals", ApprovalRequest, approvals.submit,
                       "officer")


@app.get("/v1/office/approvals")
@declares(query={"box": "to-review (the default: waiting for you) or submitted (yours)",
                 "cursor": "the next page's cursor"})
def list_approvals() -> ApprovalPage:
    query = app.current_event.get_query_string_value
    return approvals.listed(caller(app, "officer"), query("box"), query("cursor"))


@app.get("/v1/office/approvals/<approval_id>")
def read_approval(approval_id: str) -> Approval:
    return approvals.read(caller(app, "officer", "admin"), approval_id)


@app.post("/v1/office/approvals/<approval_id>/decisions")
def decide_approval(approval_id: str) -> Approval:
    return approvals.decide(caller(app, "officer"), approval_id,
                            parse_body(app, DecisionRequest))


@app.post("/v1/office/approvals/<approval_id>/resubmit")
def resubmit_approval(approval_id: str) -> Approval:
    return approvals.resubmit(caller(app, "officer"), approval_id,
                              parse_body(app, ResubmitRequest))


@app.post("/v1/office/approvals/<approval_id>/withdraw")
def withdraw_approval(approval_id: str) -> Approval:
    return approvals.withdraw(caller(app, "officer"), approval_id,
                              parse_body(app, WithdrawRequest).reason)


@app.post("/v1/office/duty")
def add_shift() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/office/duty", ShiftRequest, operations.add_shift, "admin")


@app.get("/v1/office/duty")
def roster() -> Roster:
    return operations.roster(caller(app, "officer", "admin"))


@app.delete("/v1/office/duty/<shift_id>")
def remove_shift(shift_id: str) -> Response[str]:
    operations.remove_shift(caller(app, "admin"), shift_id)
    return Response(status_code=204, body="")


@app.get("/v1/office/alerts")
@declares(query={"cursor": "the next page's cursor"})
def alerts() -> AlertPage:
    return operations.alerts(caller(app, "officer", "admin"),
                             app.current_event.get_query_string_value("cursor"))


@app.get("/v1/office/alerts/<alert_id>")
def alert(alert_id: str) -> Alert:
    return operations.alert(caller(app, "officer", "admin"), alert_id)


@app.post("/v1/office/alerts/<alert_id>/ack")
def acknowledge(alert_id: str) -> Alert:
    return operations.acknowledge(caller(app, "officer", "admin"), alert_id)


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
