"""The certificates table (keys: :mod:`etax.certificates`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from etax.documents.canonical import canonical_bytes
from etax.errors import AlreadyExists
from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import applied, table_name


@dataclass(frozen=True, slots=True)
class StoredCertificate:
    number: str
    owner: str
    tax_office: str
    document: dict[str, Any]
    signature: dict[str, str]
    status: str

    @property
    def envelope(self) -> dict[str, Any]:
        return {"document": self.document, "signature": self.signature}


class CertificateExists(AlreadyExists):
    """A certificate with this number exists already (a 409, never a 500)."""

    def __init__(self, number: str) -> None:
        super().__init__(f"certificate {number} exists already", field="number")


class CertificateRepository(DynamoAccess):
    def __init__(self, client: Any | None = None) -> None:
        super().__init__(client)
        self.table = table_name("CERTIFICATES_TABLE")

    def put_new(self, *, owner: str, tax_office: str, document: dict[str, Any],
                signature: dict[str, str]) -> None:
        if not applied(
                self.db, "put_item",
                TableName=self.table,
                Item={"id": {"S": document["number"]}, "owner": {"S": owner},
                      "tax_office": {"S": tax_office}, "type": {"S": document["type"]},
                      "doc": {"S": canonical_bytes(document).decode()},
                      "signature": {"M": {k: {"S": v} for k, v in signature.items()}},
                      "status": {"S": "valid"}, "issued_at": {"S": document["issued_at"]}},
                ConditionExpression="attribute_not_exists(id)"):
            raise CertificateExists(document["number"])

    def get(self, number: str) -> StoredCertificate | None:
        item = self.db.get_item(TableName=self.table, Key={"id": {"S": number}}).get("Item")
        if not item:
            return None
        return StoredCertificate(
            number=item["id"]["S"], owner=item["owner"]["S"],
            tax_office=item["tax_office"]["S"], document=json.loads(item["doc"]["S"]),
            signature={k: v["S"] for k, v in item["signature"]["M"].items()},
            status=item["status"]["S"])
