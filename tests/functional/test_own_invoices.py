"""``GET /v1/invoices``: a taxpayer's own invoices, issued or received, over moto."""

from __future__ import annotations

import base64
import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from tests.functional.conftest import QUOTA_FEN, call
from tests.functional.test_acceptance_registration import put_record
from tests.functional.test_invoices import BUYER_ID, ISSUE, SELLER, SELLER_WHO, issue, request

OTHER = "91440300708461136T"  # another registered enterprise, which buys from SELLER


def listed(module: Any, who: tuple[str, ...], **query: str) -> dict[str, Any]:
    event = request("GET", "/v1/invoices", who=who)
    event["queryStringParameters"] = query or None
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()} or None
    return call(module, event)


@pytest.fixture(autouse=True)
def ticking(invoicing: Any) -> None:
    """Each invoice a minute after the one before (``issued_at`` has whole seconds)."""
    start = datetime.now(UTC).replace(microsecond=0)
    minutes = itertools.count()
    invoicing.service.now = lambda: start + timedelta(minutes=next(minutes))


@pytest.fixture
def two_sellers(invoicing: Any) -> Any:
    put_record(OTHER, tax_office_code="14403000000")
    boto3.client("dynamodb").put_item(TableName="quotas", Item={
        "key": {"S": f"quota#{OTHER}"}, "monthly_fen": {"N": str(QUOTA_FEN)}})
    return invoicing


def test_a_seller_lists_what_it_issued_newest_first_with_the_buyer_masked(
        invoicing: Any) -> None:
    first = issue(invoicing, key="a")["json"]["number"]
    second = issue(invoicing, key="b")["json"]["number"]
    answer = listed(invoicing, SELLER_WHO, direction="issued")
    assert answer["statusCode"] == 200, answer["json"]
    page = answer["json"]
    assert page["direction"] == "issued"
    assert page["cursor"] is None
    assert [i["number"] for i in page["items"]] == [second, first]
    item = page["items"][0]
    assert item["counterparty"] == {"kind": "person", "name": "陈**"}
    assert BUYER_ID not in json.dumps(page)
    assert (item["amount"], item["tax"], item["total"], item["status"]) == (
        "1099.99", "136.00", "1235.99", "normal")


def test_statuses_follow_red_letter_and_void(invoicing: Any) -> None:
    first = issue(invoicing, key="a")["json"]["number"]
    call(invoicing, request("POST", f"/v1/invoices/{first}/red-letter", body={"reason": "退货"},
                            who=SELLER_WHO, key="r", resource="/v1/invoices/{number}/red-letter",
                            params={"number": first}))
    second = issue(invoicing, key="b")["json"]["number"]
    call(invoicing, request("POST", f"/v1/invoices/{second}/void", who=SELLER_WHO, key="v",
                            resource="/v1/invoices/{number}/void", params={"number": second}))
    items = listed(invoicing, SELLER_WHO, direction="issued")["json"]["items"]
    assert [(i["status"], i["red_letter_of"], i["total"]) for i in items] == [
        ("voided", None, "1235.99"), ("normal", first, "-1235.99"),
        ("red_flushed", None, "1235.99")]


def test_a_buyer_sees_what_it_received_and_never_anothers(two_sellers: Any) -> None:
    to_person = issue(two_sellers, key="a")["json"]["number"]
    to_other = issue(two_sellers, {**ISSUE, "buyer": {"credit_code": OTHER}}, key="b")
    by_other = call(two_sellers, request("POST", "/v1/invoices", body=ISSUE,
                                         who=("taxpayer", OTHER), key="c"))["json"]["number"]
    person = listed(two_sellers, ("taxpayer", BUYER_ID), direction="received")["json"]
    assert [i["number"] for i in person["items"]] == [by_other, to_person]
    assert person["items"][1]["counterparty"] == {
        "kind": "enterprise", "name": person["items"][1]["counterparty"]["name"],
        "credit_code": SELLER}
    received = listed(two_sellers, ("taxpayer", OTHER), direction="received")["json"]["items"]
    assert [i["number"] for i in received] == [to_other["json"]["number"]]
    assert received[0]["counterparty"]["credit_code"] == SELLER
    issued = listed(two_sellers, ("taxpayer", OTHER), direction="issued")["json"]["items"]
    assert [i["number"] for i in issued] == [by_other]
    assert listed(two_sellers, SELLER_WHO, direction="received")["json"]["items"] == []
    assert listed(two_sellers, ("taxpayer", BUYER_ID), direction="issued")["json"]["items"] == []


def test_pages_follow_the_cursor_and_a_cursor_serves_its_own_list_only(
        two_sellers: Any) -> None:
    numbers = [issue(two_sellers, key=f"k{i}")["json"]["number"] for i in range(5)]
    call(two_sellers, request("POST", "/v1/invoices", body=ISSUE, who=("taxpayer", OTHER),
                              key="o"))
    seen: list[str] = []
    cursor = None
    for _ in range(3):
        query = {"direction": "issued", "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = listed(two_sellers, SELLER_WHO, **query)["json"]
        seen += [i["number"] for i in page["items"]]
        cursor = page["cursor"]
    assert seen == numbers[::-1]
    first = listed(two_sellers, SELLER_WHO, direction="issued", limit="2")["json"]["cursor"]
    assert SELLER not in base64.urlsafe_b64decode(first + "==").decode()
    for who, direction in ((("taxpayer", OTHER), "issued"), (SELLER_WHO, "received")):
        answer = listed(two_sellers, who, direction=direction, cursor=first)
        assert answer["statusCode"] == 400
        assert answer["json"]["field"] == "cursor"
        assert not any(n in json.dumps(answer["json"]) for n in numbers)


@pytest.mark.parametrize(("query", "field"), [
    ({}, "direction"), ({"direction": "sent"}, "direction"),
    ({"direction": "issued", "limit": "0"}, "limit"),
    ({"direction": "issued", "limit": "101"}, "limit"),
    ({"direction": "issued", "limit": "two"}, "limit"),
    ({"direction": "issued", "cursor": "not-a-cursor"}, "cursor"),
    ({"direction": "issued", "cursor": base64.urlsafe_b64encode(b'{"l":1}').decode()}, "cursor"),
])
def test_bad_parameters_are_400s_naming_the_field(invoicing: Any, query: dict[str, str],
                                                  field: str) -> None:
    answer = listed(invoicing, SELLER_WHO, **query)
    assert answer["statusCode"] == 400, answer["json"]
    assert answer["json"]["field"] == field


@pytest.mark.parametrize("who", [("officer", "o-1", "13501000000"), ("admin", "admin-1"),
                                 ("partner", "bank-1"), ("developer", "dev-1")])
def test_only_taxpayers_list_invoices(invoicing: Any, who: tuple[str, ...]) -> None:
    assert listed(invoicing, who, direction="issued")["statusCode"] == 403


def test_legacy_invoices_without_the_index_attributes_are_not_listed(invoicing: Any) -> None:
    from etax.invoices.repository import legacy_invoice_item

    document = {"code": "035001900111", "number": "12345678", "type": "04",
                "issue_date": "2019-05-01", "total_fen": 10000, "amount_fen": 9434,
                "check_code": "12345678901234567890", "seller": {"credit_code": SELLER},
                "buyer": {"id_number": BUYER_ID}}
    boto3.client("dynamodb").put_item(TableName="invoices",
                                      Item=legacy_invoice_item(document, voided=False))
    number = issue(invoicing)["json"]["number"]
    assert [i["number"] for i in listed(invoicing, SELLER_WHO, direction="issued")
            ["json"]["items"]] == [number]
