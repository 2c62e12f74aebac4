"""What the invoice routes answer (etax.platform.results): an issued invoice's summary, a
signed invoice as held (its envelope with its status), a voided invoice, the signing keys.
The signed document and its signature stay the document's own dicts: the answer shows them
as signed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
