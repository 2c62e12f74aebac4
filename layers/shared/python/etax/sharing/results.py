"""What the sharing routes answer."""

from __future__ import annotations

from dataclasses import dataclass

from etax.sharing.scopes import RatingData, ReturnsData, SalesData, TaxPaidData


@dataclass(frozen=True)
class Receipt:
    """The consent receipt (Kantara Consent Receipt v1.1's fields, sources.md#sharing)."""

    version: str
    jurisdiction: str
    consent_timestamp: str
    collection_method: str
    pii_principal_id: str
    """the taxpayer's credit code, masked"""
    pii_controller: str
    purposes: list[str]
    services: list[str]
    """the scopes, as the data they give"""


@dataclass(frozen=True)
class ConsentView:
    consent_id: str
    taxpayer: str
    partner: str
    partner_name: str
    agreement: str
    scopes: list[str]
    purpose: str
    purpose_text: str
    status: str
    """AwaitingAuthorisation, Authorised, Rejected, Revoked or Expired (as of now)"""
    created_by: str
    created_at: str
    expires_at: str
    authorised_at: str | None
    ended_at: str | None
    reads: int
    last_read_at: str | None
    receipt: Receipt


@dataclass(frozen=True)
class Consents:
    items: list[ConsentView]
    cursor: str | None


@dataclass(frozen=True)
class ReadView:
    read_id: str
    scope: str
    partner: str
    at: str


@dataclass(frozen=True)
class Reads:
    consent_id: str
    items: list[ReadView]
    cursor: str | None


@dataclass(frozen=True)
class PartnerData:
    """One read: the consent it was made under, and the scope's data (only that scope's field
    is set)."""

    consent_id: str
    read_id: str
    credit_code: str
    scope: str
    purpose: str
    read_at: str
    rating: RatingData | None = None
    tax_paid: TaxPaidData | None = None
    sales: SalesData | None = None
    returns: ReturnsData | None = None
