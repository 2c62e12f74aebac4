"""The invoices context's published port: other contexts read invoice facts here, never items."""

from __future__ import annotations

import boto3
import pytest

from etax.invoices.facts import InvoiceFacts, InvoiceFactsReader
from etax.invoices.legacy import legacy_item

ISSUED = {
    "number": {"S": "26442000000000000017"}, "doc": {"S": "{}"}, "signature": {"M": {}},
    "status": {"S": "normal"}, "seller": {"S": "91440300MA5FAKE01X"},
    "issued_at": {"S": "2026-10-12T02:00:00Z"}, "type": {"S": "32"},
    "issue_date": {"S": "2026-10-12"}, "total_fen": {"N": "11300"},
    "buyer_id": {"S": "110101199003070013"}, "chk_20261012": {"N": "3"},
}
LEGACY = {"code": "044031900104", "number": "00015045", "issue_date": "2024-06-18",
          "amount": "100.00", "tax": "13.00", "total": "113.00", "voided": True,
          "check_code": "48114255542168294433",
          "seller": {"credit_code": "914403001922038216", "name": "深圳示例有限公司"},
          "buyer": {"name": "李四"}}


@pytest.fixture
def reader(aws: None) -> InvoiceFactsReader:
    dynamodb = boto3.client("dynamodb")
    dynamodb.put_item(TableName="invoices", Item=ISSUED)
    dynamodb.put_item(TableName="invoices", Item=legacy_item(LEGACY))
    return InvoiceFactsReader(dynamodb)


def test_an_issued_invoice_reads_as_its_facts(reader: InvoiceFactsReader) -> None:
    assert reader.get("26442000000000000017") == InvoiceFacts(
        number="26442000000000000017", type="32", issue_date="2026-10-12", total_fen=11300,
        status="normal", seller="91440300MA5FAKE01X", buyer_id="110101199003070013")


def test_a_legacy_invoice_has_its_seller_from_its_document(reader: InvoiceFactsReader) -> None:
    facts = reader.get("044031900104-00015045")
    assert facts == InvoiceFacts(
        number="044031900104-00015045", type="04", issue_date="2024-06-18", total_fen=11300,
        status="voided", seller="914403001922038216", buyer_id=None)


def test_unknown_numbers_are_absent(reader: InvoiceFactsReader) -> None:
    assert reader.get("26442000000000009999") is None
    found = reader.get_many(["26442000000000009999", "044031900104-00015045",
                             "26442000000000000017"])
    assert sorted(f.number for f in found) == ["044031900104-00015045", "26442000000000000017"]
