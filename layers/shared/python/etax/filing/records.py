"""Confirmed payments as the tax payment certificate reads them
(:class:`etax.certificates.payments.PaymentRecords`).

One Query on the sparse ``by_payer`` index per certificate
(:meth:`etax.filing.repository.FilingRepository.confirmed_payments`). Each confirmed payment is
one record: the tax and the surcharge it paid (an overpaid remainder is not tax and is left
out), the period of the obligation it paid, the payment date in Asia/Shanghai, and the payment
id as the voucher number (it is also the receipt's number).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from etax.certificates.payments import PaymentRecord
from etax.filing import deadlines
from etax.filing.repository import Payment


class Repository(Protocol):
    def confirmed_payments(self, taxpayer: str, start: date, end: date) -> list[Payment]: ...


def record_of(payment: Payment) -> PaymentRecord | None:
    """The certificate's record of a confirmed payment (None if it paid no tax or surcharge)."""
    if payment.allocation is None or payment.paid_on is None:
        return None
    paid = payment.allocation.tax_fen + payment.allocation.surcharge_fen
    if paid <= 0:
        return None
    period = deadlines.parse_period(payment.period)
    return PaymentRecord(
        payment_id=payment.payment_id, taxpayer=payment.taxpayer, tax_kind=payment.tax_type,
        tax_kind_name=deadlines.tax_types()[payment.tax_type]["label"],
        period_start=period.start, period_end=period.end,
        paid_on=date.fromisoformat(payment.paid_on), amount_fen=paid,
        voucher=payment.payment_id, tax_office_code=payment.tax_office or "")


class FilingPaymentRecords:
    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    def paid(self, taxpayer: str, start: date, end: date) -> Sequence[PaymentRecord]:
        records = (record_of(p) for p in self.repository.confirmed_payments(taxpayer, start, end))
        return [r for r in records if r is not None]
