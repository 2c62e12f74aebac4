"""What a refund is due from: the platform's own records, each behind a port.

A refund never pays a figure the applicant states. Each kind reads its amount from the
records of the context that owns them; the adapter is chosen at the edge (the handlers):

* **general** and **iit_annual** — the filing ledger of one obligation
  (:class:`Overpayments`, served by :class:`etax.filing.refunds.FilingOverpayments`): the
  overpaid remainder of its confirmed payments plus a refund its return computed, less what
  was refunded already. The refund is recorded in that ledger by the same transaction that
  records the case as paid (:meth:`Overpayments.record_refund` gives that transaction's
  action), conditional on the ledger's ``refunded`` still being what the refund was checked
  against;
* **export** — the input invoices in the national invoice records (:class:`InputInvoices`,
  served by :class:`etax.invoices.inputs.InvoiceInputs`): issued to the applicant, neither
  voided nor red-flushed, their value and VAT as issued;
* the **applicant** — the registry for enterprises, the natural-person registrations of
  online acceptance for persons (:class:`People`, served by
  :class:`etax.acceptance.people.RegisteredPeople`), and a bank's check that the account is
  the applicant's (:class:`etax.acceptance.realname.AccountVerifier`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Overpayment:
    """An obligation's ledger as a refund sees it (integer fen)."""

    obligation_id: str
    taxpayer: str
    tax_office: str | None
    tax_type: str
    period: str
    return_kind: str | None
    """``None`` while no return is filed"""
    paid_fen: int
    """every confirmed payment: tax, surcharge and the overpaid remainder"""
    liability_fen: int
    """the return's tax and the surcharge paid"""
    overpaid_fen: int
    refund_due_fen: int
    refunded_fen: int

    @property
    def refundable_fen(self) -> int:
        return self.overpaid_fen + self.refund_due_fen - self.refunded_fen


class Overpayments(Protocol):
    def get(self, obligation_id: str) -> Overpayment | None:
        """The obligation's ledger, read consistently; None if there is no such obligation."""
        ...

    def unchanged(self, overpayment: Overpayment) -> dict[str, Any]:
        """The ``TransactWriteItems`` action (a ``ConditionCheck``) that holds while the
        ledger's refunded sum is still ``overpayment.refunded_fen``."""
        ...

    def record_refund(self, overpayment: Overpayment, amount_fen: int) -> dict[str, Any]:
        """The ``TransactWriteItems`` action that adds ``amount_fen`` to the ledger's
        refunded sum, conditional on it still being ``overpayment.refunded_fen``; ValueError if
        the amount is more than ``overpayment`` leaves refundable."""
        ...


@dataclass(frozen=True, slots=True)
class InputInvoice:
    number: str
    buyer_id: str | None
    """the buyer's credit code or resident ID"""
    status: str
    """``normal`` / ``voided`` / ``red_flushed``"""
    red_letter: bool
    """a red-letter (credit) invoice itself"""
    amount_fen: int
    """the value without VAT"""
    tax_fen: int


class InputInvoices(Protocol):
    def get(self, number: str) -> InputInvoice | None: ...


@dataclass(frozen=True, slots=True)
class Person:
    resident_id: str
    name: str
    tax_office: str


class People(Protocol):
    def get(self, resident_id: str) -> Person | None:
        """A natural person registered with the real-name check, or None."""
        ...
