"""The refund routes' logic: apply, read a case, an office's review queue, officer decisions.

A refund is due only from the platform's own records (:mod:`etax.refunds.sources`), never
from figures in the request:

* only a **registered** taxpayer applies — an enterprise in the registry, or a natural person
  registered online with the real-name check — and the refund account must be confirmed by
  the bank as the applicant's (the check registration uses);
* **general**: the request names one of the applicant's obligations; the refund is what its
  ledger leaves (confirmed payments − liability − refunded). **iit_annual**: the request
  names the year; the refund is what the applicant's filed annual return leaves. Both take
  the obligation's claim, so one case per obligation is open at a time, and the ledger
  records the refund when it is paid (:meth:`etax.refunds.pipeline.Pipeline.pay`);
* **export**: each line's input invoice must exist, be issued to the applicant, be neither
  voided, red-flushed nor red-letter, and be used in one refund only; the customs declaration
  is used once. Value and VAT come from the invoices; the rate from the rate table.

Which tax office a case belongs to (docs/decisions/0009-refund-pipeline.md): the office of
the obligation whose ledger pays it (filing decided it: the registry's, or a person's
prefecture office); for an export, the registry's office of the exporter.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from etax.acceptance.realname import AccountVerifier, VerifierUnavailable
from etax.acceptance.registration.records import RegistrationRecord, Status, TaxpayerType
from etax.errors import (
    Invalid,
    Malformed,
    NotFound,
    RealNameMismatch,
    Refused,
    StateChanged,
    Unavailable,
)
from etax.platform.auth import Principal, ensure_can_reach_taxpayer
from etax.refunds.cases import SUBMITTED, Case, Stage
from etax.refunds.pipeline import decide
from etax.refunds.repository import ClaimTaken, LedgerMoved, RefundRepository, decode_cursor
from etax.refunds.requests import (
    ExportRefundIn,
    GeneralRefundIn,
    IitAnnualRefundIn,
    RefundIn,
)
from etax.refunds.results import CaseView, OwnCase, OwnCases, QueuedCase, ReviewQueue
from etax.refunds.rules import (
    PurchaseLine,
    RateTable,
    RefundRuleError,
    export_refund,
    ledger_refund_fen,
)
from etax.refunds.sources import InputInvoices, Overpayment, Overpayments, People
from etax.rules import resident_id
from etax.rules.dates import business_date
from etax.rules.money import format_yuan

CASE_ID = re.compile(r"^RF[0-9]{8}[0-9A-F]{10}$")
MAX_PAGE = 100
IIT_ANNUAL = "iit_annual"
"""the tax type (and return kind) of the annual reconciliation in filing"""


class Registry(Protocol):
    def get(self, credit_code: str) -> RegistrationRecord | None: ...


@dataclass(frozen=True, slots=True)
class Applicant:
    subject: str
    kind: str  # enterprise | person
    name: str
    tax_office: str
    record: RegistrationRecord | None


def _claim(request: RefundIn) -> dict[str, Any]:
    """The request as shown back, without the account."""
    return request.model_dump(mode="json", exclude={"account"}, exclude_none=True)


def iit_obligation_id(person: str, year: int) -> str:
    return f"{person}:{IIT_ANNUAL}:{year}"


CLAIM_FIELDS = {"obligation": "obligation_id", "declaration": "declaration_number"}
# an application computed from a ledger a refund moved meanwhile is computed again this often
LEDGER_ATTEMPTS = 3


@dataclass
class RefundService:
    repository: RefundRepository
    registry: Registry
    people: People
    overpayments: Overpayments
    invoices: InputInvoices
    bank: AccountVerifier
    rates: RateTable = field(default_factory=RateTable.shipped)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    # -- applying ----------------------------------------------------------------------------

    def applicant(self, principal: Principal) -> Applicant:
        """The registered taxpayer behind the token: the registry's enterprise, or a natural
        person registered with the real-name check; anyone else registers first."""
        record = self.registry.get(principal.subject)
        if record is not None:
            return Applicant(principal.subject, "enterprise", record.name,
                             record.tax_office_code, record)
        if resident_id.is_valid(principal.subject):
            person = self.people.get(principal.subject)
            if person is not None:
                return Applicant(principal.subject, "person", person.name, person.tax_office,
                                 None)
            raise Invalid("a natural person applies for refunds once registered with "
                          "the real-name check: POST /v1/registration/natural-persons",
                          field="applicant")
        raise Invalid("the applicant is not a registered taxpayer: register first",
                      field="applicant")

    def _check_account(self, applicant: Applicant, number: str) -> None:
        """The bank confirms the account is held by the applicant (name and identity)."""
        try:
            verdict = self.bank.verify_account(name=applicant.name, id_number=applicant.subject,
                                               account=number)
        except VerifierUnavailable as error:
            raise Unavailable(f"the bank's account check is unavailable: {error}",
                              retry_after=30) from None
        if not verdict.matched:
            raise RealNameMismatch(f"the bank did not confirm the account as the applicant's: "
                                   f"{verdict.message}", field="account.number",
                                   extra={"reference": verdict.reference})

    def submit(self, principal: Principal, request: RefundIn) -> CaseView:
        applicant = self.applicant(principal)
        record = applicant.record
        if isinstance(request, IitAnnualRefundIn) and applicant.kind != "person":
            raise Invalid("the individual income tax annual refund is for natural "
                          "persons", field="kind")
        if isinstance(request, ExportRefundIn):
            if record is None:
                raise Invalid("export refunds are for registered exporters",
                              field="kind")
            if record.taxpayer_type is TaxpayerType.SMALL_SCALE:
                raise Invalid("small-scale exporters are exempt from VAT on exports, "
                              "not refunded", field="kind")
        now = self.now().astimezone(UTC)
        today = business_date(now)
        if isinstance(request, IitAnnualRefundIn) and request.year >= today.year:
            raise Invalid(f"the annual reconciliation of {request.year} opens after "
                          "that year has ended", field="year")
        if isinstance(request, ExportRefundIn) and request.export_date > today:
            raise Invalid("the export date is in the future", field="export_date")
        conditions: list[str] = []
        if record is not None and record.status is not Status.ACTIVE:
            conditions.append("registration_not_active")
        case, also = self._case(applicant, request, now, conditions)
        self._check_account(applicant, request.account.number)
        for attempt in range(LEDGER_ATTEMPTS):
            if attempt:  # a refund was recorded meanwhile: computed again from the ledger
                case, also = self._case(applicant, request, now, conditions)
            try:
                self.repository.create(case, also)
            except ClaimTaken as taken:
                raise self._taken(taken, request) from None
            except LedgerMoved:
                continue
            return case.view()
        raise StateChanged("the obligation's ledger kept changing while the application was "
                           "stored; send it again", field="obligation_id")

    def _case(self, applicant: Applicant, request: RefundIn, now: datetime,
              conditions: list[str]) -> tuple[Case, list[dict[str, Any]]]:
        """The new case, computed from the records as they are now, and the actions that keep
        its computation true in the transaction that stores it (the ledger unchanged)."""
        conditions = list(conditions)
        also: list[dict[str, Any]] = []
        try:
            if isinstance(request, ExportRefundIn):
                amount, computation, claims = self._export(applicant, request)
                office, obligation = applicant.tax_office, None
            else:
                found = self._obligation(applicant, request)
                amount, computation = self._from_ledger(found, request)
                claims = [f"open#obligation#{found.obligation_id}"]
                office, obligation = found.tax_office or applicant.tax_office, found.obligation_id
                also.append(self.overpayments.unchanged(found))
        except RefundRuleError as error:
            raise Invalid(error.reason, field=error.field) from None
        if computation.get("capped"):
            conditions.append("input_vat_cap_applied")
        today = business_date(now)
        at = now.isoformat()
        return Case(
            case_id=f"RF{today:%Y%m%d}{uuid.uuid4().hex[:10].upper()}",
            kind=request.kind, applicant=applicant.subject, applicant_kind=applicant.kind,
            tax_office=office, state=SUBMITTED, amount_fen=amount,
            claim=_claim(request), computation=computation,
            account_bank=request.account.bank, account_number=request.account.number,
            submitted_at=at, updated_at=at,
            trail=(Stage(SUBMITTED, at, applicant.subject),), conditions=tuple(conditions),
            obligation_id=obligation, claims=tuple(claims)), also

    @staticmethod
    def _taken(taken: ClaimTaken, request: RefundIn) -> StateChanged:
        _, what, value = taken.claim.split("#", 2)
        holder = f" (case {taken.holder})" if taken.holder else ""
        if what == "invoice":
            assert isinstance(request, ExportRefundIn)
            index = [line.invoice_number for line in request.lines].index(value)
            return StateChanged(f"input invoice {value} is used in another refund{holder}",
                                field=f"lines[{index}].invoice_number")
        if what == "obligation":
            field = "year" if isinstance(request, IitAnnualRefundIn) else "obligation_id"
            return StateChanged(f"a refund of {value} is open already{holder}: one case per "
                                "obligation at a time", field=field)
        return StateChanged(f"customs declaration {value} is used in another refund{holder}",
                            field=CLAIM_FIELDS.get(what, what))

    def _obligation(self, applicant: Applicant,
                    request: GeneralRefundIn | IitAnnualRefundIn) -> Overpayment:
        """The applicant's own obligation the request names, read from filing."""
        if isinstance(request, IitAnnualRefundIn):
            identifier, field = iit_obligation_id(applicant.subject, request.year), "year"
        else:
            identifier, field = request.obligation_id, "obligation_id"
        found = self.overpayments.get(identifier)
        if found is None or found.taxpayer != applicant.subject:
            what = (f"no filed annual reconciliation of {request.year}"
                    if isinstance(request, IitAnnualRefundIn) else f"no obligation {identifier}")
            raise RefundRuleError(field, f"{what} of yours in filing")
        if isinstance(request, IitAnnualRefundIn) and found.return_kind != IIT_ANNUAL:
            raise RefundRuleError(field, f"the annual reconciliation of {request.year} is not "
                                         "filed: file it first, the refund is the return's")
        if isinstance(request, GeneralRefundIn) and found.tax_type == IIT_ANNUAL:
            raise RefundRuleError("kind", "the annual reconciliation is refunded with kind "
                                          "iit_annual")
        if found.return_kind is None:
            raise RefundRuleError(field, f"no return is filed for {identifier}: nothing is "
                                         "overpaid before the liability is known")
        return found

    @staticmethod
    def _from_ledger(found: Overpayment, request: GeneralRefundIn | IitAnnualRefundIn
                     ) -> tuple[int, dict[str, Any]]:
        field = "year" if isinstance(request, IitAnnualRefundIn) else "obligation_id"
        refund = ledger_refund_fen(overpaid_fen=found.overpaid_fen,
                                   refund_due_fen=found.refund_due_fen,
                                   refunded_fen=found.refunded_fen, field=field)
        return refund, {
            "rule": "overpaid + refund due by the return - refunded (the filing ledger)",
            "obligation_id": found.obligation_id,
            "paid": format_yuan(found.paid_fen), "liability": format_yuan(found.liability_fen),
            "overpaid": format_yuan(found.overpaid_fen),
            "refund_due": format_yuan(found.refund_due_fen),
            "refunded": format_yuan(found.refunded_fen), "refund": format_yuan(refund)}

    def _export(self, applicant: Applicant, request: ExportRefundIn
                ) -> tuple[int, dict[str, Any], list[str]]:
        lines: list[PurchaseLine] = []
        seen: set[str] = set()
        for index, line in enumerate(request.lines):
            field = f"lines[{index}].invoice_number"
            if line.invoice_number in seen:
                raise RefundRuleError(field, f"input invoice {line.invoice_number} is listed "
                                             "twice")
            seen.add(line.invoice_number)
            invoice = self.invoices.get(line.invoice_number)
            if invoice is None:
                raise RefundRuleError(field, f"no invoice {line.invoice_number} was issued")
            if invoice.buyer_id != applicant.subject:
                raise RefundRuleError(field, f"invoice {line.invoice_number} was not issued "
                                             "to you")
            if invoice.red_letter or invoice.status != "normal":
                state = "a red-letter invoice" if invoice.red_letter else invoice.status
                raise RefundRuleError(field, f"invoice {line.invoice_number} is {state}: "
                                             "it supports no refund")
            lines.append(PurchaseLine(line.product_code, invoice.amount_fen, invoice.tax_fen))
        result = export_refund(lines, self.rates, request.export_date)
        computation = {
            "rule": "min(purchase_amount x rate, input_vat) per line, both from the invoice",
            "table_version": result.table_version,
            "lines": [{"product_code": line.product_code, "invoice_number": given.invoice_number,
                       "purchase_amount": format_yuan(bought.purchase_fen),
                       "input_vat": format_yuan(bought.input_vat_fen), "rate": f"{line.rate:f}",
                       "computed": format_yuan(line.computed_fen),
                       "refund": format_yuan(line.refund_fen), "capped": line.capped}
                      for line, given, bought in zip(result.lines, request.lines, lines,
                                                     strict=True)],
            "capped": any(line.capped for line in result.lines),
            "refund": format_yuan(result.total_fen),
        }
        claims = [f"used#declaration#{request.declaration_number}",
                  *(f"used#invoice#{line.invoice_number}" for line in request.lines)]
        return result.total_fen, computation, claims

    # -- reading -----------------------------------------------------------------------------

    def _reachable(self, principal: Principal, case_id: str) -> Case:
        case = self.repository.get(case_id) if CASE_ID.fullmatch(case_id) else None
        if case is None:
            raise NotFound(f"no refund case {case_id}", field="case_id")
        ensure_can_reach_taxpayer(principal, case.applicant, case.tax_office)
        return case

    def view(self, principal: Principal, case_id: str) -> CaseView:
        return self._reachable(principal, case_id).view()

    def list_cases(self, principal: Principal, *, state: str | None, office: str | None,
                   limit: str | None, cursor: str | None) -> OwnCases | ReviewQueue:
        """A taxpayer: its own cases, newest first. An officer: the cases of its tax office
        waiting for review (``state=review``, the default), oldest first; an admin names
        the office."""
        size = 20
        if limit is not None:
            if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE:
                raise Malformed(f"limit is 1-{MAX_PAGE}", field="limit")
            size = int(limit)
        if principal.role == "taxpayer":
            if state is not None or office is not None:
                raise Malformed("a taxpayer lists all its own cases: no filters",
                                field="state" if state is not None else "tax_office")
            own, next_cursor = self.repository.of_applicant(
                principal.subject, limit=size,
                cursor=self._cursor(cursor, "applicant", principal.subject))
            return OwnCases(
                applicant=principal.subject, cursor=next_cursor,
                items=[OwnCase(id=c.case_id, kind=c.kind, state=c.state,
                               amount=format_yuan(c.amount_fen), tax_office=c.tax_office,
                               submitted_at=c.submitted_at, updated_at=c.updated_at)
                       for c in own])
        if state not in (None, "review"):
            raise Invalid("officers list the review queue: state=review", field="state")
        if principal.role == "officer":
            if office not in (None, principal.tax_office):
                raise Refused("officers list the queue of their own tax office")
            office = principal.tax_office
        elif principal.role != "admin":
            raise Refused("refund cases are listed for taxpayers, officers and admins")
        if not office:
            raise Malformed("name the tax office: tax_office=<code>", field="tax_office")
        cases, next_cursor = self.repository.review_queue(
            office, limit=size, cursor=self._cursor(cursor, "review_office", office))
        return ReviewQueue(
            tax_office=office,
            items=[QueuedCase(id=c.case_id, kind=c.kind, applicant=c.applicant,
                              amount=format_yuan(c.amount_fen), flags=list(c.flags),
                              submitted_at=c.submitted_at) for c in cases],
            cursor=next_cursor)

    @staticmethod
    def _cursor(cursor: str | None, partition: str, value: str) -> dict[str, Any] | None:
        """The start key a cursor stands for; 400 unless it comes from this very list."""
        if not cursor:
            return None
        try:
            start = decode_cursor(cursor, partition)
        except ValueError:
            start = None
        if start is None or start[partition] != value:
            raise Malformed("this cursor does not come from this list", field="cursor")
        return start

    # -- officers ----------------------------------------------------------------------------

    def decide(self, principal: Principal, case_id: str, *, approve: bool,
               note: str | None) -> CaseView:
        case = self._reachable(principal, case_id)
        if principal.role != "officer":
            raise Refused("decisions on refund cases are taken by officers")
        decided = decide(self.repository, case, approve=approve,
                         officer=f"officer:{principal.subject}",
                         at=self.now().astimezone(UTC).isoformat(), note=note)
        if decided is None:
            raise StateChanged(f"case {case_id} is {case.state}, not waiting for review",
                               field="case_id")
        return decided.view()
