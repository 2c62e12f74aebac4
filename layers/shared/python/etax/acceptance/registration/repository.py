"""The taxpayer registry table and its repository.

Table ``REGISTRY_TABLE``: partition key ``credit_code`` (string), one item per
taxpayer (specification: :data:`etax.acceptance.tables.REGISTRY`). Access patterns: get
by credit code (public verification, the taxpayer's own record); conditional put by revision
(the feed). One Scan, and only for the annual credit evaluation (:meth:`segment`): a parallel
Scan's segment, page by page, is how the run reads the whole register. The low-level
client, as every repository (docs/decisions/0014).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from etax.acceptance.registration.records import RegistrationRecord, Status, TaxpayerType
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import applied, table_name


def _to_item(record: RegistrationRecord, updated_at: str) -> dict[str, Any]:
    return {
        "credit_code": {"S": record.credit_code},
        "name": {"S": record.name},
        "status": {"S": record.status.value},
        "registration_date": {"S": record.registration_date.isoformat()},
        "tax_office_code": {"S": record.tax_office_code},
        "tax_office_name": {"S": record.tax_office_name},
        "taxpayer_type": {"S": record.taxpayer_type.value},
        "legal_representative": {"S": record.legal_representative},
        "address": {"S": record.address},
        "industry": {"S": record.industry},
        "revision": {"N": str(record.revision)},
        "updated_at": {"S": updated_at},
    }


def _to_record(item: dict[str, Any]) -> RegistrationRecord:
    return RegistrationRecord(
        credit_code=item["credit_code"]["S"],
        name=item["name"]["S"],
        status=Status(item["status"]["S"]),
        registration_date=date.fromisoformat(item["registration_date"]["S"]),
        tax_office_code=item["tax_office_code"]["S"],
        tax_office_name=item["tax_office_name"]["S"],
        taxpayer_type=TaxpayerType(item["taxpayer_type"]["S"]),
        legal_representative=item["legal_representative"]["S"],
        address=item.get("address", {"S": ""})["S"],
        industry=item.get("industry", {"S": ""})["S"],
        revision=int(item["revision"]["N"]),
        updated_at=item["updated_at"]["S"],
    )


class RegistryRepository(DynamoAccess):
    """Reads and writes registration records; every write is conditional on the revision."""

    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("REGISTRY_TABLE")

    def get(self, credit_code: str) -> RegistrationRecord | None:
        item = self.db.get_item(TableName=self.table,
                                Key={"credit_code": {"S": credit_code}}).get("Item")
        return _to_record(item) if item else None

    def put_unless_stale(self, record: RegistrationRecord) -> bool:
        """Store the record unless the registry already holds a newer revision.

        One conditional PutItem: an out-of-order feed message can never roll a
        record back. The same revision is stored again (same content), so a
        replayed message finishes what its first delivery began (announcing
        the change). Returns whether the record was stored.
        """
        return applied(
            self.db, "put_item",
            TableName=self.table,
            Item=_to_item(record, record.updated_at or datetime.now(UTC).isoformat()),
            ConditionExpression="attribute_not_exists(credit_code) OR revision <= :revision",
            ExpressionAttributeValues={":revision": {"N": str(record.revision)}})

    def segment(self, segment: int, segments: int, start: dict[str, Any] | None,
                limit: int) -> tuple[list[RegistrationRecord], dict[str, Any] | None]:
        """One page (at most ``limit`` records) of the segment ``segment`` of ``segments`` of
        a parallel Scan, from ``start``; and the key to resume from (None: the segment's end).
        """
        request: dict[str, Any] = {"TableName": self.table, "Segment": segment,
                                   "TotalSegments": segments, "Limit": limit}
        if start:
            request["ExclusiveStartKey"] = start
        page = self.db.scan(**request)
        return [_to_record(item) for item in page["Items"]], page.get("LastEvaluatedKey")
