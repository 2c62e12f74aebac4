"""The 12366 knowledge base (plan action E16): anyone reads an article with its citations read
from the regulations library as of today; officers review the articles a published amendment
flagged; a taxpayer chooses the works of the library it is notified about."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.knowledge.repository import KnowledgeRepository
from etax.knowledge.requests import ReviewRequest, SubscriptionsRequest
from etax.knowledge.results import ArticleShown, ReviewQueue, Subscriptions
from etax.knowledge.service import KnowledgeService
from etax.knowledge.subscriptions import SubscriptionRepository
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import caller
from etax.platform.errors import Unprocessable
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.regulations.repository import RegulationRepository

app = make_resolver()
once = Once(app)
service = KnowledgeService(KnowledgeRepository(), RegulationRepository(),
                           SubscriptionRepository())
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise Unprocessable(f"limit: a whole number from 1 to {MAX_LIMIT}", field="limit")
    return int(raw)


@app.get("/v1/kb/articles/<id>")
def article(id: str) -> ArticleShown:
    return service.article(id)


@app.get("/v1/kb/reviews")
@declares(query={"limit": f"how many articles, 1 to {MAX_LIMIT} ({DEFAULT_LIMIT} if absent)",
                 "cursor": "the previous page's next_cursor"})
def reviews() -> ReviewQueue:
    caller(app, "officer")
    params = app.current_event.query_string_parameters or {}
    return service.reviews(_limit(params.get("limit")), params.get("cursor") or None)


@app.post("/v1/kb/articles/<id>/review")
def review(id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once.parsed(principal, f"POST /v1/kb/articles/{id}/review", ReviewRequest,
                       lambda body: service.review(principal, id, body))


@app.get("/v1/me/regulation-subscriptions")
def subscriptions() -> Subscriptions:
    return service.subscribed(caller(app, "taxpayer"))


@app.put("/v1/me/regulation-subscriptions")
def subscribe() -> Subscriptions:
    principal = caller(app, "taxpayer")
    return service.subscribe(principal, parse_body(app, SubscriptionsRequest))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
