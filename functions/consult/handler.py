"""12366 smart consultation (plan action E16): questions answered from the knowledge base on the
web, the app, the WeChat-style and the SMS-style channels in one wording; hand-offs to the
officers of the asker's tax office; feedback, hot questions and published figures."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.offices import RegisteredOffices
from etax.acceptance.people import RegisteredPeople
from etax.acceptance.registration.repository import RegistryRepository
from etax.acceptance.repository import AcceptanceRepository
from etax.consult.repository import ConsultRepository
from etax.consult.requests import AskRequest, FeedbackRequest, ReplyRequest
from etax.consult.results import Feedback, Figures, HandoffView, Hot, Queue
from etax.consult.retrieval import composer_for, guard_for
from etax.consult.rules import SLA_SECONDS, Asker
from etax.consult.service import ConsultService
from etax.invoices import channels
from etax.invoices.requests import SmsMessage
from etax.knowledge.articles import base
from etax.knowledge.indexing import IndexCache, IndexStore, recheck_seconds
from etax.knowledge.text import tokenizer
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import Principal, caller
from etax.platform.aws import lazy
from etax.platform.errors import Forbidden, Unprocessable
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument, logger
from etax.platform.once import Once
from etax.platform.secrets import SecretField
from etax.platform.settings import required
from etax.regulations.seeds import corpus
from etax.rules.dates import business_date

app = make_resolver()
once = Once(app)
articles = base()
# the search function's artefact, rechecked each minute (every few seconds locally)
cache = IndexCache(IndexStore(), recheck=recheck_seconds())
service = ConsultService(
    composer_for(articles, corpus(), business_date(datetime.now(UTC)), index=cache.current),
    guard_for(articles),
    ConsultRepository(),
    RegisteredOffices(RegistryRepository(), RegisteredPeople(AcceptanceRepository())),
    EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), "tax.consult"),
    sla_seconds=int(os.environ.get("CONSULT_SLA_SECONDS") or SLA_SECONDS))
channel_token = SecretField("CHANNEL_TOKEN_SECRET", "token").value
tokenizer()  # jieba's dictionary, read during the function's initialisation
if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):  # a cold start (not a tool reading the routes)
    try:
        cache.current()  # the artefact, loaded during initialisation
    except Exception:  # none built yet, or the store failing: the question index answers alone
        logger.warning("the search index is not loaded yet", exc_info=True)
PUBLIC = Principal("public", "public")
HANDOFFS = "/v1/consult/handoffs"


@app.post("/v1/consult/ask")
@declares(body=(AskRequest,), problems=(404,))  # a session_id that is not the asker's
def ask() -> dict[str, Any]:
    asker = Asker("public")
    return once.parsed(PUBLIC, "POST /v1/consult/ask", AskRequest,
                       lambda body: service.ask(asker, body))


@app.post("/v1/me/consult/ask")
@declares(body=(AskRequest,), problems=(404,))
def ask_signed_in() -> dict[str, Any]:
    principal = caller(app)
    asker = service.asker(principal, "public")
    return once.parsed(principal, "POST /v1/me/consult/ask", AskRequest,
                       lambda body: service.ask(asker, body))


@app.post("/v1/consult/answers/<answer_id>/feedback")
def feedback(answer_id: str) -> Feedback:
    return service.feedback(answer_id, parse_body(app, FeedbackRequest))


WEEK = {"week": "an ISO week, e.g. 2026-W49 (this week if absent)"}


@app.get("/v1/consult/hot")
@declares(query=WEEK)
def hot() -> Hot:
    return service.hot(app.current_event.get_query_string_value("week"))


@app.get("/v1/consult/figures")
@declares(query=WEEK)
def figures() -> Figures:
    return service.figures(app.current_event.get_query_string_value("week"))


@app.get(HANDOFFS)
@declares(query={"tax_office": "an admin: the office whose queue to list"})
def queue() -> Queue:
    return service.queue(caller(app, "officer", "admin"),
                         app.current_event.get_query_string_value("tax_office"))


@app.get(f"{HANDOFFS}/<handoff_id>")
def view(handoff_id: str) -> HandoffView:
    return service.view(caller(app), handoff_id)


@app.post(f"{HANDOFFS}/<handoff_id>/claim")
def claim(handoff_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once(principal, f"POST {HANDOFFS}/{handoff_id}/claim", {},
                lambda: service.claim(principal, handoff_id))


@app.post(f"{HANDOFFS}/<handoff_id>/answer")
def answer(handoff_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once.parsed(principal, f"POST {HANDOFFS}/{handoff_id}/answer", ReplyRequest,
                       lambda body: service.reply(principal, handoff_id, body))


@app.post(f"{HANDOFFS}/<handoff_id>/close")
def close(handoff_id: str) -> dict[str, Any]:
    principal = caller(app, "officer")
    return once(principal, f"POST {HANDOFFS}/{handoff_id}/close", {},
                lambda: service.close(principal, handoff_id))


@app.get("/v1/consult/channels/wechat")
@declares(query=channels.WECHAT_HANDSHAKE_QUERY)
def wechat_handshake() -> Response[str]:
    params = app.current_event.query_string_parameters or {}
    service.admit_wechat_handshake(channel_token(), dict(params))
    return Response(200, "text/plain", params.get("echostr", ""))


@app.post("/v1/consult/channels/wechat")
@declares(query=channels.WECHAT_MESSAGE_QUERY)
def wechat_message() -> Response[str]:
    params = app.current_event.query_string_parameters or {}
    body = app.current_event.body or ""
    service.admit_wechat(channel_token(), dict(params), body)
    try:
        message = channels.parse_wechat(body)
    except ValueError as error:
        raise Unprocessable(str(error), field="body") from None
    reply = (service.answer_text("wechat", message.from_user, message.content)
             if message.msg_type == "text" else "请发送文字形式的涉税问题。")
    return Response(200, "application/xml", channels.wechat_reply(message, reply))


@app.post("/v1/consult/channels/sms")
def sms_message() -> dict[str, Any]:
    raw = (app.current_event.body or "").encode()
    try:
        channels.check_sms(channel_token(), raw, app.current_event.headers.get("X-Signature"))
    except channels.ChannelAuthError:
        raise Forbidden("bad signature", field="X-Signature") from None
    message = parse_body(app, SmsMessage)
    return {"to": message.sender, "text": service.answer_text("sms", message.sender,
                                                              message.text)}


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
