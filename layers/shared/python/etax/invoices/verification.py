"""The national invoice verification service (C10): one verdict, three channels.

A check costs one DynamoDB call (:meth:`InvoiceRepository.count_check`): the
day's counter is incremented and the invoice read in the same ``UpdateItem``.
At most :data:`DAILY_LIMIT` checks per invoice per business day (Asia/Shanghai),
counted by invoice, whatever the channel, matching or not (so the details of
an invoice cannot be guessed by trying). Invoices issued more than five years
ago are outside the window.

Verdicts use the national platform's result codes: 001 genuine, 002 over
today's limit, 006 mismatch, 009 not found; a genuine verdict also says the
invoice's status (normal / voided / red-flushed) and shows its details with
the buyer masked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Protocol

from etax.invoices.repository import StoredInvoice
from etax.platform.errors import Unprocessable
from etax.rules import money
from etax.rules.verification import (
    DAILY_LIMIT,
    WINDOW_YEARS,
    InvoiceFacts,
    ResultCode,
    VerifyInputError,
    VerifyQuery,
    business_date,
    matches,
    query_from_request,
    within_window,
)

STATUS_LABELS = {"normal": "正常", "voided": "作废", "red_flushed": "已红冲"}


class Repository(Protocol):
    def count_check(self, number: str, day: date,
                    limit: int) -> tuple[StoredInvoice | None, bool]: ...


def invoice_key(query: VerifyQuery) -> str:
    """Fully digitalized invoices are keyed by number; legacy ones by code and number."""
    return f"{query.code}-{query.number}" if query.code else query.number


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_id(value: str) -> str:
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else "*" * len(value)


def public_buyer(buyer: Mapping[str, Any]) -> dict[str, Any]:
    """What the public sees of a buyer: an enterprise's name, a person's masked name."""
    if buyer.get("kind") == "enterprise":
        return {"kind": "enterprise", "name": buyer["name"],
                "credit_code": mask_id(buyer["credit_code"])}
    return {"kind": "person", "name": mask_name(buyer["name"]),
            "id_number": mask_id(buyer.get("id_number", ""))}


def facts_of(invoice: StoredInvoice) -> InvoiceFacts:
    document = invoice.document
    return InvoiceFacts(
        type=document["type"],
        code=document.get("code") or None,
        number=document["number"],
        issue_date=date.fromisoformat(document["issue_date"]),
        amount_fen=int(document["amount_fen"]),
        total_fen=int(document["total_fen"]),
        check_code=document.get("check_code") or None,
    )


def public_view(invoice: StoredInvoice) -> dict[str, Any]:
    document = invoice.document
    return {
        "type": document["type"],
        "type_name": document["type_name"],
        "code": document.get("code") or "",
        "number": document["number"],
        "issue_date": document["issue_date"],
        "status": invoice.status,
        "status_label": STATUS_LABELS.get(invoice.status, invoice.status),
        "seller": {"name": document["seller"]["name"],
                   "credit_code": document["seller"]["credit_code"]},
        "buyer": public_buyer(document["buyer"]),
        "items": [
            {"name": line["name"], "spec": line["spec"], "unit": line["unit"],
             "quantity": line["quantity"], "unit_price": line["unit_price"],
             "amount": money.format_yuan(line["amount_fen"]), "tax_rate": line["tax_rate"],
             "tax": money.format_yuan(line["tax_fen"])}
            for line in document["items"]
        ],
        "amount": money.format_yuan(document["amount_fen"]),
        "tax": money.format_yuan(document["tax_fen"]),
        "total": money.format_yuan(document["total_fen"]),
        "red_letter_of": document.get("red_letter_of"),
        "red_number": invoice.red_number,
    }


def verdict(code: ResultCode, checks_today: int | None,
            invoice: dict[str, Any] | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "result_code": code.value,
        "message": code.message_en,
        "message_zh": code.message_zh,
        "checks_today": checks_today,
        "daily_limit": DAILY_LIMIT,
    }
    if invoice is not None:
        answer["invoice"] = invoice
    return answer


class VerificationService:
    def __init__(self, repository: Repository,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repository = repository
        self.now = now

    def parse(self, body: Mapping[str, object]) -> VerifyQuery:
        try:
            return query_from_request(body)
        except VerifyInputError as error:
            raise Unprocessable(error.reason, field=error.field) from None

    def verify(self, body: Mapping[str, object]) -> dict[str, Any]:
        return self.check(self.parse(body))

    def check(self, query: VerifyQuery) -> dict[str, Any]:
        today = business_date(self.now())
        if not within_window(query.issue_date, today):
            raise Unprocessable(
                f"only invoices issued in the last {WINDOW_YEARS} years (and not in the future) "
                "can be checked", field="issue_date")
        invoice, within_limit = self.repository.count_check(invoice_key(query), today,
                                                            DAILY_LIMIT)
        if invoice is None:
            return verdict(ResultCode.NOT_FOUND, None)
        if not within_limit:
            return verdict(ResultCode.OVER_DAILY_LIMIT, invoice.checks_today)
        if not matches(query, facts_of(invoice)):
            return verdict(ResultCode.MISMATCH, invoice.checks_today)
        return verdict(ResultCode.GENUINE, invoice.checks_today, public_view(invoice))
