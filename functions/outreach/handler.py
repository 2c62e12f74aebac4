"""Information on demand (plan action D15, 信息定制): a taxpayer subscribes to topics (its
segment from the registry); an officer previews how many subscribers a segment of its province
holds, sends a mailing to it and follows its delivery; risk warnings to a named taxpayer, which
it acknowledges, explains or corrects, with the trail kept (docs/usage/outreach.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.people import RegisteredPeople
from etax.acceptance.registration.repository import RegistryRepository
from etax.acceptance.repository import AcceptanceRepository
from etax.outreach.repository import OutreachRepository
from etax.outreach.requests import (
    CloseRequest,
    MailingRequest,
    PreviewRequest,
    ResponseRequest,
    SubscribeRequest,
    WarningRequest,
)
from etax.outreach.results import Mailing, Preview, RiskWarning, Subscription, Warnings
from etax.outreach.service import SOURCE, OutreachService, RegisteredFacts, WarningService
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import caller
from etax.platform.aws import lazy
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.queues import WorkQueue
from etax.platform.settings import required

app = make_resolver()
once = Once(app)
repository = OutreachRepository()
facts = RegisteredFacts(RegistryRepository(), RegisteredPeople(AcceptanceRepository()))
service = OutreachService(repository, facts,
                          WorkQueue("OUTREACH_QUEUE_URL"))
warnings = WarningService(repository, facts,
                          EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), SOURCE))
WARNING = "/v1/risk-warnings/{warning_id}"


@app.post("/v1/subscriptions")
def subscribe() -> Subscription:
    principal = caller(app, "taxpayer")
    return service.subscribe(principal, parse_body(app, SubscribeRequest))


@app.get("/v1/me/subscriptions")
@declares(problems=(404,))  # none yet
def mine() -> Subscription:
    return service.mine(caller(app, "taxpayer"))


@app.post("/v1/mailings/preview")
def preview() -> Preview:
    principal = caller(app, "officer", "admin")
    return service.preview(principal, parse_body(app, PreviewRequest))


@app.post("/v1/mailings")
def mail() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/mailings", MailingRequest, service.mail, "officer", "admin")


@app.get("/v1/mailings/<mailing_id>")
def mailing(mailing_id: str) -> Mailing:
    return service.mailing(caller(app, "officer", "admin"), mailing_id)



@app.post("/v1/risk-warnings")
def warn() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/risk-warnings", WarningRequest, warnings.warn, "officer",
                       "admin")


@app.get("/v1/risk-warnings/<warning_id>")
@declares(problems=(404,))
def warning(warning_id: str) -> RiskWarning:
    return warnings.read(caller(app, "taxpayer", "officer", "admin"), warning_id)


@app.post("/v1/risk-warnings/<warning_id>/responses")
@declares(problems=(404,))
def respond(warning_id: str) -> dict[str, Any]:
    principal = caller(app, "taxpayer")
    return once.parsed(principal, f"POST {WARNING.format(warning_id=warning_id)}/responses",
                       ResponseRequest, lambda body: warnings.respond(principal, warning_id,
                                                                      body))


@app.post("/v1/risk-warnings/<warning_id>/close")
@declares(problems=(404,))
def close(warning_id: str) -> dict[str, Any]:
    principal = caller(app, "officer", "admin")
    return once.parsed(principal, f"POST {WARNING.format(warning_id=warning_id)}/close",
                       CloseRequest, lambda body: warnings.close(principal, warning_id, body))


@app.get("/v1/me/risk-warnings")
def my_warnings() -> Warnings:
    return warnings.mine(caller(app, "taxpayer"))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
