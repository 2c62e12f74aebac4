"""Request bodies of online acceptance (pydantic): a failing field becomes a 422 naming it.

Only the fields listed may be sent (``extra="forbid"``): a taxpayer cannot change its name,
status, tax office or anything else the registry holds through these routes.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from etax.rules.text import SignedText
from etax.rules.types import ResidentId

PHONE = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"
EMAIL = r"^[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$"
TAX_OFFICE = r"^[0-9]{11}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Contact(Strict):
    name: str = Field(min_length=1, max_length=50)
    phone: str = Field(pattern=PHONE)


class RegistrationUpdate(Strict):
    """What a taxpayer may change of its own registration (生产经营地址, 经营范围, contacts)."""

    business_address: str | None = Field(default=None, min_length=1, max_length=300)
    business_scope: str | None = Field(default=None, min_length=1, max_length=2000)
    contact_phone: str | None = Field(default=None, pattern=PHONE)
    contact_email: str | None = Field(default=None, pattern=EMAIL, max_length=254)
    financial_officer: Contact | None = None
    tax_officer: Contact | None = None   # 办税人

    @model_validator(mode="after")
    def _something(self) -> RegistrationUpdate:
        if not self.model_dump(exclude_none=True):
            raise ValueError("send at least one field to change")
        return self


TEMPORARY_MAX_DAYS = 180   # our choice (the sources have no figure): data, stated in docs/usage


class TemporaryRegistration(Strict):
    """Temporary tax registration (临时税务登记), e.g. business done away from home or
    without a business licence, for a stated period."""

    name: Annotated[str, SignedText(min_length=1, max_length=200)]
    business_address: str = Field(min_length=1, max_length=300)
    business_scope: str = Field(min_length=1, max_length=2000)
    tax_office_code: str = Field(pattern=TAX_OFFICE)
    valid_from: date
    valid_until: date
    contact_phone: str = Field(pattern=PHONE)

    @model_validator(mode="after")
    def _period(self) -> TemporaryRegistration:
        days = (self.valid_until - self.valid_from).days
        if days < 0:
            raise ValueError("valid_until is before valid_from")
        if days > TEMPORARY_MAX_DAYS:
            raise ValueError(f"a temporary registration lasts at most {TEMPORARY_MAX_DAYS} days")
        return self


WithheldTax = Literal["individual_income_tax", "enterprise_income_tax", "value_added_tax",
                      "stamp_duty"]


class WithholdingAgentRegistration(Strict):
    """Withholding-agent registration (扣缴义务人登记)."""

    taxes: list[WithheldTax] = Field(min_length=1, max_length=4)
    contact: Contact
    tax_office_code: str | None = Field(default=None, pattern=TAX_OFFICE)

    @field_validator("taxes")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each tax once")
        return value


def luhn_valid(number: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(number)):
        d = int(digit)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


class NaturalPersonRegistration(Strict):
    """A natural person registers with a resident ID; a bank checks the real name."""

    resident_id: ResidentId
    name: Annotated[str, SignedText(min_length=1, max_length=50)]
    bank_card: str = Field(pattern=r"^[0-9]{16,19}$")
    phone: str = Field(pattern=PHONE)
    tax_office_code: str = Field(pattern=TAX_OFFICE)

    @field_validator("bank_card")
    @classmethod
    def _luhn(cls, value: str) -> str:
        if not luhn_valid(value):
            raise ValueError("not a bank card number (the Luhn check digit is wrong)")
        return value


class ApplicationRequest(Strict):
    item: str = Field(min_length=1, max_length=64)
    details: dict[str, str] = Field(default_factory=dict, max_length=20)
    note: str | None = Field(default=None, max_length=1000)


class DocumentRequest(Strict):
    kind: str = Field(min_length=1, max_length=64)
    filename: str = Field(min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f]+$")
    content_type: str = Field(min_length=1, max_length=100)


class Decision(Strict):
    decision: Literal["approve", "reject", "request_documents"]
    reason: str | None = Field(default=None, min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _reason(self) -> Decision:
        if self.decision != "approve" and not self.reason:
            raise ValueError(f"a reason is required to {self.decision.replace('_', ' ')}")
        return self
