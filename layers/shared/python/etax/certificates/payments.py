"""The payment records a tax payment certificate lists, behind a small interface.

The filing-and-payment service (plan action B5) records payments; the certificate reads
them through :class:`PaymentRecords` only. Until that service is deployed the functions
use :class:`PaymentRecordsNotConnected`, which answers 503 and issues nothing.

What the payment service must supply (one implementation of :class:`PaymentRecords`):
``paid(taxpayer, start, end)`` → every *confirmed* payment of ``taxpayer`` (credit code or
resident ID) whose payment date (Asia/Shanghai) is in ``start`` .. ``end``, as
:class:`PaymentRecord` — a stable ``payment_id``, the tax kind code and its Chinese name,
the tax period paid for (first and last day), the payment date, the amount in integer fen
(> 0; refunds are not payments), the voucher number of the payment (电子缴款凭证号) and the
tax office that collected it. Read by key, no scans (e.g. a ``by_taxpayer`` index sorted by
payment date).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from etax.certificates.rules import PaymentRecord
from etax.errors import Unavailable

__all__ = ["InMemoryPaymentRecords", "PaymentRecord", "PaymentRecords",
           "PaymentRecordsNotConnected"]


class PaymentRecords(Protocol):
    def paid(self, taxpayer: str, start: date, end: date) -> Sequence[PaymentRecord]: ...


class PaymentRecordsNotConnected:
    """The stand-in until the payment service provides its records."""

    def paid(self, taxpayer: str, start: date, end: date) -> Sequence[PaymentRecord]:
        raise Unavailable("tax payment records are not connected yet: the tax payment "
                          "certificate is issued once the payment service provides them",
                          field="kind")


class InMemoryPaymentRecords:
    """Payment records held in memory (tests, demos)."""

    def __init__(self, records: Sequence[PaymentRecord]) -> None:
        self.records = list(records)

    def paid(self, taxpayer: str, start: date, end: date) -> Sequence[PaymentRecord]:
        return [r for r in self.records
                if r.taxpayer == taxpayer and start <= r.paid_on <= end]
