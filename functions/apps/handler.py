"""The app square (plan action A3, 应用广场): developers and tax offices register taxpayer apps
and submit versions, their packages uploaded to S3 through a presigned POST and checked on
submission (type, size, SHA-256, the manifest inside, a virus scan); officers review; the
public finds published apps, downloads them through expiring links and rates them; a
withdrawn version is no longer offered (docs/usage/apps.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.apps import rules
from etax.apps.repository import AppRepository
from etax.apps.requests import (
    AppRequest,
    DecisionRequest,
    RatingRequest,
    ReportRequest,
    VersionRequest,
    WithdrawRequest,
)
from etax.apps.results import App, AppList, AppVersion, Rated, ReviewQueue
from etax.apps.scanning import SignatureScanner
from etax.apps.service import AppService
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import caller
from etax.platform.aws import lazy
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.settings import required, settings
from etax.platform.uploads import Download, Uploads, s3_client

app = make_resolver(max_body_bytes=16384)
once = Once(app)
service = AppService(
    AppRepository(),
    Uploads(s3_client(path_style=settings().is_local), required("PACKAGES_BUCKET")),
    SignatureScanner(),
    EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), "tax.apps"))


def _query(name: str) -> str | None:
    value: str | None = app.current_event.get_query_string_value(name)
    return value


@app.get("/v1/apps")
@declares(query={"q": "words of the app's name or summary",
                 "category": "filing, invoices, payments, accounting, calculators or other"})
def search() -> AppList:
    return service.search(_query("q"), _query("category"))


@app.post("/v1/apps")
def register() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/apps", AppRequest, service.register, *rules.PUBLISHERS)


@app.get("/v1/apps/reviews")
def reviews() -> ReviewQueue:
    return service.queue(caller(app, *rules.REVIEWERS))


@app.get("/v1/me/apps")
def mine() -> AppList:
    return service.mine(caller(app, *rules.PUBLISHERS))


@app.get("/v1/apps/<app_id>")
def read(app_id: str) -> App:
    return service.read(app_id)


@app.post("/v1/apps/<app_id>/versions")
def declare(app_id: str) -> tuple[Any, int]:
    return service.declare(caller(app, *rules.PUBLISHERS), app_id,
                           parse_body(app, VersionRequest)), 201


@app.post("/v1/apps/<app_id>/versions/<version>/submit")
def submit(app_id: str, version: str) -> AppVersion:
    return service.submit(caller(app, *rules.PUBLISHERS), app_id, version)


@app.post("/v1/apps/<app_id>/versions/<version>/decision")
def decide(app_id: str, version: str) -> AppVersion:
    return service.decide(caller(app, *rules.REVIEWERS), app_id, version,
                          parse_body(app, DecisionRequest))


@app.post("/v1/apps/<app_id>/versions/<version>/withdraw")
def withdraw(app_id: str, version: str) -> AppVersion:
    return service.withdraw(caller(app, *rules.PUBLISHERS, "admin"), app_id, version,
                            parse_body(app, WithdrawRequest))


@app.post("/v1/apps/<app_id>/versions/<version>/downloads")
def download(app_id: str, version: str) -> tuple[Download, int]:
    return service.download(app_id, version), 201


@app.post("/v1/apps/<app_id>/ratings")
def rate(app_id: str) -> tuple[Rated, int]:
    return service.rate(caller(app, *rules.RATERS), app_id, parse_body(app, RatingRequest)), 201


@app.post("/v1/apps/<app_id>/reports")
def report(app_id: str) -> tuple[AppVersion, int]:
    return service.report(caller(app, *rules.RATERS), app_id, parse_body(app, ReportRequest)), 201


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
