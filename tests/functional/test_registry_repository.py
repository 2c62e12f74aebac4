"""The registry over the low-level client: what it stores and answers, and the revision
guard of the feed (an older revision never rolls a record back)."""

from __future__ import annotations

import dataclasses
from datetime import date

import boto3
import pytest

from etax.acceptance.registration.records import RegistrationRecord, Status, TaxpayerType
from etax.acceptance.registration.repository import RegistryRepository

RECORD = RegistrationRecord(
    credit_code="91110000600037341L", name="北京某某有限公司", status=Status.ACTIVE,
    registration_date=date(2020, 1, 2), tax_office_code="11101000000",
    tax_office_name="国家税务总局北京市东城区税务局", taxpayer_type=TaxpayerType.GENERAL,
    legal_representative="张三", address="", industry="", revision=3,
    updated_at="2026-01-01T00:00:00+00:00")


def test_a_record_is_stored_as_before_and_read_back(aws: None) -> None:
    registry = RegistryRepository()
    assert registry.get(RECORD.credit_code) is None
    assert registry.put_unless_stale(RECORD)
    item = boto3.client("dynamodb").get_item(
        TableName="registry", Key={"credit_code": {"S": RECORD.credit_code}})["Item"]
    assert item == {  # the item the pynamodb model stored: same names, types, empty strings
        "credit_code": {"S": "91110000600037341L"}, "name": {"S": "北京某某有限公司"},
        "status": {"S": "active"}, "registration_date": {"S": "2020-01-02"},
        "tax_office_code": {"S": "11101000000"},
        "tax_office_name": {"S": "国家税务总局北京市东城区税务局"},
        "taxpayer_type": {"S": "general"}, "legal_representative": {"S": "张三"},
        "address": {"S": ""}, "industry": {"S": ""}, "revision": {"N": "3"},
        "updated_at": {"S": "2026-01-01T00:00:00+00:00"}}
    assert registry.get(RECORD.credit_code) == RECORD


def test_an_older_revision_is_refused_the_same_one_stored_again(aws: None) -> None:
    registry = RegistryRepository()
    assert registry.put_unless_stale(RECORD)
    assert registry.put_unless_stale(RECORD)
    assert not registry.put_unless_stale(dataclasses.replace(RECORD, revision=2, name="旧"))
    newer = dataclasses.replace(RECORD, revision=4, address="北京市东城区")
    assert registry.put_unless_stale(newer)
    assert registry.get(RECORD.credit_code) == newer


def test_an_item_without_address_or_industry_reads_as_empty(aws: None) -> None:
    boto3.client("dynamodb").put_item(TableName="registry", Item={
        "credit_code": {"S": "X"}, "name": {"S": "n"}, "status": {"S": "active"},
        "registration_date": {"S": "2020-01-01"}, "tax_office_code": {"S": "1"},
        "tax_office_name": {"S": "o"}, "taxpayer_type": {"S": "general"},
        "legal_representative": {"S": "l"}, "revision": {"N": "1"}, "updated_at": {"S": "t"}})
    record = RegistryRepository().get("X")
    assert record is not None
    assert (record.address, record.industry) == ("", "")


def test_a_repository_without_its_table_variable_fails_loudly(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGISTRY_TABLE")
    with pytest.raises(RuntimeError, match="REGISTRY_TABLE is not set"):
        RegistryRepository()
