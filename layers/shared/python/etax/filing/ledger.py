"""A liability's arithmetic: the late-payment surcharge and how a payment is allocated.

Pure: no AWS, integer fen only.

**The surcharge** (滞纳金, rate as data: :func:`etax.filing.deadlines.surcharge_rate`, 0.05 % a
day) runs from the day after the deadline to the day of payment, both included, on the tax
still outstanding. A liability keeps how much surcharge has accrued (``surcharge_accrued_fen``)
through which day (``accrued_through``); every stretch of days with the same outstanding tax is
computed exactly and **rounded half up to the fen** once, at the end of the stretch (a payment
ends a stretch). So a tax of 10,000.00 paid 10 days late carries 10,000.00 × 0.0005 × 10 = 50.00.

**Allocation** (the project's choice; no source found): a confirmed payment goes first to
the tax, then to the surcharge; what is left over is recorded as overpaid (for the refund
pipeline), never lost. Paying the tax first stops the surcharge from growing.

**Refunds** come from this ledger only (:mod:`etax.refunds`): what may be refunded is the
overpaid remainder of the confirmed payments plus a refund the return itself computed (the
individual income tax annual reconciliation's ``to_refund``), less what was refunded already —
``refundable = overpaid + refund_due − refunded``. ``refunded`` grows only in the transaction
that records a refund as paid, under the condition that it still holds the value the refund
was checked against, so the sum refunded never passes what the ledger shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from etax.filing.deadlines import surcharge_rate


@dataclass(frozen=True, slots=True)
class Ledger:
    """The money side of a filed return."""

    due_date: date
    tax_fen: int
    tax_paid_fen: int = 0
    surcharge_accrued_fen: int = 0
    surcharge_paid_fen: int = 0
    overpaid_fen: int = 0
    accrued_through: date | None = None  # None: no surcharge counted yet (up to the due date)
    refund_due_fen: int = 0
    """a refund the return computed (the IIT annual reconciliation's ``to_refund``)"""
    refunded_fen: int = 0
    """refunds paid from this ledger (recorded with the refund's payment)"""

    @property
    def refundable_fen(self) -> int:
        """What a refund may still take: ``overpaid + refund_due − refunded``."""
        return self.overpaid_fen + self.refund_due_fen - self.refunded_fen

    @property
    def tax_outstanding_fen(self) -> int:
        return self.tax_fen - self.tax_paid_fen

    def surcharge_between(self, start_exclusive: date, end_inclusive: date) -> int:
        """Surcharge on the outstanding tax for the days after ``start`` through ``end``."""
        days = (end_inclusive - start_exclusive).days
        if days <= 0 or self.tax_outstanding_fen <= 0:
            return 0
        exact = Decimal(self.tax_outstanding_fen) * surcharge_rate(end_inclusive) * days
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def accrued_to(self, on: date) -> Ledger:
        """This ledger with the surcharge counted through ``on`` (unchanged before the due date
        or for a day already counted)."""
        start = max(self.due_date, self.accrued_through or self.due_date)
        if on <= start:
            return self
        return replace(self, surcharge_accrued_fen=self.surcharge_accrued_fen
                       + self.surcharge_between(start, on), accrued_through=on)

    def surcharge_outstanding_fen(self, on: date) -> int:
        accrued = self.accrued_to(on)
        return accrued.surcharge_accrued_fen - accrued.surcharge_paid_fen

    def outstanding_fen(self, on: date) -> int:
        """Everything owed if paid on ``on``: the tax and the surcharge through that day."""
        return self.tax_outstanding_fen + self.surcharge_outstanding_fen(on)

    def settled(self) -> bool:
        return self.tax_outstanding_fen == 0 and \
            self.surcharge_accrued_fen == self.surcharge_paid_fen

    def pay(self, amount_fen: int, on: date) -> tuple[Ledger, Allocation]:
        """Apply a payment confirmed on ``on``: tax first, then surcharge, then overpaid."""
        if amount_fen <= 0:
            raise ValueError("a payment is a positive amount")
        ledger = self.accrued_to(on)
        to_tax = min(amount_fen, ledger.tax_outstanding_fen)
        to_surcharge = min(amount_fen - to_tax,
                           ledger.surcharge_accrued_fen - ledger.surcharge_paid_fen)
        over = amount_fen - to_tax - to_surcharge
        after = replace(ledger, tax_paid_fen=ledger.tax_paid_fen + to_tax,
                        surcharge_paid_fen=ledger.surcharge_paid_fen + to_surcharge,
                        overpaid_fen=ledger.overpaid_fen + over)
        return after, Allocation(tax_fen=to_tax, surcharge_fen=to_surcharge, overpaid_fen=over,
                                 days_late=max((on - self.due_date).days, 0))


@dataclass(frozen=True, slots=True)
class Allocation:
    tax_fen: int
    surcharge_fen: int
    overpaid_fen: int
    days_late: int
