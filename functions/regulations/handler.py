"""The regulations library (plan action D13, 法规库): anyone reads the works and a work as of a
day; officers draft an amendment, a second officer approves it, it is published with the day
it takes effect (ADR 0021)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.platform.api import declares, make_resolver
from etax.platform.auth import caller
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.regulations.repository import RegulationRepository
from etax.regulations.requests import DraftRequest, PublishRequest
from etax.regulations.results import DraftShown, WorkReading, Works
from etax.regulations.service import RegulationService

app = make_resolver()
once = Once(app)
service = RegulationService(RegulationRepository())
AS_OF = "a calendar day YYYY-MM-DD, China time (today if absent)"
DRAFTS = "/v1/regulations/works/{work_id}/drafts"


def _query(name: str) -> str | None:
    value: str | None = app.current_event.get_query_string_value(name)
    return value


@app.get("/v1/regulations/works")
@declares(query={"kind": "only works of this kind (law, sat_announcement, …)",
                 "status": "only works of this validity on as_of (现行有效, 全文废止, …)",
                 "as_of": AS_OF})
def works() -> Works:
    return service.list(_query("kind"), _query("status"), _query("as_of"))


@app.get("/v1/regulations/works/<work_id>")
@declares(query={"as_of": AS_OF})
def work(work_id: str) -> WorkReading:
    return service.read(work_id, _query("as_of"))


@app.post("/v1/regulations/works/<work_id>/drafts")
def draft(work_id: str) -> tuple[dict[str, Any], int]:
    return once.create(f"POST {DRAFTS.format(work_id=work_id)}", DraftRequest,
                       lambda principal, body: service.draft(principal, work_id, body),
                       "officer")


@app.get("/v1/regulations/works/<work_id>/drafts/<draft_id>")
def view_draft(work_id: str, draft_id: str) -> DraftShown:
    caller(app, "officer")
    return service.view_draft(work_id, draft_id)


@app.post("/v1/regulations/works/<work_id>/drafts/<draft_id>/submit")
def submit(work_id: str, draft_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once(principal, f"POST {DRAFTS.format(work_id=work_id)}/{draft_id}/submit", {},
                lambda: service.submit(principal, work_id, draft_id))


@app.post("/v1/regulations/works/<work_id>/drafts/<draft_id>/approve")
def approve(work_id: str, draft_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once(principal, f"POST {DRAFTS.format(work_id=work_id)}/{draft_id}/approve", {},
                lambda: service.approve(principal, work_id, draft_id))


@app.post("/v1/regulations/works/<work_id>/drafts/<draft_id>/publish")
def publish(work_id: str, draft_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once.parsed(principal, f"POST {DRAFTS.format(work_id=work_id)}/{draft_id}/publish",
                       PublishRequest,
                       lambda body: service.publish(principal, work_id, draft_id, body))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
