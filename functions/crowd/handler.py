"""Crowd help (plan action A1, 众包互助): taxpayers ask (duplicates suggested first), answer,
vote and accept; reputation and the 大众导税员 badge; officers pin, hide with a reason and
verify answers into knowledge-base article drafts (docs/usage/crowd.md)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.crowd.repository import CrowdRepository
from etax.crowd.requests import (
    AcceptRequest,
    AnswerRequest,
    AskRequest,
    HideRequest,
    PinRequest,
    VoteRequest,
)
from etax.crowd.results import Drafts, ModerationLog, Profile, Questions, QuestionShown
from etax.crowd.service import CrowdService, CrowdSettings
from etax.platform.api import declares, make_resolver
from etax.platform.auth import caller
from etax.platform.observability import instrument
from etax.platform.once import Once

app = make_resolver()
once = Once(app)
service = CrowdService(CrowdRepository(), CrowdSettings.from_environment())
CURSOR = "the cursor of the previous page's answer"
TOPIC = "only questions of this topic (iit, vat, invoice, …)"
THREAD = "/v1/crowd/questions/{question_id}"
ANSWER = "/v1/crowd/answers/{answer_id}"


def _query(name: str) -> str | None:
    value: str | None = app.current_event.get_query_string_value(name)
    return value


@app.get("/v1/crowd/questions")
@declares(query={"topic": TOPIC, "cursor": CURSOR})
def questions() -> Questions:
    return service.questions(_query("topic"), _query("cursor"))


@app.get("/v1/crowd/questions/<question_id>")
def question(question_id: str) -> QuestionShown:
    return service.read(question_id)


@app.post("/v1/crowd/questions")
def ask() -> tuple[dict[str, Any], int]:
    principal = caller(app, "taxpayer")
    asked = once.parsed(principal, "POST /v1/crowd/questions", AskRequest,
                        lambda body: service.ask(principal, body))
    return asked, 201 if asked.get("posted") else 200


@app.post("/v1/crowd/questions/<question_id>/answers")
def answer(question_id: str) -> tuple[dict[str, Any], int]:
    principal = caller(app, "taxpayer")
    return once.parsed(principal, f"POST {THREAD.format(question_id=question_id)}/answers",
                       AnswerRequest,
                       lambda body: service.answer(principal, question_id, body)), 201


@app.post("/v1/crowd/questions/<question_id>/votes")
def vote_question(question_id: str) -> dict[str, Any]:
    principal = caller(app, "taxpayer")
    return once.parsed(principal, f"POST {THREAD.format(question_id=question_id)}/votes",
                       VoteRequest,
                       lambda body: service.vote(principal, question_id, body.value))


@app.post("/v1/crowd/answers/<answer_id>/votes")
def vote_answer(answer_id: str) -> dict[str, Any]:
    principal = caller(app, "taxpayer")
    return once.parsed(principal, f"POST {ANSWER.format(answer_id=answer_id)}/votes",
                       VoteRequest,
                       lambda body: service.vote(principal, answer_id, body.value))


@app.post("/v1/crowd/questions/<question_id>/accept")
def accept(question_id: str) -> dict[str, Any]:
    principal = caller(app, "taxpayer")
    return once.parsed(principal, f"POST {THREAD.format(question_id=question_id)}/accept",
                       AcceptRequest,
                       lambda body: service.accept(principal, question_id, body))


@app.get("/v1/crowd/me")
def me() -> Profile:
    return service.me(caller(app, "taxpayer"))


# -- officers ---------------------------------------------------------------------------------

@app.post("/v1/crowd/questions/<question_id>/pin")
def pin(question_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once.parsed(principal, f"POST {THREAD.format(question_id=question_id)}/pin",
                       PinRequest,
                       lambda body: service.pin(principal, question_id, body.pinned))


@app.post("/v1/crowd/questions/<question_id>/hide")
def hide_question(question_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once.parsed(principal, f"POST {THREAD.format(question_id=question_id)}/hide",
                       HideRequest, lambda body: service.hide(principal, question_id, body))


@app.post("/v1/crowd/answers/<answer_id>/hide")
def hide_answer(answer_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once.parsed(principal, f"POST {ANSWER.format(answer_id=answer_id)}/hide",
                       HideRequest, lambda body: service.hide(principal, answer_id, body))


@app.post("/v1/crowd/answers/<answer_id>/verify")
def verify(answer_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once(principal, f"POST {ANSWER.format(answer_id=answer_id)}/verify", {},
                lambda: service.verify(principal, answer_id))


@app.get("/v1/crowd/article-drafts")
@declares(query={"cursor": CURSOR})
def drafts() -> Drafts:
    caller(app, "officer")
    return service.drafts(_query("cursor"))


@app.get("/v1/crowd/moderation")
@declares(query={"cursor": CURSOR})
def moderation() -> ModerationLog:
    caller(app, "officer")
    return service.log(_query("cursor"))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
