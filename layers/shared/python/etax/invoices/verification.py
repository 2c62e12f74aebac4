"""The national invoice verification service (C10): one verdict, three channels.

A genuine check costs one DynamoDB call (:meth:`InvoiceRepository.count_check`):
the invoice is compared, the day's counter incremented and the invoice read in
the same conditional ``UpdateItem``. Only genuine checks count toward the
invoice's :data:`DAILY_LIMIT` (5 a day, as the national platform), so nobody can
use up the checks of an invoice they do not hold. A check that fails costs two
or three calls: a mismatch counts toward the invoice's mismatch ceiling (at 20 the
invoice answers 002 to everyone for the day: a total cannot be guessed beyond
it), and every failed check (006, 009, 002) toward the caller's daily budget
(:data:`~etax.invoices.verification_rules.LIMITS`; spent → 429 with ``Retry-After``, or
the channel's text). The caller is the source IP for the HTTP API, the sender
for the message channels (ADR 0006, amendment). Invoices issued more than five
years ago are outside the window.

Verdicts use the national platform's result codes: 001 genuine, 002 over
today's limit, 006 mismatch, 009 not found; a genuine verdict also says the
invoice's status (normal / voided / red-flushed) and shows its details with
the buyer masked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from etax.errors import Invalid, LimitReached, Malformed, Refused
from etax.invoices import channels
from etax.invoices.repository import Claim, StoredInvoice
from etax.invoices.results import (
    PublicInvoice,
    PublicItem,
    PublicParty,
    PublicSeller,
    QrView,
    Verdict,
)
from etax.invoices.verification_rules import (
    DAILY_LIMIT,
    LIMITS,
    WINDOW_YEARS,
    Limits,
    ResultCode,
    VerifyFacts,
    VerifyQuery,
    charge_for,
    claimed_value,
    next_day_start,
    result_for,
    seconds_to_next_day,
    within_window,
)
from etax.rules import money, qr
from etax.rules.dates import business_date
from etax.rules.invoice_types import type_name

STATUS_LABELS = {"normal": "正常", "voided": "作废", "red_flushed": "已红冲"}


COUNTER_TTL_DAYS = 2
"""A caller's failure counter is kept this long after its day ends (TTL)."""


class Repository(Protocol):
    def count_check(self, number: str, day: date, claim: Claim | None, limit: int,
                    ceiling: int) -> tuple[StoredInvoice | None, bool]: ...

    def count_mismatch(self, number: str, day: date, ceiling: int) -> bool: ...


class Guard(Protocol):
    def count_failure(self, client: str, day: date, limit: int, expires_at: int) -> bool: ...

    def claim_nonce(self, key: str, expires_at: int) -> bool: ...


def invoice_key(query: VerifyQuery) -> str:
    """Fully digitalized invoices are keyed by number; legacy ones by code and number."""
    return f"{query.code}-{query.number}" if query.code else query.number


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_id(value: str) -> str:
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def public_buyer(buyer: Mapping[str, Any]) -> PublicParty:
    if buyer.get("credit_code"):
        return PublicParty(kind="enterprise", name=buyer["name"],
                           credit_code=buyer["credit_code"])
    return PublicParty(kind="person", name=mask_name(buyer["name"]),
                       id_number=mask_id(buyer["id_number"]))


def facts_of(invoice: StoredInvoice) -> VerifyFacts:
    document = invoice.document
    return VerifyFacts(
        type=document["type"],
        code=document.get("code") or None,
        number=document["number"],
        issue_date=date.fromisoformat(document["issue_date"]),
        amount_fen=int(document["amount_fen"]),
        total_fen=int(document["total_fen"]),
        check_code=document.get("check_code") or None,
    )


def public_view(invoice: StoredInvoice) -> PublicInvoice:
    document = invoice.document
    return PublicInvoice(
        type=document["type"],
        type_name=document["type_name"],
        code=document.get("code") or "",
        number=document["number"],
        issue_date=document["issue_date"],
        status=invoice.status,
        status_label=STATUS_LABELS.get(invoice.status, invoice.status),
        seller=PublicSeller(name=document["seller"]["name"],
                            credit_code=document["seller"]["credit_code"]),
        buyer=public_buyer(document["buyer"]),
        items=tuple(
            PublicItem(name=line["name"], spec=line["spec"], unit=line["unit"],
                       quantity=line["quantity"], unit_price=line["unit_price"],
                       amount=money.format_yuan(line["amount_fen"]), tax_rate=line["tax_rate"],
                       tax=money.format_yuan(line["tax_fen"]))
            for line in document["items"]),
        amount=money.format_yuan(document["amount_fen"]),
        tax=money.format_yuan(document["tax_fen"]),
        total=money.format_yuan(document["total_fen"]),
        red_letter_of=document.get("red_letter_of"),
        red_number=invoice.red_number,
    )


def read_qr(payload: str) -> QrView:
    """The fields of an invoice's QR payload; a payload that is not one is malformed (400),
    naming the field (``payload`` or ``payload.<part>``)."""
    try:
        parsed = qr.parse(payload)
    except qr.QrError as error:
        field = "payload" if error.field == "payload" else f"payload.{error.field}"
        raise Malformed(f"{field}: {error.reason}", field=field) from None
    return QrView(version=parsed.version, type=parsed.type, type_name=type_name(parsed.type),
                  code=parsed.code, number=parsed.number,
                  amount=money.format_yuan(parsed.amount_fen),
                  date=parsed.issue_date.isoformat(), check_code=parsed.check_code,
                  tail=parsed.tail)


def verdict(code: ResultCode, checks_today: int | None,
            invoice: PublicInvoice | None = None) -> Verdict:
    return Verdict(result_code=code.value, message=code.message_en, message_zh=code.message_zh,
                   checks_today=checks_today, daily_limit=DAILY_LIMIT, invoice=invoice)


class VerificationService:
    def __init__(self, repository: Repository, guard: Guard,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 limits: Limits = LIMITS) -> None:
        self.repository = repository
        self.guard = guard
        self.now = now
        self.limits = limits

    def check(self, query: VerifyQuery, client: str) -> Verdict:
        """One check by ``client`` (a :func:`~etax.invoices.verification_rules.client_key`)."""
        now = self.now()
        today = business_date(now)
        if not within_window(query.issue_date, today):
            raise Invalid(
                f"only invoices issued in the last {WINDOW_YEARS} years (and not in the future) "
                "can be checked", field="issue_date")
        key = invoice_key(query)
        ceiling = self.limits.mismatches_per_invoice
        attribute, value, types = claimed_value(query)
        claim = Claim(query.issue_date.isoformat(), attribute, value, types)
        invoice, counted = self.repository.count_check(key, today, claim, DAILY_LIMIT, ceiling)
        if counted and invoice is not None:
            return verdict(ResultCode.GENUINE, invoice.checks_today, public_view(invoice))
        code = result_for(query, facts_of(invoice) if invoice is not None else None,
                          (invoice.checks_today or 0) if invoice is not None else 0,
                          (invoice.mismatches_today or 0) if invoice is not None else 0,
                          self.limits)
        if code is ResultCode.GENUINE:
            # It matches, but not in stored attributes (an invoice stored before them, or
            # changed meanwhile): count it without the comparison, under the same limits.
            invoice, counted = self.repository.count_check(key, today, None, DAILY_LIMIT,
                                                           ceiling)
            if counted and invoice is not None:
                return verdict(ResultCode.GENUINE, invoice.checks_today, public_view(invoice))
            code = ResultCode.OVER_DAILY_LIMIT
        charge = charge_for(code)
        if charge.invoice_mismatch and not self.repository.count_mismatch(key, today, ceiling):
            code = ResultCode.OVER_DAILY_LIMIT  # the ceiling was reached meanwhile
        if charge.client_failure:
            expires = next_day_start(now) + timedelta(days=COUNTER_TTL_DAYS)
            if not self.guard.count_failure(client, today, self.limits.failures_per_client,
                                            int(expires.timestamp())):
                raise LimitReached(
                    f"{self.limits.failures_per_client} checks from this caller did not match "
                    "an invoice today (mismatch, not found or over the limit); checks resume "
                    "tomorrow (Asia/Shanghai)", retry_after=seconds_to_next_day(now))
        shown = invoice.checks_today if invoice is not None and \
            code is ResultCode.OVER_DAILY_LIMIT else None
        return verdict(code, shown)

    def admit_wechat(self, token: str, params: Mapping[str, str], body: str) -> None:
        """A WeChat-style message is signed over its body, fresh, and seen for the first time;
        otherwise 403 naming the parameter."""
        try:
            key = channels.check_wechat_message(token, params, body, self.now().timestamp())
        except channels.ChannelAuthError as error:
            raise Refused(error.reason, field=error.field) from None
        if not self.guard.claim_nonce(key, channels.wechat_nonce_expiry(params["timestamp"])):
            raise Refused("this message (timestamp and nonce) was received already: a replay",
                          field="nonce")

    def admit_wechat_handshake(self, token: str, params: Mapping[str, str]) -> None:
        try:
            channels.check_wechat(token, params, self.now().timestamp())
        except channels.ChannelAuthError as error:
            raise Refused(error.reason, field=error.field) from None
