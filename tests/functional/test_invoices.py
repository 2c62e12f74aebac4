"""Issuing, downloading, printing, crediting and voiding e-invoices, over moto."""

from __future__ import annotations

import base64
import fnmatch
import json
from typing import Any

import boto3
import pytest

from etax.documents.signing import SignatureMismatch, verify_envelope
from etax.invoices.outbox import event_for
from etax.platform.idempotency import Idempotency
from etax.platform.outbox import Change
from etax.rules import qr
from tests.functional.conftest import LambdaContext, call, sample_event, with_token_expiry
from tests.functional.test_acceptance_registration import put_record
from tests.unit.test_outbox import record

SELLER = "91350100M000100Y43"
BUYER_ID = "350102199003071234"


def as_principal(event: dict[str, Any], role: str, subject: str,
                 tax_office: str | None = None) -> None:
    authorizer = {"principalId": subject, "role": role, "subject": subject}
    if tax_office:
        authorizer["tax_office"] = tax_office
    event["requestContext"]["authorizer"] = authorizer


def request(method: str, path: str, *, body: Any = None, who: tuple[str, ...] | None = None,
            key: str | None = None, resource: str | None = None,
            params: dict[str, str] | None = None) -> dict[str, Any]:
    event = sample_event("invoices/issue.json")
    event["httpMethod"] = method
    event["path"] = path
    event["resource"] = resource or path
    event["pathParameters"] = params
    event["body"] = json.dumps(body, ensure_ascii=False) if body is not None else None
    event["headers"].pop("Idempotency-Key", None)
    event["multiValueHeaders"].pop("Idempotency-Key", None)
    if key:
        event["headers"]["Idempotency-Key"] = key
        event["multiValueHeaders"]["Idempotency-Key"] = [key]
    if who is None:
        event["requestContext"].pop("authorizer", None)
    else:
        as_principal(event, *who)
    return event


ISSUE: dict[str, Any] = {
    "buyer": {"name": "陈小明", "id_number": BUYER_ID},
    "items": [
        {"name": "笔记本电脑", "spec": "X1", "unit": "台", "quantity": "1",
         "unit_price": "1000.00", "tax_rate": "0.13"},
        {"name": "技术服务", "quantity": "3", "unit_price": "33.33", "tax_rate": "0.06"},
    ],
    "channel": "mobile",
}
SELLER_WHO = ("taxpayer", SELLER)


def issue(module: Any, body: dict[str, Any] | None = None, key: str = "k-1") -> dict[str, Any]:
    return call(module, request("POST", "/v1/invoices", body=body or ISSUE, who=SELLER_WHO,
                                key=key))


def test_issue_computes_signs_and_numbers(invoicing: Any) -> None:
    answer = issue(invoicing)
    assert answer["statusCode"] == 201, answer["json"]
    summary = answer["json"]
    assert summary["amount"] == "1099.99"   # 1000.00 + 3 x 33.33
    assert summary["tax"] == "136.00"       # 130.00 + 6.00 (99.99 x 6% = 5.9994 → 6.00)
    assert summary["total"] == "1235.99"
    number = summary["number"]
    assert len(number) == 20
    assert (number[2:4], number[4]) == ("35", "2")  # Fujian, mobile
    parsed = qr.parse(summary["qr"])
    assert (parsed.type, parsed.number, parsed.amount_fen) == ("32", number, 123599)

    envelope = call(invoicing, request("GET", f"/v1/invoices/{number}", who=SELLER_WHO,
                                       resource="/v1/invoices/{number}",
                                       params={"number": number}))["json"]
    keys = call(invoicing, request("GET", "/v1/keys"))["json"]["keys"]
    verify_envelope(envelope, keys[0]["public_key_pem"])
    envelope["document"]["total_fen"] += 1
    with pytest.raises(SignatureMismatch):
        verify_envelope(envelope, keys[0]["public_key_pem"])


def test_a_lines_tax_classification_code_is_signed_with_it_and_announced(
        invoicing: Any) -> None:
    code = "1090101000000000000"
    items = [{**ISSUE["items"][0], "tax_code": code}, ISSUE["items"][1]]
    answer = issue(invoicing, {**ISSUE, "items": items})
    assert answer["statusCode"] == 201, answer["json"]
    number = answer["json"]["number"]
    envelope = call(invoicing, request("GET", f"/v1/invoices/{number}", who=SELLER_WHO,
                                       resource="/v1/invoices/{number}",
                                       params={"number": number}))["json"]
    assert [line.get("tax_code") for line in envelope["document"]["items"]] == [code, None]
    keys = call(invoicing, request("GET", "/v1/keys"))["json"]["keys"]
    verify_envelope(envelope, keys[0]["public_key_pem"])  # the code is part of what is signed
    item = {"number": number, "status": "normal", "doc": json.dumps(envelope["document"])}
    event = event_for(Change.of(record("INSERT", item)))
    assert event is not None
    assert event.detail["lines"] == [{"line": 1, "tax_code": code, "amount_fen": 100_000}]
    assert event.detail["amount_fen"] == 109_999


def test_numbers_are_consecutive_and_never_reused(invoicing: Any) -> None:
    numbers = [issue(invoicing, key=f"k-{i}")["json"]["number"] for i in range(3)]
    sequences = [int(n[5:]) for n in numbers]
    assert sequences == [sequences[0], sequences[0] + 1, sequences[0] + 2]


def test_the_same_idempotency_key_issues_once(invoicing: Any) -> None:
    first = issue(invoicing, key="same")["json"]["number"]
    second = issue(invoicing, key="same")["json"]["number"]
    assert first == second
    assert issue(invoicing, key="other")["json"]["number"] != first


def test_idempotency_records_stay_within_the_functions_leading_keys(
        invoicing: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The infrastructure lets each function touch only the idempotency records whose key
    matches ``Idempotency.key_pattern(<its name>)`` (``dynamodb:LeadingKeys``,
    tests/infra/test_least_privilege.py): issuing, and issuing again with the same key (the
    stored answer read back), keep to such records (Powertools keys every call the same)."""
    name = "Etax-prod-InvoiceServicesInvoicesFunction-Ab12Cd34"
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", name)
    first = issue(invoicing, key="same")
    again = issue(invoicing, key="same")
    assert first["statusCode"] == again["statusCode"] == 201
    assert again["json"]["number"] == first["json"]["number"]
    stored = [item["id"]["S"] for item in
              boto3.client("dynamodb").scan(TableName="idempotency")["Items"]]
    assert stored
    pattern = Idempotency.key_pattern(name)
    assert all(fnmatch.fnmatchcase(key, pattern) for key in stored), (stored, pattern)
    assert not any(fnmatch.fnmatchcase(key, Idempotency.key_pattern("Etax-prod-Other"))
                   for key in stored)


def test_idempotency_key_is_required(invoicing: Any) -> None:
    answer = call(invoicing, request("POST", "/v1/invoices", body=ISSUE, who=SELLER_WHO))
    assert answer["statusCode"] == 400
    assert answer["json"]["field"] == "Idempotency-Key"


@pytest.mark.parametrize(("change", "field"), [
    ({"items": [{**ISSUE["items"][0], "tax_rate": "0.17"}]}, "items[0].tax_rate"),
    ({"items": [{**ISSUE["items"][0], "unit_price": "1.123456789"}]}, "items[0].unit_price"),
    ({"items": []}, "items"),
    ({"buyer": {"credit_code": "91350100M0001000IX"}}, "buyer.credit_code"),
    ({"buyer": {"name": "陈小明", "id_number": "350102199003071235"}}, "buyer.id_number"),
    ({"channel": "fax"}, "channel"),
    ({"buyer": {"id_number": "350102199003071234"}}, "buyer.name"),
    ({"buyer": {"name": "陈小明"}}, "buyer"),
    # text printed in the signed invoice: no bidi, zero-width or control characters
    ({"buyer": {"name": "陈小明\u202e", "id_number": "350102199003071234"}}, "buyer.name"),
    ({"buyer": {"name": "福州\u2067示例", "credit_code": "91350100M000100Y43"}}, "buyer.name"),
    ({"items": [{**ISSUE["items"][0], "name": "笔记本\u200b电脑"}]}, "items[0].name"),
    ({"items": [{**ISSUE["items"][0], "spec": "X1\u200d"}]}, "items[0].spec"),
    ({"items": [{**ISSUE["items"][0], "unit": "台\x07"}]}, "items[0].unit"),
    ({"remarks": "合同号 A-1\n价税合计 0.00"}, "remarks"),
    ({"remarks": "\u2060"}, "remarks"),
    # a tax classification code is 19 digits, its first a part of the code table (1-6)
    ({"items": [{**ISSUE["items"][0], "tax_code": "107010101010000000"}]}, "items[0].tax_code"),
    ({"items": [{**ISSUE["items"][0], "tax_code": "9070101010100000000"}]}, "items[0].tax_code"),
    ({"items": [{**ISSUE["items"][0], "tax_code": "1070101010100000000\n"}]},
     "items[0].tax_code"),
])
def test_bad_requests_name_the_field(invoicing: Any, change: dict[str, Any],
                                     field: str) -> None:
    answer = issue(invoicing, {**ISSUE, **change})
    assert answer["statusCode"] == 422, answer["json"]
    assert answer["json"]["field"] == field


BAD_ITEM = {"name": "设备", "quantity": "0", "unit_price": "1.123456789", "tax_rate": "0.17"}


def test_a_caller_who_may_not_issue_is_told_so_before_the_items_are_read(
        invoicing: Any) -> None:
    # The items and buyer are read by the request model, but a refused value waits for the
    # service's turn: the seller comes first (403), then the invoice type, then the buyer,
    # then the items in order.
    body = {**ISSUE, "buyer": {"name": "陈小明", "id_number": "350102199003071235"},
            "items": [BAD_ITEM]}
    stranger = call(invoicing, request("POST", "/v1/invoices", body=body,
                                       who=("taxpayer", "91440300708461136T"), key="s"))
    assert stranger["statusCode"] == 403, stranger["json"]
    special = issue(invoicing, {**body, "invoice_type": "special"}, key="t")
    assert (special["statusCode"], special["json"]["field"]) == (422, "invoice_type")
    buyer = issue(invoicing, body, key="b")
    assert (buyer["statusCode"], buyer["json"]["field"]) == (422, "buyer.id_number")
    assert buyer["json"]["detail"].startswith("buyer.id_number: ")
    assert "errors" not in buyer["json"]
    good, bad = ISSUE["items"][0], {**BAD_ITEM, "quantity": "1"}
    items = issue(invoicing, {**ISSUE, "items": [good, bad, BAD_ITEM]}, key="i")
    assert (items["statusCode"], items["json"]["field"]) == (422, "items[1].unit_price")
    assert items["json"]["detail"] == ("items[1].unit_price: at most 8 decimal places "
                                       "are allowed")


def test_a_bidi_override_in_a_red_letter_reason_is_refused(invoicing: Any) -> None:
    first = issue(invoicing, ISSUE)["json"]["number"]
    red = call(invoicing, request("POST", f"/v1/invoices/{first}/red-letter",
                                  body={"reason": "退货\u202e"}, who=SELLER_WHO, key="r",
                                  resource="/v1/invoices/{number}/red-letter",
                                  params={"number": first}))
    assert (red["statusCode"], red["json"]["field"]) == (422, "reason")
    assert "U+202E RIGHT-TO-LEFT OVERRIDE" in red["json"]["detail"]


def test_the_quota_is_never_passed(invoicing: Any) -> None:
    big = {**ISSUE, "items": [{"name": "设备", "quantity": "1", "unit_price": "50000.00",
                              "tax_rate": "0.13"}]}
    assert issue(invoicing, big, key="a")["statusCode"] == 201  # 56,500.00 of 100,000.00
    answer = issue(invoicing, big, key="b")  # another 56,500.00 would pass the quota
    assert answer["statusCode"] == 409
    assert "quota" in answer["json"]["detail"]


def test_only_registered_sellers_with_a_quota_issue(invoicing: Any) -> None:
    other = "91440300708461136T"
    answer = call(invoicing, request("POST", "/v1/invoices", body=ISSUE,
                                     who=("taxpayer", other), key="x"))
    assert answer["statusCode"] == 403
    put_record(other, tax_office_code="14403000000")
    answer = call(invoicing, request("POST", "/v1/invoices", body=ISSUE,
                                     who=("taxpayer", other), key="y"))
    assert answer["statusCode"] == 403
    assert "quota" in answer["json"]["detail"]


def test_who_may_download(invoicing: Any) -> None:
    number = issue(invoicing)["json"]["number"]

    def status(*who: str) -> int:
        answer = call(invoicing, request("GET", f"/v1/invoices/{number}", who=who,
                                         resource="/v1/invoices/{number}",
                                         params={"number": number}))
        return int(answer["statusCode"])

    assert status("taxpayer", SELLER) == 200
    assert status("taxpayer", BUYER_ID) == 200
    assert status("officer", "o-1", "13501000000") == 200
    assert status("taxpayer", "91440300708461136T") == 404
    assert status("officer", "o-2", "13502000000") == 404


def test_printable_document(invoicing: Any) -> None:
    number = issue(invoicing)["json"]["number"]
    event = request("GET", f"/v1/invoices/{number}/document", who=SELLER_WHO,
                    resource="/v1/invoices/{number}/document", params={"number": number})
    answer = invoicing.handler(with_token_expiry(event), LambdaContext())
    assert answer["statusCode"] == 200
    assert answer["isBase64Encoded"] is True
    assert base64.b64decode(answer["body"]).startswith(b"%PDF")


def test_red_letter_and_void(invoicing: Any) -> None:
    first = issue(invoicing, key="a")["json"]["number"]
    red = call(invoicing, request("POST", f"/v1/invoices/{first}/red-letter",
                                  body={"reason": "退货"}, who=SELLER_WHO, key="r",
                                  resource="/v1/invoices/{number}/red-letter",
                                  params={"number": first}))
    assert red["statusCode"] == 201, red["json"]
    assert red["json"]["red_letter_of"] == first
    assert red["json"]["total"] == "-1235.99"
    again = call(invoicing, request("POST", f"/v1/invoices/{first}/red-letter",
                                    body={"reason": "退货"}, who=SELLER_WHO, key="r2",
                                    resource="/v1/invoices/{number}/red-letter",
                                    params={"number": first}))
    assert again["statusCode"] == 409

    second = issue(invoicing, key="b")["json"]["number"]
    voided = call(invoicing, request("POST", f"/v1/invoices/{second}/void", who=SELLER_WHO,
                                     key="v", resource="/v1/invoices/{number}/void",
                                     params={"number": second}))
    assert voided["json"] == {"number": second, "status": "voided"}
    used = boto3.client("dynamodb").get_item(TableName="quotas", Key={"key": {
        "S": f"used#{SELLER}#{_month()}"}})["Item"]["used_fen"]["N"]
    assert int(used) == 0  # issued 2 x 1235.99, credited one, voided the other


def _month() -> str:
    from datetime import UTC, datetime

    from etax.rules.dates import business_date
    return f"{business_date(datetime.now(UTC)):%Y%m}"


def test_a_block_lost_in_a_race_is_recorded_not_silently_skipped(invoicing: Any) -> None:
    from etax.invoices.repository import InvoiceRepository, SequenceMoved

    repository = InvoiceRepository()
    series = "26352"
    start, end = repository.take_block(SELLER, series, None)
    with pytest.raises(SequenceMoved):
        repository.take_block(SELLER, series, None)  # a racing request saw no block either
    abandoned = boto3.client("dynamodb").get_item(TableName="sequences", Key={
        "key": {"S": f"abandoned#{series}#1"}})["Item"]
    assert (int(abandoned["first"]["N"]), int(abandoned["last"]["N"])) == (end + 1, end + 1000)
    assert start == 1
