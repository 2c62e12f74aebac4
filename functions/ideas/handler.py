"""The idea space (plan action A2, 创意空间): anyone signed in submits an idea (similar ones
suggested first); verified accounts support it, once each; at the threshold it goes to the
officers' review (adopted, declined with a public reason, delivered), all on its public trail;
officers hide ideas with a reason and merge duplicates (docs/usage/ideas.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.ideas import rules
from etax.ideas.repository import IdeaRepository
from etax.ideas.requests import (
    CommentRequest,
    DecisionRequest,
    IdeaRequest,
    MergeRequest,
    ReasonRequest,
    WithdrawRequest,
)
from etax.ideas.results import Idea, IdeaList, IdeaPage, Similar, Supported
from etax.ideas.service import IdeaService
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import caller
from etax.platform.observability import instrument
from etax.platform.once import Once

app = make_resolver(max_body_bytes=16384)
once = Once(app)
service = IdeaService(IdeaRepository())
CURSOR = "the cursor of the previous page's answer"


def _query(name: str) -> str | None:
    value: str | None = app.current_event.get_query_string_value(name)
    return value


@app.get("/v1/ideas")
@declares(query={"state": "only ideas in this state (submitted, under_review, adopted, "
                          "declined, delivered)", "cursor": CURSOR})
def listed() -> IdeaPage:
    return service.listed(_query("state"), _query("cursor"))


@app.get("/v1/ideas/similar")
@declares(query={"title": "the title of the idea about to be submitted"})
def similar() -> Similar:
    return service.similar(_query("title"))


@app.get("/v1/ideas/hidden")
@declares(query={"cursor": CURSOR})
def hidden() -> IdeaList:
    return service.hidden(caller(app, *rules.MODERATORS), _query("cursor"))


@app.get("/v1/ideas/<idea_id>")
def read(idea_id: str) -> Idea:
    return service.read(None, idea_id)


@app.get("/v1/me/ideas")
@declares(query={"cursor": CURSOR})
def mine() -> IdeaList:
    return service.mine(caller(app, *rules.AUTHORS), _query("cursor"))


@app.post("/v1/ideas")
def submit() -> tuple[dict[str, Any], int]:
    return once.create("POST /v1/ideas", IdeaRequest, service.submit, *rules.AUTHORS)


@app.post("/v1/ideas/<idea_id>/supports")
def support(idea_id: str) -> tuple[Supported, int]:
    return service.support(caller(app, *rules.SUPPORTERS), idea_id), 201


@app.post("/v1/ideas/<idea_id>/comments")
def comment(idea_id: str) -> tuple[Idea, int]:
    return service.comment(caller(app, *rules.AUTHORS), idea_id,
                           parse_body(app, CommentRequest)), 201


@app.post("/v1/ideas/<idea_id>/decision")
def decide(idea_id: str) -> Idea:
    return service.decide(caller(app, *rules.MODERATORS), idea_id,
                          parse_body(app, DecisionRequest))


@app.post("/v1/ideas/<idea_id>/withdraw")
def withdraw(idea_id: str) -> Idea:
    return service.withdraw(caller(app, *rules.AUTHORS), idea_id,
                            parse_body(app, WithdrawRequest).reason)


@app.post("/v1/ideas/<idea_id>/hide")
def hide(idea_id: str) -> Idea:
    return service.hide(caller(app, *rules.MODERATORS), idea_id,
                        parse_body(app, ReasonRequest).reason)


@app.post("/v1/ideas/<idea_id>/merge")
def merge(idea_id: str) -> Idea:
    return service.merge(caller(app, *rules.MODERATORS), idea_id,
                         parse_body(app, MergeRequest).into)


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
