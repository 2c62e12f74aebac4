"""Complaints and reports (plan action D12, 投诉举报): anyone signed in files a complaint
about a tax office's service or a report of a taxpayer's violation; anyone reports
anonymously and follows the report by its tracking code and secret (``X-Report-Secret``);
the responsible office's officers accept or refuse, answer; the filer rates the handling
(docs/usage/complaints.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.complaints.repository import ComplaintsRepository
from etax.complaints.requests import (
    AcceptRequest,
    AnswerRequest,
    FileRequest,
    RateRequest,
    RefuseRequest,
)
from etax.complaints.results import Cases, CaseShown, ReportFiled
from etax.complaints.service import ComplaintService
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import caller
from etax.platform.observability import instrument
from etax.platform.once import Once

app = make_resolver()
once = Once(app)
service = ComplaintService(ComplaintsRepository(), RegistryRepository())
CASE = "/v1/complaints/{complaint_id}"
SECRET_HEADER = "X-Report-Secret"  # noqa: S105 - the header's name, not a secret
CURSOR = "the cursor of the previous page's answer"
SECRET = {SECRET_HEADER: "the report's secret, as its filing answered it once"}


def _query(name: str) -> str | None:
    value: str | None = app.current_event.get_query_string_value(name)
    return value


def _secret() -> str | None:
    value: str | None = app.current_event.headers.get(SECRET_HEADER)
    return value


# -- the filer, signed in ----------------------------------------------------------------------

@app.post("/v1/complaints")
def file() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/complaints", FileRequest, service.file, "taxpayer")


@app.get("/v1/complaints/<complaint_id>")
def read(complaint_id: str) -> CaseShown:
    return service.read(caller(app), complaint_id)


@app.get("/v1/me/complaints")
@declares(query={"cursor": CURSOR})
def mine() -> Cases:
    return service.mine(caller(app, "taxpayer"), _query("cursor"))


@app.post("/v1/complaints/<complaint_id>/rating")
def rate(complaint_id: str) -> dict[str, Any]:
    principal = caller(app, "taxpayer")
    return once.parsed(principal, f"POST {CASE.format(complaint_id=complaint_id)}/rating",
                       RateRequest, lambda body: service.rate(principal, complaint_id, body))


# -- anonymous reports (public; the secret in a header; no idempotency record, since the
# -- answer holds the secret, which is stored nowhere but with the filer) --------------------

@app.post("/v1/reports")
def report() -> tuple[ReportFiled, int]:
    return service.file_anonymous(parse_body(app, FileRequest)), 201


@app.get("/v1/reports/<tracking_code>")
@declares(problems=(404,), headers=SECRET)
def follow(tracking_code: str) -> CaseShown:
    return service.follow(tracking_code, _secret())


@app.post("/v1/reports/<tracking_code>/rating")
@declares(problems=(404,), headers=SECRET)
def rate_report(tracking_code: str) -> CaseShown:
    return service.rate_anonymous(tracking_code, _secret(), parse_body(app, RateRequest))


# -- officers of the responsible office ------------------------------------------------------

@app.get("/v1/complaints")
@declares(query={"state": "only cases in this state (filed, accepted, answered, refused, "
                          "rated)", "cursor": CURSOR})
def queue() -> Cases:
    return service.queue(caller(app, "officer"), _query("cursor"), _query("state"))


@app.post("/v1/complaints/<complaint_id>/accept")
def accept(complaint_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once.parsed(principal, f"POST {CASE.format(complaint_id=complaint_id)}/accept",
                       AcceptRequest, lambda body: service.accept(principal, complaint_id, body))


@app.post("/v1/complaints/<complaint_id>/refuse")
def refuse(complaint_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once.parsed(principal, f"POST {CASE.format(complaint_id=complaint_id)}/refuse",
                       RefuseRequest, lambda body: service.refuse(principal, complaint_id, body))


@app.post("/v1/complaints/<complaint_id>/answer")
def answer(complaint_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once.parsed(principal, f"POST {CASE.format(complaint_id=complaint_id)}/answer",
                       AnswerRequest, lambda body: service.answer(principal, complaint_id, body))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
