"""Issuing e-invoices (C8, C9): documents, numbers, quota, signature, QR; red-letter and voiding.

The issued document is canonical JSON (:mod:`etax.documents.canonical`,
schema in :mod:`etax.invoices.spec`), signed with the platform's KMS key; the
envelope (document + signature) is what the seller and buyer download and
what anyone can check offline with the published key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from etax.acceptance.registration.records import RegistrationRecord, TaxpayerType
from etax.acceptance.registration.registry import Registry, signed_in_enterprise
from etax.documents.canonical import canonical_bytes
from etax.documents.signing import Signature
from etax.errors import Invalid, NotFound, Refused, StateChanged
from etax.invoices.repository import QuotaExceeded, SequenceMoved, StoredInvoice
from etax.invoices.requests import EnterpriseBuyer, IssueRequest, RedLetterRequest
from etax.invoices.results import Held, Summary, Voided
from etax.platform.auth import Principal
from etax.rules import invoice_numbers, money, qr
from etax.rules.dates import business_date
from etax.rules.invoice_types import type_name

SPEC = "etax-invoice/1"
TYPE_FOR = {"ordinary": "32", "special": "31"}
MAX_ATTEMPTS = 5


class Repository(Protocol):
    def issuer_state(self, credit_code: str, series: str, month: str) -> dict[str, int | None]: ...

    def take_block(self, credit_code: str, series: str,
                   seen_next: int | None) -> tuple[int, int]: ...

    def write_issued(self, *, credit_code: str, series: str, sequence: int, month: str,
                     quota_fen: int, document: dict[str, Any], document_json: str,
                     signature: dict[str, str], facts: dict[str, Any],
                     flush_original: str | None = None) -> None: ...

    def get(self, number: str) -> StoredInvoice | None: ...

    def void(self, number: str, seller: str, month: str) -> StoredInvoice: ...


class Signer(Protocol):
    def sign(self, document: dict[str, Any]) -> Signature: ...


@dataclass(frozen=True, slots=True)
class Issued:
    envelope: dict[str, Any]

    def summary(self) -> Summary:
        document = self.envelope["document"]
        return Summary(number=document["number"], type=document["type"],
                       issue_date=document["issue_date"],
                       amount=money.format_yuan(document["amount_fen"]),
                       tax=money.format_yuan(document["tax_fen"]),
                       total=money.format_yuan(document["total_fen"]), qr=document["qr"],
                       red_letter_of=document.get("red_letter_of"),
                       signature=self.envelope["signature"])


def _field_error(field: str, reason: str) -> Invalid:
    return Invalid(f"{field}: {reason}", field=field)


@dataclass
class InvoiceService:
    repository: Repository
    registry: Registry
    signer: Signer
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    # -- issuing -------------------------------------------------------------------------

    def seller_record(self, principal: Principal) -> RegistrationRecord:
        return signed_in_enterprise(self.registry, principal,
                                    "invoices are issued by a registered enterprise taxpayer "
                                    "signed in with its credit code")

    def _buyer(self, request: IssueRequest) -> dict[str, Any]:
        buyer = request.buyer.identity()
        if isinstance(buyer, EnterpriseBuyer):
            record = self.registry.get(buyer.credit_code)
            name = record.name if record else buyer.name
            if not name:
                raise _field_error("buyer.name", "the buyer is not registered: give its name")
            return {"kind": "enterprise", "credit_code": buyer.credit_code, "name": name}
        if not buyer.name:
            raise _field_error("buyer.name", "a natural person buyer is named")
        return {"kind": "person", "name": buyer.name, "id_number": buyer.id_number}

    @staticmethod
    def _lines(request: IssueRequest) -> tuple[list[dict[str, Any]], money.Totals]:
        lines, amounts = [], []
        for i, item in enumerate(request.items):
            values = item.values(i)
            try:
                line = money.compute_line(values.quantity, values.unit_price, values.rate)
            except money.MoneyError as error:
                raise _field_error(f"items[{i}]", error.reason) from None
            amounts.append(line)
            lines.append({
                "line": i + 1, "name": item.name, "spec": item.spec, "unit": item.unit,
                "quantity": str(values.quantity), "unit_price": str(values.unit_price),
                "tax_rate": values.rate.text,
                "amount_fen": line.amount_fen, "tax_fen": line.tax_fen,
                **({"tax_code": item.tax_code} if item.tax_code else {}),
            })
        totals = money.compute_totals(amounts)
        if totals.total_fen <= 0:
            raise _field_error("items", "an invoice must total more than zero")
        return lines, totals

    def issue(self, principal: Principal, request: IssueRequest) -> Issued:
        seller = self.seller_record(principal)
        if request.invoice_type == "special":
            if seller.taxpayer_type is not TaxpayerType.GENERAL:
                raise _field_error("invoice_type", "only general VAT taxpayers issue special "
                                                   "VAT invoices")
            if not request.buyer.is_enterprise:
                raise _field_error("invoice_type", "a special VAT invoice needs an enterprise "
                                                   "buyer")
        buyer = self._buyer(request)
        lines, totals = self._lines(request)
        body = {
            "type": TYPE_FOR[request.invoice_type],
            "channel": request.channel,
            "buyer": buyer,
            "items": lines,
            "amount_fen": totals.amount_fen,
            "tax_fen": totals.tax_fen,
            "total_fen": totals.total_fen,
            "remarks": request.remarks,
            "red_letter_of": None,
        }
        return self._issue(seller, body, request.channel)

    def red_letter(self, principal: Principal, number: str,
                   request: RedLetterRequest) -> Issued:
        """A red-letter (credit) invoice mirroring ``number`` exactly, negated; the
        original becomes ``red_flushed`` in the same transaction."""
        seller = self.seller_record(principal)
        original = self.repository.get(number)
        if original is None or original.document["seller"]["credit_code"] != seller.credit_code:
            raise NotFound(f"you have issued no invoice {number}")
        if original.status != "normal":
            raise StateChanged(f"invoice {number} is {original.status}; only a normal invoice "
                               "can be credited")
        document = original.document
        body = {
            "type": document["type"],
            "channel": request.channel,
            "buyer": document["buyer"],
            "items": [dict(line, amount_fen=-line["amount_fen"], tax_fen=-line["tax_fen"],
                           quantity=str(-money.parse_decimal(line["quantity"],
                                                             field_max_places=6)))
                      for line in document["items"]],
            "amount_fen": -document["amount_fen"],
            "tax_fen": -document["tax_fen"],
            "total_fen": -document["total_fen"],
            "remarks": f"红字发票，对应蓝字发票 {number}：{request.reason}",
            "red_letter_of": number,
        }
        return self._issue(seller, body, request.channel, flush_original=number)

    def _issue(self, seller: RegistrationRecord, body: dict[str, Any], channel: str,
               flush_original: str | None = None) -> Issued:
        now = self.now()
        day = business_date(now)
        month = f"{day:%Y%m}"
        region = invoice_numbers.region_of_credit_code(seller.credit_code)
        year2 = day.year % 100
        series = f"{year2:02d}{region}{invoice_numbers.CHANNEL_DIGITS[channel]}"
        for _ in range(MAX_ATTEMPTS):
            state = self.repository.issuer_state(seller.credit_code, series, month)
            quota, used = state["quota"], state["used"] or 0
            if quota is None:
                raise Refused(f"{seller.credit_code} has no issuing quota; ask the tax office")
            if body["total_fen"] > 0 and used + body["total_fen"] > quota:
                raise StateChanged(
                    f"this invoice would pass the monthly issuing quota of "
                    f"{money.format_yuan(quota)} yuan ({money.format_yuan(used)} used)",
                    field="items",
                )
            sequence, block_end = state["next"], state["block_end"]
            try:
                if sequence is None or block_end is None or sequence > block_end:
                    sequence, block_end = self.repository.take_block(
                        seller.credit_code, series, state["next"])
                number = invoice_numbers.format_number(day.year, region, channel, sequence)
                document = self._document(seller, body, number, now, day)
                signature = self.signer.sign(document)
                self.repository.write_issued(
                    credit_code=seller.credit_code, series=series, sequence=sequence,
                    month=month, quota_fen=quota, document=document,
                    document_json=canonical_bytes(document).decode(),
                    signature=signature.as_dict(), facts=self._facts(document),
                    flush_original=flush_original,
                )
            except SequenceMoved:
                continue
            except QuotaExceeded:
                raise StateChanged("this invoice would pass the monthly issuing quota",
                                   field="items") from None
            return Issued({"document": document, "signature": signature.as_dict()})
        raise StateChanged("too many invoices issued at once by this seller; retry")

    @staticmethod
    def _document(seller: RegistrationRecord, body: dict[str, Any], number: str,
                  now: datetime, day: date) -> dict[str, Any]:
        return {
            "spec": SPEC,
            "number": number,
            "type": body["type"],
            "type_name": type_name(body["type"]),
            "issue_date": day.isoformat(),
            "issued_at": now.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "channel": body["channel"],
            "seller": {"credit_code": seller.credit_code, "name": seller.name,
                       "tax_office_code": seller.tax_office_code},
            "buyer": body["buyer"],
            "items": body["items"],
            "amount_fen": body["amount_fen"],
            "tax_fen": body["tax_fen"],
            "total_fen": body["total_fen"],
            "currency": "CNY",
            "remarks": body["remarks"],
            "red_letter_of": body["red_letter_of"],
            "qr": qr.for_invoice(body["type"], number, body["total_fen"], day),
        }

    @staticmethod
    def _facts(document: dict[str, Any]) -> dict[str, Any]:
        """Attributes stored beside the document (for indexes and the lottery)."""
        buyer = document["buyer"]
        return {
            "type": document["type"],
            "issue_date": document["issue_date"],
            "total_fen": document["total_fen"],
            "buyer_id": buyer.get("credit_code") or buyer.get("id_number"),
        }

    # -- reading and voiding --------------------------------------------------------------

    def envelope_for(self, principal: Principal, number: str) -> StoredInvoice:
        """The signed invoice, for its seller, its buyer, an officer of the seller's office,
        or an admin; anyone else is told it does not exist."""
        invoice = self.repository.get(number)
        if invoice is None:
            raise NotFound(f"no invoice {number}")
        document = invoice.document
        buyer = document["buyer"]
        allowed = (
            principal.role == "admin"
            or (principal.role == "taxpayer" and principal.subject in (
                document["seller"]["credit_code"], buyer.get("credit_code"),
                buyer.get("id_number")))
            or (principal.role == "officer"
                and principal.tax_office == document["seller"]["tax_office_code"])
        )
        if not allowed:
            raise NotFound(f"no invoice {number}")
        return invoice

    def held(self, principal: Principal, number: str) -> Held:
        """The signed invoice with its status, for whom :meth:`envelope_for` allows."""
        invoice = self.envelope_for(principal, number)
        return Held(document=invoice.document, signature=invoice.signature,
                    status=invoice.status, red_number=invoice.red_number)

    def void(self, principal: Principal, number: str) -> Voided:
        """Void an invoice: its seller, within the month of issue (Asia/Shanghai), while
        it is normal."""
        seller = self.seller_record(principal)
        invoice = self.repository.get(number)
        if invoice is None or invoice.document["seller"]["credit_code"] != seller.credit_code:
            raise NotFound(f"you have issued no invoice {number}")
        issued_month = invoice.document["issue_date"][:7].replace("-", "")
        month = f"{business_date(self.now()):%Y%m}"
        if issued_month != month:
            raise StateChanged(f"invoice {number} was issued in another month; issue a "
                               "red-letter invoice instead")
        if invoice.status != "normal" or invoice.document.get("red_letter_of"):
            raise StateChanged(f"invoice {number} cannot be voided (it is {invoice.status})")
        voided = self.repository.void(number, seller.credit_code, month)  # or StatusChanged
        return Voided(number=number, status=voided.status)

