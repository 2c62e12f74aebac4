"""Legacy invoices imported into the registry are verified like the national platform does:
special VAT invoices by the amount excluding tax, ordinary ones by the check code's last six."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import boto3
import pytest

from etax.invoices.legacy import LegacyRecordError, legacy_item
from tests.functional.conftest import ROOT, call, load_handler, sample_event

ORDINARY = {"code": "044031900104", "number": "00015045", "issue_date": "2024-06-18",
            "amount": "100.00", "tax": "13.00", "total": "113.00",
            "check_code": "48114255542168294433",
            "seller": {"credit_code": "914403001922038216", "name": "深圳示例有限公司"},
            "buyer": {"name": "李四"}}
SPECIAL = {"code": "4403193130", "number": "03630024", "issue_date": "2025-01-21",
           "amount": "94339.62", "tax": "12264.15", "total": "106603.77",
           "seller": {"name": "深圳示例有限公司"},
           "buyer": {"name": "福州闽江示例科技有限公司", "credit_code": "91350100M000100Y43"}}


def verify(body: dict[str, Any]) -> dict[str, Any]:
    event = sample_event("verification/verify.json")
    event["body"] = json.dumps(body)
    answer: dict[str, Any] = call(load_handler("verification"), event)["json"]
    return answer


@pytest.fixture
def imported(aws: None) -> None:
    for record in (ORDINARY, SPECIAL):
        boto3.client("dynamodb").put_item(TableName="invoices", Item=legacy_item(record))


@pytest.mark.usefixtures("imported")
def test_an_ordinary_invoice_by_its_check_code() -> None:
    query = {"code": ORDINARY["code"], "number": ORDINARY["number"],
             "issue_date": ORDINARY["issue_date"], "check_code_last6": "294433"}
    answer = verify(query)
    assert answer["result_code"] == "001"
    assert answer["invoice"]["type_name"] == "增值税普通发票"
    assert verify({**query, "check_code_last6": "000000"})["result_code"] == "006"


@pytest.mark.usefixtures("imported")
def test_a_special_invoice_by_its_amount() -> None:
    query = {"code": SPECIAL["code"], "number": SPECIAL["number"],
             "issue_date": SPECIAL["issue_date"], "amount": "94339.62"}
    assert verify(query)["result_code"] == "001"
    assert verify({**query, "amount": "106603.77"})["result_code"] == "006"


@pytest.mark.parametrize(("change", "field"), [
    ({"code": "12345"}, "code"),
    ({"number": "1234567"}, "number"),
    ({"total": "113.01"}, "total"),
    ({"check_code": "123"}, "check_code"),
    ({"buyer": {}}, "buyer"),
])
def test_bad_records_are_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(LegacyRecordError) as caught:
        legacy_item({**ORDINARY, **change})
    assert caught.value.field == field


def test_the_import_script_reports_bad_lines(tmp_path: Path) -> None:
    lines = tmp_path / "legacy.jsonl"
    lines.write_text(json.dumps({**ORDINARY, "total": "1.00"}) + "\n")
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "import_legacy_invoices.py"),
                             str(lines), "--table", "t", "--endpoint", "http://127.0.0.1:9"],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "line 1: total: must equal amount + tax" in result.stderr
