"""The taxpayer registry table and its repository.

Table ``REGISTRY_TABLE``: partition key ``credit_code`` (string), one item per
taxpayer. Access patterns: get by credit code (public verification, the
taxpayer's own record); conditional put by revision (the feed). No scans.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from etax.platform.dynamo import EtaxModel
from etax.registration.records import RegistrationRecord, Status, TaxpayerType


class RegistryItem(EtaxModel):
    class Meta:
        table_env = "REGISTRY_TABLE"

    credit_code = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    status = UnicodeAttribute()
    registration_date = UnicodeAttribute()
    tax_office_code = UnicodeAttribute()
    tax_office_name = UnicodeAttribute()
    taxpayer_type = UnicodeAttribute()
    legal_representative = UnicodeAttribute()
    address = UnicodeAttribute(default="")
    industry = UnicodeAttribute(default="")
    revision = NumberAttribute()
    updated_at = UnicodeAttribute()


def _to_record(item: RegistryItem) -> RegistrationRecord:
    return RegistrationRecord(
        credit_code=item.credit_code,
        name=item.name,
        status=Status(item.status),
        registration_date=date.fromisoformat(item.registration_date),
        tax_office_code=item.tax_office_code,
        tax_office_name=item.tax_office_name,
        taxpayer_type=TaxpayerType(item.taxpayer_type),
        legal_representative=item.legal_representative,
        address=item.address,
        industry=item.industry,
        revision=int(item.revision),
        updated_at=item.updated_at,
    )


class RegistryRepository:
    """Reads and writes registration records; every write is conditional on the revision."""

    def get(self, credit_code: str) -> RegistrationRecord | None:
        try:
            return _to_record(RegistryItem.get(credit_code))
        except RegistryItem.DoesNotExist:
            return None

    def put_unless_stale(self, record: RegistrationRecord) -> bool:
        """Store the record unless the registry already holds a newer revision.

        One conditional PutItem: an out-of-order feed message can never roll a
        record back. The same revision is stored again (same content), so a
        replayed message finishes what its first delivery began (announcing
        the change). Returns whether the record was stored.
        """
        item = RegistryItem(
            credit_code=record.credit_code,
            name=record.name,
            status=record.status.value,
            registration_date=record.registration_date.isoformat(),
            tax_office_code=record.tax_office_code,
            tax_office_name=record.tax_office_name,
            taxpayer_type=record.taxpayer_type.value,
            legal_representative=record.legal_representative,
            address=record.address,
            industry=record.industry,
            revision=record.revision,
            updated_at=record.updated_at or datetime.now(UTC).isoformat(),
        )
        return item.save_if(
            RegistryItem.credit_code.does_not_exist() | (RegistryItem.revision <= record.revision)
        )
