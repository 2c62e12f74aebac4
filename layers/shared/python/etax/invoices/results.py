"""What the invoice routes answer (etax.platform.results): an issued invoice's summary, a
signed invoice as held (its envelope with its status), a voided invoice, the signing keys, and
the public verification's verdict.
The signed document and its signature stay the document's own dicts: the answer shows them
as signed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.platform.results import optional


@dataclass(frozen=True)
class Summary:
    number: str
    type: str
    issue_date: str
    amount: str  # yuan
    tax: str
    total: str
    qr: str
    red_letter_of: str | None  # the credited invoice's number (null for a blue invoice)
    signature: dict[str, str]


@dataclass(frozen=True)
class Held:
    document: dict[str, Any]
    signature: dict[str, str]
    status: str
    red_number: str | None


@dataclass(frozen=True)
class Voided:
    number: str
    status: str


@dataclass(frozen=True)
class Keys:
    keys: list[dict[str, Any]]


@dataclass(frozen=True)
class PublicParty:
    """A party as the public verification shows it: an enterprise by its credit code, a person
    masked (name and resident ID)."""

    kind: str
    name: str
    credit_code: str | None = optional()
    id_number: str | None = optional()


@dataclass(frozen=True)
class PublicSeller:
    name: str
    credit_code: str


@dataclass(frozen=True)
class PublicItem:
    name: str
    spec: str
    unit: str
    quantity: str
    unit_price: str
    amount: str  # yuan
    tax_rate: str
    tax: str


@dataclass(frozen=True)
class PublicInvoice:
    """What a genuine check shows of the invoice (the national platform's fields)."""

    type: str
    type_name: str
    code: str
    number: str
    issue_date: str
    status: str
    status_label: str
    seller: PublicSeller
    buyer: PublicParty
    items: tuple[PublicItem, ...]
    amount: str
    tax: str
    total: str
    red_letter_of: str | None
    red_number: str | None


@dataclass(frozen=True)
class Verdict:
    """One check's answer: the result code in English and Chinese, today's checks of the
    invoice (when counted or over the limit), and the invoice when genuine."""

    result_code: str
    message: str
    message_zh: str
    checks_today: int | None
    daily_limit: int
    invoice: PublicInvoice | None = optional()


@dataclass(frozen=True)
class QrView:
    """An invoice's QR payload read field by field (no lookup: what the code says)."""

    version: str
    type: str
    type_name: str
    code: str
    number: str
    amount: str  # yuan
    date: str
    check_code: str
    tail: str


@dataclass(frozen=True)
class Counterparty:
    """The other party of a listed invoice: an enterprise by name and credit code, a person by
    a masked name (its resident ID is never listed)."""

    kind: str  # enterprise / person
    name: str
    credit_code: str | None = optional()


@dataclass(frozen=True)
class OwnInvoice:
    """One invoice of the caller's list (amounts in yuan, negative on a red-letter invoice)."""

    number: str
    issue_date: str
    type_name: str
    counterparty: Counterparty
    amount: str
    tax: str
    total: str
    status: str  # normal / red_flushed / voided
    red_letter_of: str | None


@dataclass(frozen=True)
class OwnInvoices:
    """A page of the invoices the caller issued or received, newest first; ``cursor`` asks for
    the next page while there may be more."""

    direction: str
    items: list[OwnInvoice]
    cursor: str | None
