"""What the certificate routes answer (etax.platform.results): an issued certificate's summary
and the public verdict on a number. The signed document's parts (holder, office, content) stay
the document's own dicts: the answer shows them as signed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.platform.results import optional


@dataclass(frozen=True)
class Issued:
    number: str
    type: str
    type_name: str
    issue_date: str
    holder: dict[str, Any]
    tax_office: dict[str, Any]
    content: dict[str, Any]
    verify: str
    digest: str
    signature: dict[str, str]
    total: str | None = optional()  # a payment certificate's total, in yuan


@dataclass(frozen=True)
class Verdict:
    number: str
    verdict: str  # "authentic" | "altered"
    authentic: bool
    status: str
    type: str
    type_name: str
    issue_date: str
    holder: dict[str, Any]  # masked for a person
    tax_office: dict[str, Any]
    digest: str
    matches: bool | None  # None when no digest was presented
    signature: dict[str, Any]
