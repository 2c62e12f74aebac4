"""Verification over messaging channels: a WeChat-style official-account webhook and an
SMS-style text webhook, both speaking one short text syntax.

Text syntax (case-insensitive; fields separated by spaces or commas; ``查验``
may replace ``CY``)::

    CY <20-digit number> <date> <total incl. tax>          fully digitalized invoice
    CY <code> <number> <date> <amount excl. tax>           special VAT invoice (legacy code)
    CY <code> <number> <date> <last 6 of check code>       ordinary invoice (legacy code)
    01,32,,<number>,...                                     the text of an invoice's QR code
    HELP  (or 帮助)                                         the syntax

Dates are ``YYYYMMDD`` or ``YYYY-MM-DD``. Anything else gets the help text
back: a person on a phone gets a useful answer, never an error page.

WeChat-style requests are authenticated like the official-account platform
does it. The ``GET`` handshake carries ``signature = sha1(sorted(token,
timestamp, nonce))``. A message (``POST``) carries ``msg_signature =
sha1(sorted(token, timestamp, nonce, body))`` over the raw XML body: WeChat's
safe mode signs the encrypted body this way (``msg_signature = sha1(sort(token,
timestamp, nonce, Encrypt))``, its "message encryption and decryption"
technical scheme); we do not encrypt, so the plain body takes ``Encrypt``'s
place, and the signature covers what the message says. Both are refused when
``timestamp`` is more than :data:`WECHAT_WINDOW_SECONDS` from our clock; a
message's ``(timestamp, nonce)`` is taken once (:func:`wechat_nonce_key`, kept
by the service until the window has passed), so a replay is refused.
SMS-style requests carry ``X-Signature: hex(HMAC-SHA256(token, body))``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import ElementTree as SafeElementTree

from etax.invoices.results import Verdict
from etax.invoices.verification_rules import VerifyInputError, VerifyQuery, query_from_request
from etax.rules import invoice_types

HELP_TEXT = (
    "发票查验：发送 CY 发票号码 开票日期 价税合计，例如 CY 26352000000000001234 20261128 1130.00；"
    "旧版发票发送 CY 发票代码 发票号码 开票日期 金额或校验码后6位；也可直接发送发票二维码内容。"
    " / To check an invoice send: CY <number> <yyyymmdd> <total>."
)
COMMAND = re.compile(r"^\s*(cy|查验)[\s,，]+(.+)$", re.IGNORECASE | re.DOTALL)
HELP = re.compile(r"^\s*(help|帮助|\?|？)\s*$", re.IGNORECASE)
MAX_TEXT = 300
WECHAT_WINDOW_SECONDS = 300
"""How far a WeChat-style ``timestamp`` may be from our clock, either way (five minutes: our
choice; WeChat documents the parameter, not a window). A nonce is kept this long past it."""
# The query parameters of a WeChat-style webhook, as the API's contract describes them (the
# handshake's GET, the message's POST): one wording for every board that takes the channel.
WECHAT_HANDSHAKE_QUERY = {
    "signature": "sha1 of the sorted token, timestamp and nonce",
    "timestamp": "the sender's Unix time in seconds", "nonce": "1-64 characters",
    "echostr": "echoed back when the signature holds"}
WECHAT_MESSAGE_QUERY = {
    "msg_signature": "sha1 of the sorted token, timestamp, nonce and body",
    "timestamp": "the sender's Unix time in seconds", "nonce": "1-64 characters"}
_NONCE = re.compile(r"[A-Za-z0-9_-]{1,64}")
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


class ChannelAuthError(Exception):
    """The request is not signed with the channel's token, or is stale; ``field`` names the
    query parameter (or header) at fault."""

    def __init__(self, reason: str, field: str = "signature") -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


@dataclass(frozen=True, slots=True)
class Command:
    """What a text asked for: a check (``query``) or, failing that, help (``reason``)."""

    query: VerifyQuery | None
    reason: str | None = None


def _date(text: str) -> str:
    text = text.strip()
    if re.fullmatch(r"[0-9]{8}", text):
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return text


def parse_text(text: str) -> Command:
    """Read one message; never raises: an unusable message becomes help with its reason."""
    text = (text or "").strip()
    if HELP.match(text):
        return Command(None)
    if not text or len(text) > MAX_TEXT:
        return Command(None, f"empty, or longer than {MAX_TEXT} characters")
    body: dict[str, object]
    if text.startswith("01,") or text.startswith("01，"):
        body = {"qr": text.replace("，", ",")}
    else:
        match = COMMAND.match(text)
        if not match:
            return Command(None, "the message does not start with CY")
        fields = [f for f in re.split(r"[\s,，]+", match.group(2).strip()) if f]
        if len(fields) == 3:
            body = {"number": fields[0], "issue_date": _date(fields[1]), "total": fields[2]}
        elif len(fields) == 4:
            code, number, day, value = fields
            body = {"code": code, "number": number, "issue_date": _date(day)}
            try:
                kind = invoice_types.required_check(invoice_types.classify_legacy_code(code))
            except (invoice_types.InvoiceCodeError, invoice_types.InvoiceTypeError) as error:
                return Command(None, error.reason)
            body["amount" if kind == "amount" else "check_code_last6"] = value
        else:
            return Command(None, f"expected 3 or 4 fields after CY, got {len(fields)}")
    try:
        return Command(query_from_request(body))
    except VerifyInputError as error:
        return Command(None, f"{error.field}: {error.reason}")


def reply_text(verdict: Verdict) -> str:
    """A verdict as one short message (Chinese first, as the national platform speaks)."""
    checks = f"今日第{verdict.checks_today}/{verdict.daily_limit}次" \
        if verdict.checks_today else ""
    invoice = verdict.invoice
    if verdict.result_code == "001" and invoice is not None:
        return (f"发票{invoice.number}查验成功，状态：{invoice.status_label}。"
                f"销方：{invoice.seller.name}，开票日期{invoice.issue_date}，"
                f"价税合计{invoice.total}元。{checks}")
    return f"{verdict.message_zh}。{checks}".rstrip("。") + "。"


def help_reply(reason: str | None) -> str:
    return HELP_TEXT if reason is None else f"无法识别（{reason}）。{HELP_TEXT}"


def limit_reply(retry_after: int) -> str:
    """The text form of a 429: the sender's failed checks for today are used up."""
    hours = max(1, -(-retry_after // 3600))
    return ("今日查验未通过的次数已达上限，请明日再试（约" f"{hours}小时后）。"
            f" / Too many checks that did not match today; try again in about {hours} h.")


# -- WeChat-style ---------------------------------------------------------------------------


def wechat_signature(token: str, timestamp: str, nonce: str) -> str:
    """The handshake's ``signature``: sha1 of the sorted, concatenated token, timestamp, nonce."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324 - the platform's protocol


def wechat_msg_signature(token: str, timestamp: str, nonce: str, body: str) -> str:
    """A message's ``msg_signature``: sha1 of the sorted, concatenated token, timestamp, nonce
    and body (WeChat's safe-mode scheme, with the plain body in the encrypted body's place)."""
    joined = "".join(sorted([token, timestamp, nonce, body]))
    return hashlib.sha1(joined.encode()).hexdigest()  # noqa: S324 - the platform's protocol


def _fresh(params: Mapping[str, str], now: float) -> tuple[str, str]:
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    if _TIMESTAMP.fullmatch(timestamp) is None:
        raise ChannelAuthError("timestamp must be the sender's Unix time in seconds", "timestamp")
    if abs(now - int(timestamp)) > WECHAT_WINDOW_SECONDS:
        raise ChannelAuthError(f"timestamp is more than {WECHAT_WINDOW_SECONDS} seconds from "
                               "our clock", "timestamp")
    if _NONCE.fullmatch(nonce) is None:
        raise ChannelAuthError("nonce must be 1-64 letters, digits, '_' or '-'", "nonce")
    return timestamp, nonce


def check_wechat(token: str, params: Mapping[str, str], now: float) -> None:
    """The ``GET`` handshake: a fresh timestamp and the three-part ``signature``."""
    timestamp, nonce = _fresh(params, now)
    expected = wechat_signature(token, timestamp, nonce)
    if not hmac.compare_digest(expected, params.get("signature", "")):
        raise ChannelAuthError("bad WeChat signature")


def check_wechat_message(token: str, params: Mapping[str, str], body: str, now: float) -> str:
    """A message (``POST``): a fresh timestamp and ``msg_signature`` over the body. Returns the
    key under which the service records the message once (:func:`wechat_nonce_key`)."""
    timestamp, nonce = _fresh(params, now)
    expected = wechat_msg_signature(token, timestamp, nonce, body)
    if not hmac.compare_digest(expected, params.get("msg_signature", "")):
        raise ChannelAuthError("bad WeChat msg_signature: sha1(sorted(token, timestamp, nonce, "
                               "body))", "msg_signature")
    return wechat_nonce_key(timestamp, nonce)


def wechat_nonce_key(timestamp: str, nonce: str) -> str:
    return f"nonce#wechat#{timestamp}#{nonce}"


def wechat_nonce_expiry(timestamp: str) -> int:
    """When a kept nonce may go (TTL): once its timestamp is outside the window, plus a minute."""
    return int(timestamp) + WECHAT_WINDOW_SECONDS + 60


@dataclass(frozen=True, slots=True)
class WechatMessage:
    to_user: str
    from_user: str
    msg_type: str
    content: str


def parse_wechat(xml_text: str) -> WechatMessage:
    """Parse an incoming message (defused XML: no entities, no DTDs); ValueError if unusable."""
    try:
        root = SafeElementTree.fromstring(xml_text)
    except Exception as error:  # defusedxml raises several types for hostile XML
        raise ValueError(f"not a message: {error}") from None

    def text(tag: str) -> str:
        node = root.find(tag)
        return (node.text or "").strip() if node is not None else ""

    if not text("FromUserName") or not text("ToUserName"):
        raise ValueError("the message has no FromUserName/ToUserName")
    return WechatMessage(text("ToUserName"), text("FromUserName"), text("MsgType"),
                         text("Content"))


def wechat_reply(message: WechatMessage, content: str, now: float | None = None) -> str:
    """A passive text reply: back to the sender, from the official account."""
    root = Element("xml")
    for tag, value in (("ToUserName", message.from_user), ("FromUserName", message.to_user),
                       ("CreateTime", str(int(now if now is not None else time.time()))),
                       ("MsgType", "text"), ("Content", content)):
        SubElement(root, tag).text = value
    return tostring(root, encoding="unicode")


# -- SMS-style ------------------------------------------------------------------------------


def sms_signature(token: str, body: bytes) -> str:
    return hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def check_sms(token: str, body: bytes, signature: str | None) -> None:
    if not signature or not hmac.compare_digest(sms_signature(token, body), signature.strip()):
        raise ChannelAuthError("bad SMS signature")
