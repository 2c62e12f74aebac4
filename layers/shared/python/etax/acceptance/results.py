"""What the online-acceptance routes answer (etax.platform.results): a taxpayer's own details
and registrations, the catalogue, applications with their documents and trail, the review
queue. What the taxpayer sent as free-form data (its details, an application's details, the
values of a change) stays a dict: the answer shows it as stored."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.acceptance.registration.results import OwnerRecord
from etax.platform.results import named, optional
from etax.platform.uploads import UploadForm as UploadForm


@dataclass(frozen=True)
class Actor:
    role: str
    subject: str


@dataclass(frozen=True, kw_only=True)  # keywords: type checkers take named() for a default
class FieldChange:
    from_: Any = named("from")  # None when not set before
    to: Any


@dataclass(frozen=True)
class Change:
    at: str
    by: Actor
    fields: dict[str, FieldChange]


@dataclass(frozen=True)
class Temporary:
    number: str
    holder: str
    status: str
    registered_at: str
    name: str
    business_address: str
    business_scope: str
    tax_office_code: str
    valid_from: str
    valid_until: str
    contact_phone: str


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str


@dataclass(frozen=True)
class WithholdingAgent:
    credit_code: str
    registration_number: str
    tax_office_code: str
    taxes: list[str]
    contact: Contact
    status: str
    registered_at: str


@dataclass(frozen=True)
class RealName:
    verified: bool
    reference: str
    at: str


@dataclass(frozen=True)
class Person:
    resident_id: str
    name: str
    bank_card_last4: str
    phone: str
    tax_office_code: str
    real_name: RealName
    registered_at: str


@dataclass(frozen=True)
class Details:
    """What the taxpayer maintains itself (``{"version": 0}`` before its first change), its
    latest changes and its registrations."""

    details: dict[str, Any]
    changes: list[Change]
    temporary_registrations: list[Temporary]
    withholding_agent: WithholdingAgent | None


@dataclass(frozen=True)
class OwnRecord(Details, OwnerRecord):
    """The registry's record for its owner followed by its details (a dataclass's fields are
    its bases' in reverse order: OwnerRecord's first)."""


@dataclass(frozen=True)
class CatalogueItem:
    code: str
    name: str
    category: str
    required_documents: list[str]
    effective_from: str
    effective_until: str | None


@dataclass(frozen=True)
class DocumentKind:
    code: str
    name: str
    content_types: list[str]
    max_bytes: int


@dataclass(frozen=True)
class Catalogue:
    items: list[CatalogueItem]
    document_kinds: list[DocumentKind]


@dataclass(frozen=True, kw_only=True)
class Document:
    id: str
    kind: str
    filename: str
    content_type: str
    max_bytes: int
    status: str  # "pending" | "confirmed"
    requested_at: str
    size: int | None = optional()  # once confirmed
    confirmed_at: str | None = optional()


@dataclass(frozen=True)
class Upload:
    document: Document
    upload: UploadForm


@dataclass(frozen=True)
class Download:
    url: str
    expires_in: int


@dataclass(frozen=True)
class Step:
    """One entry of an application's trail."""

    reason: str | None
    application_id: str
    applicant: str
    item: str
    item_name: str
    office: str
    seq: int
    state: str
    state_label: str
    action: str
    by: Actor
    at: str


@dataclass(frozen=True, kw_only=True)
class Application:
    id: str
    item: str
    item_name: str
    category: str
    required_documents: list[str]
    applicant: str
    state: str
    version: int
    created_at: str
    updated_at: str
    details: dict[str, Any]
    note: str | None = optional()
    tax_office: str
    state_label: str
    documents: list[Document]
    missing_documents: list[str]
    trail: list[Step]


@dataclass(frozen=True)
class Queued:
    """An application in the review queue (what the office index holds of it)."""

    office: str
    id: str
    item: str
    item_name: str
    category: str
    applicant: str
    state: str
    updated_at: str


@dataclass(frozen=True)
class Queue:
    tax_office: str
    state: str
    applications: list[Queued]
