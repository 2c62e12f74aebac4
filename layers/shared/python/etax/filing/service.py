"""Filing and payment: obligations, returns with the tax computed, payments confirmed by signed
provider callbacks, receipts."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol, cast

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import ValidationError

from etax import errors
from etax.acceptance.registration.records import RegistrationRecord
from etax.documents.signing import Signature
from etax.filing import calculation, deadlines, payments
from etax.filing.ledger import Ledger
from etax.filing.repository import (
    CONFIRMED,
    FILED,
    OPEN,
    PENDING,
    Obligation,
    Payment,
    PaymentLine,
    StateChanged,
    obligation_id,
)
from etax.filing.requests import ObligationRequest, PaymentRequest, ReturnRequest
from etax.filing.results import (
    Allocation,
    CallbackOutcome,
    FiledReturn,
    Liability,
    ObligationPayment,
    Obligations,
    ObligationView,
    PaymentView,
    Receipt,
)
from etax.platform.auth import Principal, ensure_can_reach_taxpayer
from etax.platform.observability import logger, metrics
from etax.platform.partners import MissingAdapter
from etax.rules import money, resident_id, uscc
from etax.rules.dates import business_date
from etax.rules.tax_offices import prefecture_office

RECEIPT_SPEC = "etax-payment-receipt/1"
CONFIRM_ATTEMPTS = 5


class Repository(Protocol):
    def create_obligation(self, obligation: Obligation) -> None: ...

    def get_obligation(self, identifier: str, *, consistent: bool = False
                       ) -> Obligation | None: ...

    def obligations_of(self, taxpayer: str) -> list[Obligation]: ...

    def payments_of(self, taxpayer: str) -> list[PaymentLine]: ...

    def file_return(self, obligation: Obligation, *, kind: str, answer: dict[str, Any],
                    ledger: Ledger, filed_at: str, filed_by: str) -> None: ...

    def create_payment(self, payment: Payment) -> None: ...

    def get_payment(self, payment_id: str, *, consistent: bool = False) -> Payment | None: ...

    def confirm_payment(self, payment: Payment, obligation: Obligation, after: Ledger,
                        allocation: Any, *, provider_ref: str, confirmed_at: str,
                        paid_on: date) -> None: ...

    def fail_payment(self, payment_id: str, *, provider_ref: str, at: str) -> bool: ...


class Registry(Protocol):
    def get(self, credit_code: str) -> RegistrationRecord | None: ...


class Signer(Protocol):
    def sign(self, document: dict[str, Any]) -> Signature: ...


@dataclass
class FilingService:
    repository: Repository
    registry: Registry | None
    signer: Signer | None = None
    callback_master: Callable[[], bytes] | None = None
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    # What each payment method tells the taxpayer to do: the payment providers' adapters,
    # chosen by the function's wiring (PAYMENT_PROVIDER); none by default, so a start of a
    # payment fails closed (503 naming the partner) where no provider is wired.
    instructions: Mapping[str, payments.Adapter] = field(
        default_factory=lambda: cast(Mapping[str, payments.Adapter],
                                     MissingAdapter("payment", None)))

    def today(self) -> date:
        return business_date(self.now())

    # -- obligations ---------------------------------------------------------------------

    def _office_of(self, principal: Principal, request: ObligationRequest) -> str | None:
        """The office in charge: the registry's; a natural person's prefecture office; for a
        credit code not in the registry, the creating officer's office or the one an admin
        names. A taxpayer never chooses its own office."""
        record = self.registry.get(request.taxpayer) \
            if self.registry is not None and uscc.is_valid(request.taxpayer) else None
        if record is not None:
            return record.tax_office_code
        if resident_id.is_valid(request.taxpayer):
            return prefecture_office(request.taxpayer)
        if principal.role == "taxpayer":
            raise errors.Invalid("this credit code is not in the registry: register first, or "
                                 "ask your tax office to open the obligation", field="taxpayer")
        if principal.role == "officer":
            return request.tax_office or principal.tax_office
        return request.tax_office

    def create_obligation(self, principal: Principal, request: ObligationRequest
                          ) -> ObligationView:
        """By the taxpayer for itself, an officer for its tax office, or an admin."""
        try:
            due = deadlines.deadline(request.tax_type, request.period)
        except deadlines.PeriodError as error:
            raise errors.Invalid(f"{error.field}: {error.reason}", field=error.field) from None
        if principal.role not in ("taxpayer", "officer", "admin"):
            raise errors.Refused("obligations are created by the taxpayer, an officer or an admin")
        office = self._office_of(principal, request)
        ensure_can_reach_taxpayer(principal, request.taxpayer, office)
        identifier = obligation_id(request.taxpayer, request.tax_type, due.period.text)
        obligation = Obligation(
            obligation_id=identifier, taxpayer=request.taxpayer, tax_office=office,
            tax_type=request.tax_type, period=due.period.text, due_date=due.due_date,
            statutory_due=due.statutory, extension=due.how, status=OPEN, version=1,
            created_by=f"{principal.role}:{principal.subject}",
            created_at=self.now().astimezone(UTC).isoformat())
        self.repository.create_obligation(obligation)  # one that exists: ObligationExists
        return self.view(obligation, calendar_known=due.calendar_known)

    def _reachable(self, principal: Principal, identifier: str,
                   *, consistent: bool = False) -> Obligation:
        obligation = self.repository.get_obligation(identifier, consistent=consistent)
        if obligation is None:
            raise errors.NotFound(f"no obligation {identifier}", field="obligation_id")
        ensure_can_reach_taxpayer(principal, obligation.taxpayer, obligation.tax_office)
        return obligation

    def obligation_view(self, principal: Principal, identifier: str) -> ObligationView:
        obligation = self._reachable(principal, identifier)
        return self.view(obligation, payments=self._payments(obligation.taxpayer))

    def list_obligations(self, principal: Principal, taxpayer: str | None) -> Obligations:
        taxpayer = taxpayer or principal.subject
        found = self.repository.obligations_of(taxpayer)
        if principal.role == "officer":
            found = [o for o in found if o.tax_office == principal.tax_office]
            if not found:
                ensure_can_reach_taxpayer(principal, taxpayer, None)
        else:
            ensure_can_reach_taxpayer(principal, taxpayer, None)
        paid = self._payments(taxpayer) if found else {}
        return Obligations(taxpayer=taxpayer,
                           obligations=[self.view(o, payments=paid) for o in found])

    def _payments(self, taxpayer: str) -> dict[str, list[ObligationPayment]]:
        """The taxpayer's payments by obligation, oldest first (one Query)."""
        by_obligation: dict[str, list[ObligationPayment]] = {}
        for line in self.repository.payments_of(taxpayer):
            by_obligation.setdefault(line.obligation_id, []).append(ObligationPayment(
                payment_id=line.payment_id, method=line.method,
                amount=money.format_yuan(line.amount_fen), status=line.status,
                created_at=line.created_at, confirmed_at=line.confirmed_at,
                receipt=(f"/v1/filing/payments/{line.payment_id}/receipt"
                         if line.status == CONFIRMED else None)))
        return by_obligation

    def view(self, obligation: Obligation, *, calendar_known: bool | None = None,
             payments: Mapping[str, list[ObligationPayment]] | None = None) -> ObligationView:
        """The obligation as answered; ``calendar_known`` only in the answer creating it,
        ``payments`` (the taxpayer's, by obligation) in the list and the view."""
        filed = None if obligation.return_kind is None else FiledReturn(
            kind=obligation.return_kind, computation=obligation.return_answer,
            filed_at=obligation.filed_at)
        liability = None if obligation.ledger is None else liability_view(
            obligation.ledger, self.today(), paid_at=obligation.paid_at)
        return ObligationView(
            obligation_id=obligation.obligation_id, taxpayer=obligation.taxpayer,
            tax_office=obligation.tax_office, tax_type=obligation.tax_type,
            period=obligation.period, due_date=obligation.due_date.isoformat(),
            statutory_due_date=obligation.statutory_due.isoformat(),
            extension=obligation.extension, status=obligation.status, filed_return=filed,
            liability=liability, calendar_known=calendar_known,
            payments=None if payments is None else payments.get(obligation.obligation_id, []))

    # -- returns -------------------------------------------------------------------------

    def file_return(self, principal: Principal, identifier: str,
                    request: ReturnRequest) -> ObligationView:
        """Compute the tax through the return kind's calculator; open → filed; a liability."""
        obligation = self._reachable(principal, identifier, consistent=True)
        if principal.role != "taxpayer" and principal.role != "admin":
            raise errors.Refused("a return is filed by the taxpayer")
        accepted = deadlines.tax_types()[obligation.tax_type]["returns"]
        if request.kind not in accepted:
            raise errors.Invalid(f"kind: a {obligation.tax_type} obligation is filed with "
                                 f"{' or '.join(accepted)}, not {request.kind!r}", field="kind")
        if obligation.status != OPEN:
            raise errors.StateChanged(f"the obligation {identifier} is {obligation.status} already",
                                      field="obligation_id")
        self._check_vat_regime(obligation.taxpayer, request.kind)
        period = deadlines.parse_period(obligation.period)
        computation = calculation.compute(request, period=period)
        ledger = Ledger(due_date=obligation.due_date, tax_fen=computation.tax_fen,
                        refund_due_fen=computation.refund_fen)
        try:
            self.repository.file_return(obligation, kind=request.kind,
                                        answer=computation.answer, ledger=ledger,
                                        filed_at=self.now().astimezone(UTC).isoformat(),
                                        filed_by=f"{principal.role}:{principal.subject}")
        except StateChanged:
            raise errors.StateChanged(f"the obligation {identifier} was filed meanwhile",
                                      field="obligation_id") from None
        filed = self.repository.get_obligation(identifier, consistent=True)
        assert filed is not None
        return self.view(filed)

    def _check_vat_regime(self, taxpayer: str, kind: str) -> None:
        """A registered taxpayer files the VAT return of its regime (general or small-scale)."""
        if self.registry is None or not kind.startswith("vat_") or not uscc.is_valid(taxpayer):
            return
        record = self.registry.get(taxpayer)
        if record is not None and kind != f"vat_{record.taxpayer_type.value}":
            raise errors.Invalid(f"kind: {taxpayer} is registered as a "
                                 f"{record.taxpayer_type.label}; it files "
                                 f"vat_{record.taxpayer_type.value}", field="kind")

    # -- payments ------------------------------------------------------------------------

    def start_payment(self, principal: Principal, identifier: str,
                      request: PaymentRequest) -> PaymentView:
        obligation = self._reachable(principal, identifier, consistent=True)
        if obligation.status != FILED or obligation.ledger is None:
            raise errors.StateChanged(f"the obligation {identifier} has nothing to pay "
                                      f"(status {obligation.status})", field="obligation_id")
        amount = money.parse_yuan(request.amount)
        outstanding = obligation.ledger.outstanding_fen(self.today())
        if amount > outstanding:
            raise errors.Invalid(f"amount: {request.amount} is more than the "
                                 f"{money.format_yuan(outstanding)} outstanding today",
                                 field="amount")
        payment_id = f"pay-{uuid.uuid4().hex}"
        payment = Payment(
            payment_id=payment_id, obligation_id=identifier, taxpayer=obligation.taxpayer,
            tax_office=obligation.tax_office, tax_type=obligation.tax_type,
            period=obligation.period, method=request.method, amount_fen=amount,
            status=PENDING,
            instruction=self.instructions[request.method].instruction(payment_id, amount),
            created_at=self.now().astimezone(UTC).isoformat(),
            created_by=f"{principal.role}:{principal.subject}")
        self.repository.create_payment(payment)
        return payment_view(payment)

    def _reachable_payment(self, principal: Principal, payment_id: str) -> Payment:
        payment = self.repository.get_payment(payment_id)
        if payment is None:
            raise errors.NotFound(f"no payment {payment_id}", field="payment_id")
        ensure_can_reach_taxpayer(principal, payment.taxpayer, payment.tax_office)
        return payment

    def payment_view(self, principal: Principal, payment_id: str) -> PaymentView:
        return payment_view(self._reachable_payment(principal, payment_id))

    def receipt(self, principal: Principal, payment_id: str) -> Receipt:
        """The signed receipt of a confirmed payment (envelope: document + signature)."""
        payment = self._reachable_payment(principal, payment_id)
        if payment.status != CONFIRMED or payment.allocation is None:
            raise errors.StateChanged(f"payment {payment_id} is {payment.status}; a receipt "
                                      "exists once the provider confirmed it",
                                      field="payment_id")
        obligation = self.repository.get_obligation(payment.obligation_id)
        assert obligation is not None
        document = {
            "spec": RECEIPT_SPEC,
            "receipt_number": payment.payment_id,
            "taxpayer": payment.taxpayer,
            "tax_office": payment.tax_office,
            "obligation_id": payment.obligation_id,
            "tax_type": obligation.tax_type,
            "tax_type_name": deadlines.tax_types()[obligation.tax_type]["label"],
            "period": obligation.period,
            "method": payment.method,
            "amount": money.format_yuan(payment.amount_fen),
            "allocated": {"tax": money.format_yuan(payment.allocation.tax_fen),
                          "surcharge": money.format_yuan(payment.allocation.surcharge_fen),
                          "overpaid": money.format_yuan(payment.allocation.overpaid_fen)},
            "days_late": payment.allocation.days_late,
            "provider_ref": payment.provider_ref,
            "confirmed_at": payment.confirmed_at,
            "paid_on": payment.paid_on,
        }
        signature = None if self.signer is None else self.signer.sign(document).as_dict()
        return Receipt(document=document, signature=signature)

    # -- provider callbacks --------------------------------------------------------------

    def callback(self, method: str, body: bytes, signature: str | None) -> CallbackOutcome:
        """A provider's signed confirmation; replays and races change nothing."""
        if self.callback_master is None:
            raise errors.Fault("payment callbacks are not configured here")
        if method not in payments.METHODS:
            raise errors.NotFound(f"no payment method {method}", field="method")
        if not payments.signature_valid(self.callback_master(), method, body, signature):
            raise errors.Refused(f"the {payments.SIGNATURE_HEADER} signature does not match",
                                 field=payments.SIGNATURE_HEADER)
        try:
            callback = payments.Callback.model_validate_json(body)
        except ValidationError as error:
            if any(e.get("type") == "json_invalid" for e in error.errors()):
                raise errors.Malformed("the callback body is not JSON", field="body") from None
            raise errors.invalid_from(error.errors(), prefix=("body",)) from None
        for _ in range(CONFIRM_ATTEMPTS):
            payment = self.repository.get_payment(callback.payment_id, consistent=True)
            if payment is None or payment.method != method:
                raise errors.NotFound(f"no {method} payment {callback.payment_id}",
                                      field="payment_id")
            if payment.status != PENDING:
                return CallbackOutcome(payment_id=payment.payment_id, status=payment.status,
                                       changed=False)
            if callback.amount_fen != payment.amount_fen:
                raise errors.Invalid(f"amount: {callback.amount} is not the "
                                     f"{money.format_yuan(payment.amount_fen)} of the payment",
                                     field="amount")
            self._check_confirmation_time(payment, callback)
            at = callback.confirmed_at.astimezone(UTC).isoformat()
            if callback.status == "failed":
                changed = self.repository.fail_payment(payment.payment_id,
                                                       provider_ref=callback.provider_ref, at=at)
                return CallbackOutcome(payment_id=payment.payment_id, status="failed",
                                       changed=changed)
            obligation = self.repository.get_obligation(payment.obligation_id, consistent=True)
            if obligation is None or obligation.ledger is None:
                raise errors.Fault(f"payment {payment.payment_id} is for an obligation with "
                                   "no liability")
            paid_on = business_date(callback.confirmed_at)
            after, allocation = obligation.ledger.pay(payment.amount_fen, paid_on)
            try:
                self.repository.confirm_payment(payment, obligation, after, allocation,
                                                provider_ref=callback.provider_ref,
                                                confirmed_at=at, paid_on=paid_on)
            except StateChanged:
                continue  # a replay (seen next round) or another payment moved the ledger
            return CallbackOutcome(payment_id=payment.payment_id, status=CONFIRMED, changed=True)
        raise errors.StateChanged("the liability kept changing; the provider should retry",
                                  field="payment_id")


    def _check_confirmation_time(self, payment: Payment, callback: payments.Callback) -> None:
        """422 (and the alarm's metric) unless the provider's time can be true
        (:func:`etax.filing.payments.confirmation_time_problem`)."""
        problem = payments.confirmation_time_problem(
            callback.confirmed_at, created_at=datetime.fromisoformat(payment.created_at),
            received_at=self.now())
        if problem is None:
            return
        metrics.add_metric(name=payments.REFUSED_TIME_METRIC, unit=MetricUnit.Count, value=1)
        logger.warning("payment callback refused: impossible confirmation time",
                       extra={"payment_id": payment.payment_id, "method": payment.method,
                              "provider_ref": callback.provider_ref[:80], "reason": problem})
        raise errors.Invalid(f"{problem}: a confirmation is accepted between the payment's "
                             f"creation and the callback's arrival (± "
                             f"{int(payments.CLOCK_SKEW.total_seconds() // 60)} minutes)",
                             field="confirmed_at")


def liability_view(ledger: Ledger, today: date, *, paid_at: str | None) -> Liability:
    accrued = ledger.accrued_to(today)
    return Liability(
        tax=money.format_yuan(ledger.tax_fen),
        tax_paid=money.format_yuan(ledger.tax_paid_fen),
        tax_outstanding=money.format_yuan(ledger.tax_outstanding_fen),
        surcharge=money.format_yuan(accrued.surcharge_accrued_fen),
        surcharge_paid=money.format_yuan(ledger.surcharge_paid_fen),
        surcharge_outstanding=money.format_yuan(
            accrued.surcharge_accrued_fen - accrued.surcharge_paid_fen),
        outstanding=money.format_yuan(ledger.outstanding_fen(today)),
        overpaid=money.format_yuan(ledger.overpaid_fen),
        refund_due=money.format_yuan(ledger.refund_due_fen),
        refunded=money.format_yuan(ledger.refunded_fen),
        refundable=money.format_yuan(ledger.refundable_fen),
        days_late=max((today - ledger.due_date).days, 0) if ledger.tax_outstanding_fen else 0,
        as_of=today.isoformat(),
        paid_at=paid_at,
    )


def payment_view(payment: Payment) -> PaymentView:
    allocation = None if payment.allocation is None else Allocation(
        tax=money.format_yuan(payment.allocation.tax_fen),
        surcharge=money.format_yuan(payment.allocation.surcharge_fen),
        overpaid=money.format_yuan(payment.allocation.overpaid_fen),
        days_late=payment.allocation.days_late)
    return PaymentView(
        payment_id=payment.payment_id, obligation_id=payment.obligation_id,
        taxpayer=payment.taxpayer, method=payment.method,
        amount=money.format_yuan(payment.amount_fen), status=payment.status,
        instruction=payment.instruction, created_at=payment.created_at,
        provider_ref=payment.provider_ref, confirmed_at=payment.confirmed_at,
        paid_on=payment.paid_on, allocation=allocation)
