"""Information on demand (plan action D15, 信息定制): a taxpayer subscribes to topics (its
segment from the registry); an officer previews how many subscribers a segment of its province
holds, sends a mailing to it and follows its delivery (docs/usage/outreach.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.people import RegisteredPeople
from etax.acceptance.registration.repository import RegistryRepository
from etax.acceptance.repository import AcceptanceRepository
from etax.outreach.repository import OutreachRepository, QueueStarter
from etax.outreach.requests import MailingRequest, PreviewRequest, SubscribeRequest
from etax.outreach.results import Mailing, Preview, Subscription
from etax.outreach.service import OutreachService, RegisteredFacts
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import caller
from etax.platform.aws import lazy
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.settings import required

app = make_resolver()
once = Once(app)
service = OutreachService(
    OutreachRepository(),
    RegisteredFacts(RegistryRepository(), RegisteredPeople(AcceptanceRepository())),
    QueueStarter(lazy("sqs"), required("OUTREACH_QUEUE_URL")))


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


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
