"""The registration function: the public credit-code check and the owner's record, over moto."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from tests.functional.conftest import ApiCalls, call, load_handler, sample_event

REGISTRATION = "acceptance_registration"  # functions/<name>

SELLER = "91350100M000100Y43"
OFFICE = "13501000000"


def put_record(code: str, **changes: Any) -> None:
    item = {
        "credit_code": code, "name": "福州闽江示例科技有限公司", "status": "active",
        "registration_date": "2016-03-01", "tax_office_code": OFFICE,
        "tax_office_name": "国家税务总局福州市税务局", "taxpayer_type": "general",
        "legal_representative": "林晓明", "address": "", "industry": "", "revision": 1,
        "updated_at": "2026-11-28T00:00:00+00:00", **changes,
    }
    boto3.resource("dynamodb").Table("registry").put_item(Item=item)


def verify(code: str) -> dict[str, Any]:
    event = sample_event(f"{REGISTRATION}/verify.json")
    event["path"] = f"/v1/registration/verify/{code}"
    event["pathParameters"] = {"credit_code": code}
    return call(load_handler(REGISTRATION), event)


def owner_record(code: str, authorizer: dict[str, str] | None) -> dict[str, Any]:
    event = sample_event(f"{REGISTRATION}/record.json")
    event["path"] = f"/v1/registration/records/{code}"
    event["pathParameters"] = {"credit_code": code}
    if authorizer is None:
        del event["requestContext"]["authorizer"]
    else:
        event["requestContext"]["authorizer"] = {"principalId": authorizer["subject"], **authorizer}
    return call(load_handler(REGISTRATION), event)


@pytest.fixture
def registered(aws: None) -> None:
    put_record(SELLER)
    put_record("91350211M0000XUF46", name="厦门云端示例航空科技有限公司",
               tax_office_code="13502000000")


def test_a_registered_company_comes_back_with_its_public_facts(registered: None) -> None:
    answer = verify(SELLER)
    assert answer["statusCode"] == 200
    body = answer["json"]
    assert body["credit_code"] == SELLER
    assert body["checksum_valid"] is True
    assert body["registered"] is True
    assert body["registration"]["name"] == "福州闽江示例科技有限公司"
    assert body["registration"]["tax_office"]["code"] == OFFICE
    assert "legal_representative" not in json.dumps(body)


def test_the_sample_event_verifies(registered: None) -> None:
    answer = call(load_handler(REGISTRATION), sample_event(f"{REGISTRATION}/verify.json"))
    assert answer["json"]["registered"] is True


def test_a_wrong_check_character_is_reported_with_the_reason(aws: None) -> None:
    body = verify("91350100M000100Y4Z")["json"]
    assert body["checksum_valid"] is False
    assert body["checksum_reason"] == "check character is 'Z', but positions 1-17 give '3'"
    assert body["registered"] is False


def test_registered_but_failing_checksum(registered: None) -> None:
    body = verify("91350211M0000XUF46")["json"]
    assert (body["checksum_valid"], body["registered"]) == (False, True)


@pytest.mark.parametrize(("code", "detail"), [
    ("91350100M00010", "18 characters, this one has 14"),
    ("9135010OM000100Y43", "character 'O' at position 8"),
])
def test_malformed_codes_are_400_naming_the_field(aws: None, code: str, detail: str) -> None:
    answer = verify(code)
    assert answer["statusCode"] == 400
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    assert answer["json"]["field"] == "credit_code"
    assert detail in answer["json"]["detail"]


def test_one_dynamodb_call_per_check(registered: None, api_calls: ApiCalls) -> None:
    module = load_handler(REGISTRATION)
    api_calls.clear()
    event = sample_event(f"{REGISTRATION}/verify.json")
    call(module, event)
    assert api_calls.of("dynamodb") == ["GetItem"]


@pytest.mark.parametrize(("authorizer", "status"), [
    ({"role": "taxpayer", "subject": SELLER}, 200),
    ({"role": "officer", "subject": "o-1", "tax_office": OFFICE}, 200),
    ({"role": "admin", "subject": "admin-1"}, 200),
    ({"role": "taxpayer", "subject": "91440300708461136T"}, 403),
    ({"role": "officer", "subject": "o-2", "tax_office": "13502000000"}, 403),
    ({"role": "partner", "subject": "bank-1"}, 403),
    (None, 401),
])
def test_owner_record_access(registered: None, authorizer: dict[str, str] | None,
                             status: int) -> None:
    answer = owner_record(SELLER, authorizer)
    assert answer["statusCode"] == status, answer["json"]
    if status == 200:
        assert answer["json"]["legal_representative"] == "林晓明"
    else:
        assert answer["headers"]["Content-Type"] == "application/problem+json"
