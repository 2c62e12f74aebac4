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
does it: ``signature = sha1(sorted(token, timestamp, nonce))``. SMS-style
requests carry ``X-Signature: hex(HMAC-SHA256(token, body))``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import ElementTree as SafeElementTree

from etax.rules import invoice_types
from etax.rules.verification import VerifyInputError, VerifyQuery, query_from_request

HELP_TEXT = (
    "发票查验：发送 CY 发票号码 开票日期 价税合计，例如 CY 26352000000000001234 20261128 1130.00；"
    "旧版发票发送 CY 发票代码 发票号码 开票日期 金额或校验码后6位；也可直接发送发票二维码内容。"
    " / To check an invoice send: CY <number> <yyyymmdd> <total>."
)
COMMAND = re.compile(r"^\s*(cy|查验)[\s,，]+(.+)$", re.IGNORECASE | re.DOTALL)
HELP = re.compile(r"^\s*(help|帮助|\?|？)\s*$", re.IGNORECASE)
MAX_TEXT = 300


class ChannelAuthError(Exception):
    """The request is not signed with the channel's token."""


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


def reply_text(verdict: dict[str, Any]) -> str:
    """A verdict as one short message (Chinese first, as the national platform speaks)."""
    code = verdict["result_code"]
    checks = f"今日第{verdict['checks_today']}/{verdict['daily_limit']}次" \
        if verdict.get("checks_today") else ""
    if code == "001":
        invoice = verdict["invoice"]
        return (f"发票{invoice['number']}查验成功，状态：{invoice['status_label']}。"
                f"销方：{invoice['seller']['name']}，开票日期{invoice['issue_date']}，"
                f"价税合计{invoice['total']}元。{checks}")
    return f"{verdict['message_zh']}。{checks}".rstrip("。") + "。"


def help_reply(reason: str | None) -> str:
    return HELP_TEXT if reason is None else f"无法识别（{reason}）。{HELP_TEXT}"


# -- WeChat-style ---------------------------------------------------------------------------


def wechat_signature(token: str, timestamp: str, nonce: str) -> str:
    return hashlib.sha1("".join(sorted([token, timestamp, nonce])).encode()).hexdigest()  # noqa: S324 - the platform's protocol


def check_wechat(token: str, params: dict[str, str]) -> None:
    expected = wechat_signature(token, params.get("timestamp", ""), params.get("nonce", ""))
    if not hmac.compare_digest(expected, params.get("signature", "")):
        raise ChannelAuthError("bad WeChat signature")


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
