"""What the filing routes answer (etax.platform.results): an obligation with its return and
liability, a taxpayer's obligations, a payment, its signed receipt, and a provider callback's
outcome. The return's computation (the calculator's stored answer), a payment's instruction
and the receipt's signed document stay the dicts they are stored or signed as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.platform.results import named, optional


@dataclass(frozen=True)
class FiledReturn:
    kind: str
    computation: dict[str, Any] | None
    filed_at: str | None


@dataclass(frozen=True)
class Liability:
    """Amounts in yuan, as of ``as_of`` (the business date of the answer)."""

    tax: str
    tax_paid: str
    tax_outstanding: str
    surcharge: str
    surcharge_paid: str
    surcharge_outstanding: str
    outstanding: str
    overpaid: str
    refund_due: str
    refunded: str
    refundable: str
    days_late: int
    as_of: str
    paid_at: str | None


@dataclass(frozen=True)
class ObligationPayment:
    """One payment of an obligation; ``receipt`` is the signed receipt's route once the provider
    confirmed it (null before)."""

    payment_id: str
    method: str
    amount: str  # yuan
    status: str  # pending / confirmed / failed
    created_at: str
    confirmed_at: str | None
    receipt: str | None


@dataclass(frozen=True)
class ObligationView:
    obligation_id: str
    taxpayer: str
    tax_office: str | None
    tax_type: str
    period: str
    due_date: str
    statutory_due_date: str
    extension: str
    status: str
    filed_return: FiledReturn | None = named("return", default=None)
    liability: Liability | None = None
    calendar_known: bool | None = optional()  # only in the answer that creates it
    payments: list[ObligationPayment] | None = optional()  # in the lists and the view


@dataclass(frozen=True)
class Obligations:
    taxpayer: str
    obligations: list[ObligationView]


@dataclass(frozen=True)
class Allocation:
    """What a confirmed payment paid, in yuan."""

    tax: str
    surcharge: str
    overpaid: str
    days_late: int


@dataclass(frozen=True)
class PaymentView:
    payment_id: str
    obligation_id: str
    taxpayer: str
    method: str
    amount: str
    status: str
    instruction: dict[str, Any]
    created_at: str
    provider_ref: str | None
    confirmed_at: str | None
    paid_on: str | None
    allocation: Allocation | None


@dataclass(frozen=True)
class Receipt:
    document: dict[str, Any]  # the receipt as signed
    signature: dict[str, str] | None  # None where no signer is configured


@dataclass(frozen=True)
class CallbackOutcome:
    payment_id: str
    status: str
    changed: bool
