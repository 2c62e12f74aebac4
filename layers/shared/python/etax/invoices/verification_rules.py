"""Pure rules of the invoice verification service, modelled on the national platform (查验平台).

Sources (sources.md#invoices, "National verification platform")
-------------------------------------------------------
* Inputs: invoice code (none for 数电), number, issue date and one value by type — 专票 the amount
  excluding tax, 普票/电子普票/卷票 the last six digits of the check code, 数电 the total including
  tax. The per-type choice lives in :data:`etax.rules.invoice_types.REQUIRED_CHECK`.
* Limits: five checks per invoice per day, counted by invoice (:data:`DAILY_LIMIT`); invoices
  issued in the last five years can be checked, from the day they are issued
  (:data:`WINDOW_YEARS`).
* Result codes: 001 success, 002 over the daily limit for this invoice, 006 mismatch (不一致),
  009 查无此票. The platform's other codes (captcha, throttling, province not open) describe its
  transport, which our API does not have; its captcha and "too frequent" answers (003, 016, 020)
  stand behind our per-client limit (below).

Choices where the sources say nothing (**not found**):

* **"Day"** is the calendar day in Asia/Shanghai (:func:`etax.rules.dates.business_date`).
* **"Five years"** starts on the same calendar day five years before today; when that day does not
  exist (29 February), on 28 February.
* **Request forms.** Four JSON forms, each with exactly the fields it needs (see
  :func:`query_from_request`); unknown, missing, null or conflicting fields are errors naming the
  field, never silently ignored. Amounts may be negative (red-letter invoices print negative
  amounts). A code's type comes from :func:`~etax.rules.invoice_types.classify_legacy_code`, so a
  二手车 code (type 15) is checked with ``total``, like the platform's 车价合计.
* **What counts** (ADR 0006, amendment "Counting only genuine checks"): only a check that
  matches counts toward the invoice's :data:`DAILY_LIMIT`, so nobody can use up the checks of an
  invoice they do not hold. A check that does not match counts toward the invoice's own mismatch
  ceiling (:data:`LIMITS`, ``mismatches_per_invoice``; reached, the invoice answers 002 to
  everyone until the next day, so a total cannot be guessed beyond it) and toward the caller's
  daily budget of failed checks (``failures_per_client``: mismatches, unknown numbers and 002
  answers; spent, such checks answer 429). A matching check is never refused for the caller's
  earlier failures. The numbers are data (``data/verification_limits.json``).
* **QR requests** take the check value from the payload by its type: the amount for amount types,
  the amount read as the total for total types (see :mod:`etax.rules.qr`), the last six digits of
  the payload's check code for check-code types. QR errors name the field as ``qr.<field>``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from etax.platform.data import load
from etax.rules import qr
from etax.rules.dates import SHANGHAI, business_date
from etax.rules.invoice_types import (
    REQUIRED_CHECK,
    CheckKind,
    InvoiceCodeError,
    classify_legacy_code,
    required_check,
)
from etax.rules.money import MoneyError, parse_yuan

DAILY_LIMIT = 5
"""Checks per invoice per business day (sources.md#invoices)."""
WINDOW_YEARS = 5
"""How far back an issue date may lie (sources.md#invoices)."""


@dataclass(frozen=True, slots=True)
class Limits:
    """How many checks a day may fail before the service stops answering (see the module doc).

    ``mismatches_per_invoice``: checks of one invoice that did not match; reached, the invoice
    answers 002 to everyone. ``failures_per_client``: one caller's checks that did not answer
    001 (mismatch, not found, 002); reached, the caller's failing checks answer 429.
    """

    mismatches_per_invoice: int
    failures_per_client: int

    def __post_init__(self) -> None:
        if self.mismatches_per_invoice < DAILY_LIMIT or self.failures_per_client < 1:
            raise ValueError("limits: at least 5 mismatches per invoice, 1 failure per client")

    @classmethod
    def shipped(cls) -> Limits:
        """The limits in ``data/verification_limits.json``."""
        shipped = load("etax.invoices", "verification_limits")
        return cls(int(shipped["mismatches_per_invoice"]), int(shipped["failures_per_client"]))


LIMITS = Limits.shipped()


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_LAST6 = re.compile(r"[0-9]{6}")


class ResultCode(StrEnum):
    """Outcome of one verification, with the platform's codes."""

    GENUINE = "001"
    OVER_DAILY_LIMIT = "002"
    MISMATCH = "006"
    NOT_FOUND = "009"

    @property
    def message_zh(self) -> str:
        return _MESSAGES[self][0]

    @property
    def message_en(self) -> str:
        return _MESSAGES[self][1]


_MESSAGES: dict[ResultCode, tuple[str, str]] = {
    ResultCode.GENUINE: ("查验成功", "the invoice exists and matches"),
    ResultCode.OVER_DAILY_LIMIT: (
        f"超过该张发票当日查验次数（{DAILY_LIMIT}次）或查验不一致次数"
        f"（{LIMITS.mismatches_per_invoice}次），请于次日再次查验",
        f"this invoice has been checked {DAILY_LIMIT} times today (or failed "
        f"{LIMITS.mismatches_per_invoice} times); try again tomorrow",
    ),
    ResultCode.MISMATCH: ("不一致", "the invoice exists but the details given do not match it"),
    ResultCode.NOT_FOUND: ("查无此票", "no such invoice"),
}


class VerifyInputError(ValueError):
    """A verification request we cannot use; ``field`` names the field, ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def window_start(today: date) -> date:
    """The earliest issue date that can still be checked on ``today``."""
    try:
        return today.replace(year=today.year - WINDOW_YEARS)
    except ValueError:  # 29 February five years back does not exist
        return today.replace(year=today.year - WINDOW_YEARS, day=28)


def within_window(issue_date: date, today: date) -> bool:
    """True when ``issue_date`` is between five years ago (same calendar day) and today."""
    return window_start(today) <= issue_date <= today


@dataclass(frozen=True, slots=True)
class VerifyQuery:
    """What a caller asserts about an invoice: identity plus exactly one check value."""

    number: str
    code: str | None
    issue_date: date
    amount_fen: int | None = None
    total_fen: int | None = None
    check_code_last6: str | None = None

    def __post_init__(self) -> None:
        given = [
            name
            for name in ("amount_fen", "total_fen", "check_code_last6")
            if getattr(self, name) is not None
        ]
        if len(given) != 1:
            raise VerifyInputError("check", "exactly one check value must be given")

    @property
    def check(self) -> CheckKind:
        """Which check value this query carries."""
        if self.amount_fen is not None:
            return "amount"
        if self.total_fen is not None:
            return "total"
        return "check_code_last6"


@dataclass(frozen=True, slots=True)
class VerifyFacts:
    """What the invoice store knows about an issued invoice, for comparison with a query."""

    type: str
    code: str | None
    number: str
    issue_date: date
    amount_fen: int
    total_fen: int
    check_code: str | None


_CHECK_FIELDS: dict[CheckKind, str] = {
    "amount": "amount",
    "total": "total",
    "check_code_last6": "check_code_last6",
}
_CHECK_WORDS: dict[CheckKind, str] = {
    "amount": "the amount excluding tax",
    "total": "the total including tax",
    "check_code_last6": "the last six digits of the check code",
}
_KNOWN_FIELDS = ("qr", "code", "number", "issue_date", "amount", "total", "check_code_last6")


def _text(body: Mapping[str, object], name: str) -> str:
    value = body[name]
    if not isinstance(value, str):
        raise VerifyInputError(name, f"must be a string, not {type(value).__name__}")
    return value


def _issue_date(body: Mapping[str, object]) -> date:
    if "issue_date" not in body:
        raise VerifyInputError("issue_date", "missing: the date the invoice was issued")
    text = _text(body, "issue_date")
    if _ISO_DATE.fullmatch(text) is None:
        raise VerifyInputError("issue_date", f"write the date as YYYY-MM-DD, not {text!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise VerifyInputError("issue_date", f"{text} is not a calendar date") from None


def _amount(body: Mapping[str, object], name: str) -> int:
    value = body[name]
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise VerifyInputError(name, 'must be a decimal string in yuan, like "1130.00"')
    try:
        return parse_yuan(value, allow_negative=True)
    except MoneyError as error:
        raise VerifyInputError(name, error.reason) from None


def _from_qr(body: Mapping[str, object]) -> VerifyQuery:
    others = sorted(name for name in body if name != "qr")
    if others:
        raise VerifyInputError(others[0], "cannot be combined with 'qr': the payload says it all")
    try:
        payload = qr.parse(_text(body, "qr"))
    except qr.QrError as error:
        raise VerifyInputError(f"qr.{error.field}", error.reason) from None
    kind = required_check(payload.type)
    code = payload.code or None
    if kind == "amount":
        return VerifyQuery(payload.number, code, payload.issue_date, amount_fen=payload.amount_fen)
    if kind == "total":
        return VerifyQuery(payload.number, code, payload.issue_date, total_fen=payload.amount_fen)
    if not payload.check_code:
        raise VerifyInputError(
            "qr.check_code",
            f"type {payload.type} is checked with the check code, and this payload has none",
        )
    return VerifyQuery(
        payload.number, code, payload.issue_date, check_code_last6=payload.check_code[-6:]
    )


def query_from_request(body: Mapping[str, object]) -> VerifyQuery:
    """Turn one of the API's four request forms into a :class:`VerifyQuery`.

    * ``{"number", "issue_date", "total"}`` — a fully digitalized invoice (20-digit number);
    * ``{"code", "number", "issue_date", "amount"}`` — special VAT invoices (amount excl. tax);
    * ``{"code", "number", "issue_date", "check_code_last6"}`` — ordinary invoices;
    * ``{"qr": "<payload>"}`` — the payload's type decides which check value is used.

    With a code, the code's type (:func:`classify_legacy_code`) decides which check value is
    required; any other check value is a conflict. Errors name the offending field.
    """
    unknown = sorted(name for name in body if name not in _KNOWN_FIELDS)
    if unknown:  # a field without a name is named by where it is
        raise VerifyInputError(unknown[0] or "body", "unknown field")
    if "qr" in body:
        return _from_qr(body)

    if "number" not in body:
        raise VerifyInputError("number", "missing: the invoice number")
    number = _text(body, "number")
    if not (number.isascii() and number.isdigit() and len(number) in (8, 20)):
        raise VerifyInputError(
            "number",
            "an invoice number has 20 digits (fully digitalized) or 8 digits (with a code)",
        )
    code: str | None = None
    if len(number) == 20:
        if "code" in body:
            raise VerifyInputError(
                "code", "a fully digitalized invoice (20-digit number) has no invoice code"
            )
        kind: CheckKind = "total"
        subject = "a fully digitalized invoice"
    else:
        if "code" not in body:
            raise VerifyInputError("code", "missing: an 8-digit invoice number needs its code")
        code = _text(body, "code")
        try:
            invoice_type = classify_legacy_code(code)
        except InvoiceCodeError as error:
            raise VerifyInputError("code", error.reason) from None
        kind = required_check(invoice_type)
        subject = f"an invoice of type {invoice_type}"
    issue_date = _issue_date(body)

    wanted = _CHECK_FIELDS[kind]
    for other in ("amount", "total", "check_code_last6"):
        if other != wanted and other in body:
            raise VerifyInputError(
                other, f"not used: {subject} is checked with {_CHECK_WORDS[kind]} ({wanted})"
            )
    if wanted not in body:
        raise VerifyInputError(wanted, f"missing: {subject} is checked with {_CHECK_WORDS[kind]}")
    if kind == "check_code_last6":
        last6 = _text(body, wanted)
        if _LAST6.fullmatch(last6) is None:
            raise VerifyInputError(wanted, "the last six digits of the check code: six digits")
        return VerifyQuery(number, code, issue_date, check_code_last6=last6)
    fen = _amount(body, wanted)
    if kind == "amount":
        return VerifyQuery(number, code, issue_date, amount_fen=fen)
    return VerifyQuery(number, code, issue_date, total_fen=fen)


def matches(query: VerifyQuery, facts: VerifyFacts) -> bool:
    """True when the query names this invoice and its check value agrees with it.

    Number, code and issue date must be equal (an empty code and no code are the same), and the
    query must carry the check value this invoice's type needs, equal to the invoice's; the last
    six digits of the check code are compared with the end of the invoice's check code.
    """
    if query.number != facts.number or (query.code or None) != (facts.code or None):
        return False
    if query.issue_date != facts.issue_date:
        return False
    kind = required_check(facts.type)
    if kind == "amount":
        return query.amount_fen is not None and query.amount_fen == facts.amount_fen
    if kind == "total":
        return query.total_fen is not None and query.total_fen == facts.total_fen
    check_code = facts.check_code or ""
    return (
        query.check_code_last6 is not None
        and len(check_code) >= 6
        and check_code[-6:] == query.check_code_last6
    )


def result_for(query: VerifyQuery, facts: VerifyFacts | None, checks_today: int,
               mismatches_today: int = 0, limits: Limits = LIMITS) -> ResultCode:
    """The outcome of one check, given the stored invoice (or None) and today's earlier checks.

    No invoice → 009 (there is nothing to count against); the invoice already checked
    :data:`DAILY_LIMIT` times today, or failed ``limits.mismatches_per_invoice`` times → 002,
    before comparing anything (so a guess beyond the ceiling learns nothing); then 001 or 006.
    """
    if facts is None:
        return ResultCode.NOT_FOUND
    if checks_today >= DAILY_LIMIT or mismatches_today >= limits.mismatches_per_invoice:
        return ResultCode.OVER_DAILY_LIMIT
    return ResultCode.GENUINE if matches(query, facts) else ResultCode.MISMATCH


@dataclass(frozen=True, slots=True)
class Charge:
    """What one answered check counts toward, besides a genuine one's own daily count."""

    invoice_mismatch: bool
    client_failure: bool


def charge_for(code: ResultCode) -> Charge:
    """001 counts toward the invoice's five (done with the check itself) and nothing else; 006
    counts toward the invoice's mismatch ceiling and the caller's budget; 009 and 002 toward the
    caller's budget only (they say whether a number exists, so probing them must cost)."""
    return Charge(invoice_mismatch=code is ResultCode.MISMATCH,
                  client_failure=code is not ResultCode.GENUINE)


CHECK_ATTRIBUTES: dict[CheckKind, str] = {
    "total": "total_fen",
    "amount": "amount_fen",
    "check_code_last6": "check6",
}
"""The attribute stored beside an invoice that each kind of check value is compared with."""


def claimed_value(query: VerifyQuery) -> tuple[str, int | str, tuple[str, ...]]:
    """What the query claims, as a stored attribute, its value, and the invoice types checked by
    that kind of value: what a conditional write compares so a genuine check is counted in the
    same call that finds it genuine."""
    kind = query.check
    value: int | str | None = {"total": query.total_fen, "amount": query.amount_fen,
                               "check_code_last6": query.check_code_last6}[kind]
    assert value is not None  # the query carries its kind's value (VerifyQuery checks it)
    types = tuple(sorted(t for t, needed in REQUIRED_CHECK.items() if needed == kind))
    return CHECK_ATTRIBUTES[kind], value, types


def client_key(channel: str, sender: str) -> str:
    """A caller's counter key: a digest, so no address or phone number is stored or logged."""
    digest = hashlib.sha256(f"{channel}:{sender}".encode()).hexdigest()
    return f"{channel}:{digest[:32]}"


def next_day_start(now: datetime) -> datetime:
    """Midnight in Asia/Shanghai after the instant ``now``: when the day's counters reset."""
    nxt = business_date(now) + timedelta(days=1)
    return datetime(nxt.year, nxt.month, nxt.day, tzinfo=SHANGHAI)


def seconds_to_next_day(now: datetime) -> int:
    """``Retry-After`` for a daily limit: whole seconds to the next Shanghai midnight (≥ 1)."""
    return max(1, int((next_day_start(now) - now).total_seconds()) + 1)
