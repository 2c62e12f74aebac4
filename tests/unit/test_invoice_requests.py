"""The issuing request model reads its numbers and buyer with the kernel's rules, keeps a
refused value for the service's turn, and dumps the body exactly as the client sent it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from etax.errors import Invalid
from etax.invoices.requests import EnterpriseBuyer, IssueRequest, ItemValues, PersonBuyer
from etax.rules.money import TaxRate

ITEM = {"name": "笔记本电脑", "quantity": " 2.50 ", "unit_price": 1000, "tax_rate": "0.130"}
BODY = {"buyer": {"name": "陈小明", "id_number": "35010219900307123x"}, "items": [ITEM],
        "channel": "web"}


def test_typed_values_and_the_same_payload() -> None:
    body = {**BODY, "buyer": {"name": "陈小明", "id_number": "350102199003071234"}}
    request = IssueRequest.model_validate(body)
    assert request.buyer.identity() == PersonBuyer("350102199003071234", "陈小明")
    assert request.items[0].values(0) == ItemValues(Decimal("2.50"), Decimal(1000),
                                                    TaxRate.R13)
    # the "once" store matches replays on this payload: the client's text, not the values
    assert request.model_dump(mode="json")["items"][0] == {
        "name": "笔记本电脑", "spec": "", "unit": "", "quantity": "2.50",
        "unit_price": 1000, "tax_rate": "0.130", "tax_code": None}


def test_a_credit_code_is_normalized() -> None:
    request = IssueRequest.model_validate(
        {**BODY, "buyer": {"credit_code": "91350100m000100y43"}})
    assert request.buyer.identity() == EnterpriseBuyer("91350100M000100Y43", None)


def test_refused_values_wait_and_name_their_field() -> None:
    request = IssueRequest.model_validate(
        {**BODY, "items": [ITEM, {**ITEM, "quantity": "-1", "tax_rate": "0.17"}]})
    with pytest.raises(Invalid) as buyer:
        request.buyer.identity()
    assert buyer.value.field == "buyer.id_number"
    assert str(buyer.value).startswith("buyer.id_number: ")
    request.items[0].values(0)
    with pytest.raises(Invalid) as item:
        request.items[1].values(1)
    assert item.value.field == "items[1].quantity"  # the first refused, in the old order
