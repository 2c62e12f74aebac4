"""The national invoice verification service (plan action C10): the public API, QR parsing,
and the WeChat-style and SMS-style message channels."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths

from etax.errors import Invalid, LimitReached, Malformed
from etax.invoices import channels
from etax.invoices.repository import GuardRepository, InvoiceRepository
from etax.invoices.requests import QrParseRequest, SmsMessage, VerifyRequest
from etax.invoices.results import QrView, Verdict
from etax.invoices.verification import VerificationService, read_qr
from etax.invoices.verification_rules import VerifyQuery, client_key
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.errors import Forbidden, Unprocessable
from etax.platform.observability import business, instrument, logger
from etax.platform.secrets import SecretField

app = make_resolver()
service = VerificationService(InvoiceRepository(), GuardRepository())
channel_token = SecretField("CHANNEL_TOKEN_SECRET", "token").value  # the channels' token


def checked(query: VerifyQuery, client: str) -> Verdict:
    """One verification (API or channel), counted by its result code once it was counted."""
    answer = service.check(query, client)
    business("InvoiceVerifications", dimension=answer.result_code)
    return answer


@app.post("/v1/invoices/verify")
def verify() -> Verdict:
    identity = (app.current_event.raw_event.get("requestContext") or {}).get("identity") or {}
    query = parse_body(app, VerifyRequest).query
    return checked(query, client_key("ip", identity.get("sourceIp") or "unknown"))


@app.post("/v1/invoices/qr/parse")
def parse_qr() -> QrView:
    try:
        view = read_qr(parse_body(app, QrParseRequest).payload)
    except Malformed:
        business("QrParses", dimension="refused")
        raise
    business("QrParses", dimension="parsed")
    return view


def answer_text(text: str, client: str) -> str:
    command = channels.parse_text(text)
    if command.query is None:
        return channels.help_reply(command.reason)
    try:
        return channels.reply_text(checked(command.query, client))
    except LimitReached as limit:
        return channels.limit_reply(limit.retry_after)
    except Invalid as error:
        return channels.help_reply(error.detail)


@app.get("/v1/channels/wechat")
@declares(query=channels.WECHAT_HANDSHAKE_QUERY)
def wechat_handshake() -> Response[str]:
    params = app.current_event.query_string_parameters or {}
    service.admit_wechat_handshake(channel_token(), dict(params))
    return Response(200, "text/plain", params.get("echostr", ""))


@app.post("/v1/channels/wechat")
@declares(query=channels.WECHAT_MESSAGE_QUERY)
def wechat_message() -> Response[str]:
    params = app.current_event.query_string_parameters or {}
    body = app.current_event.body or ""
    service.admit_wechat(channel_token(), dict(params), body)
    try:
        message = channels.parse_wechat(body)
    except ValueError as error:
        raise Unprocessable(str(error), field="body") from None
    if message.msg_type != "text":
        reply = channels.help_reply("only text messages are understood")
    else:
        reply = answer_text(message.content, client_key("wechat", message.from_user))
    logger.info("wechat message answered", extra={"msg_type": message.msg_type})
    return Response(200, "application/xml", channels.wechat_reply(message, reply))


@app.post("/v1/channels/sms")
def sms_message() -> dict[str, Any]:
    raw = (app.current_event.body or "").encode()
    try:
        channels.check_sms(channel_token(), raw, app.current_event.headers.get("X-Signature"))
    except channels.ChannelAuthError:
        raise Forbidden("bad signature", field="X-Signature") from None
    message = parse_body(app, SmsMessage)
    return {"to": message.sender,
            "text": answer_text(message.text, client_key("sms", message.sender))}


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
