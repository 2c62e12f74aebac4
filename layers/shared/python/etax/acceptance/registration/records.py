"""The registration record of a taxpayer, and what of it the public may see.

Pure: no AWS. The registry is fed by the market-supervision department's
registration feed (see :mod:`etax.acceptance.registration.feed`) and read by the public
verification and by the taxpayer itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from etax.acceptance.registration.results import Office, OwnerRecord, PublicRegistration


class Status(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ABNORMAL = "abnormal"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            Status.ACTIVE: "正常",
            Status.SUSPENDED: "停业",
            Status.ABNORMAL: "非正常户",
            Status.CANCELLED: "注销",
        }[self]


class TaxpayerType(StrEnum):
    GENERAL = "general"
    SMALL_SCALE = "small_scale"

    @property
    def label(self) -> str:
        return {TaxpayerType.GENERAL: "一般纳税人", TaxpayerType.SMALL_SCALE: "小规模纳税人"}[self]


@dataclass(frozen=True, slots=True)
class RegistrationRecord:
    credit_code: str
    name: str
    status: Status
    registration_date: date
    tax_office_code: str
    tax_office_name: str
    taxpayer_type: TaxpayerType
    legal_representative: str
    address: str
    industry: str
    revision: int
    updated_at: str

    def public_view(self) -> PublicRegistration:
        """The facts anyone may check: who, in what state, since when, where registered."""
        return PublicRegistration(
            name=self.name, status=self.status.value, status_label=self.status.label,
            registration_date=self.registration_date.isoformat(),
            tax_office=Office(code=self.tax_office_code, name=self.tax_office_name))

    def owner_view(self) -> OwnerRecord:
        """Everything, for the taxpayer itself and the officers of its tax office."""
        public = self.public_view()
        return OwnerRecord(
            credit_code=self.credit_code, name=public.name, status=public.status,
            status_label=public.status_label, registration_date=public.registration_date,
            tax_office=public.tax_office, taxpayer_type=self.taxpayer_type.value,
            taxpayer_type_label=self.taxpayer_type.label,
            legal_representative=self.legal_representative, address=self.address,
            industry=self.industry, revision=self.revision, updated_at=self.updated_at)
