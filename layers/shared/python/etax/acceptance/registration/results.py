"""What the registration routes answer (etax.platform.results): the public check of a credit
code and the owner's full record."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Coded:
    code: str
    name: str | None  # None for a code the tables do not know


@dataclass(frozen=True)
class Office:
    code: str
    name: str


@dataclass(frozen=True)
class Structure:
    """What each part of a credit code says."""

    registration_authority: Coded
    entity_type: Coded
    region_code: str
    organization_code: str
    check_character: str
    expected_check_character: str


@dataclass(frozen=True)
class PublicRegistration:
    """The facts anyone may check: who, in what state, since when, where registered."""

    name: str
    status: str
    status_label: str
    registration_date: str
    tax_office: Office


@dataclass(frozen=True)
class Verification:
    credit_code: str
    checksum_valid: bool
    checksum_reason: str | None  # None when the checksum is right
    structure: Structure
    warnings: list[str]
    registered: bool
    registration: PublicRegistration | None


@dataclass(frozen=True)
class OwnerRecord:
    """Everything, for the taxpayer itself and the officers of its tax office."""

    credit_code: str
    name: str
    status: str
    status_label: str
    registration_date: str
    tax_office: Office
    taxpayer_type: str
    taxpayer_type_label: str
    legal_representative: str
    address: str
    industry: str
    revision: int
    updated_at: str
