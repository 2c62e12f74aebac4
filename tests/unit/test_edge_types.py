"""The edge's value types (etax.rules.types) and the request models that hand typed values
inward: what each accepts, what it refuses, and in whose words."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from etax.acceptance.requests import NaturalPersonRegistration
from etax.calculators import vat
from etax.errors import Invalid
from etax.filing import payments
from etax.filing.requests import PaymentRequest
from etax.invoices.requests import VerifyRequest
from etax.invoices.verification_rules import VerifyQuery
from etax.lottery import campaign_codec
from etax.lottery.campaigns import Campaign
from etax.lottery.requests import CampaignRequest
from etax.lottery.yantai import YANTAI_2026
from etax.refunds.requests import ExportRefundIn, GeneralRefundIn, RefundRequest
from etax.rules import types


class Amounts(BaseModel):
    amount: types.Yuan = Decimal("0.00")
    paid: types.YuanText = "1"
    rate: types.Rate = Decimal("0")
    person: types.ResidentId = "11010519491231002X"


def refused(**fields: object) -> str:
    with pytest.raises(ValidationError) as caught:
        Amounts.model_validate(fields)
    return str(caught.value.errors()[0]["msg"])


@pytest.mark.parametrize(("given", "held"), [
    ("1130", Decimal("1130.00")), ("1130.5", Decimal("1130.50")), (12, Decimal("12.00")),
    (Decimal("0.10"), Decimal("0.10")), ("0", Decimal("0.00")),
])
def test_yuan_is_decimal_yuan_with_two_places(given: object, held: Decimal) -> None:
    parsed = Amounts.model_validate({"amount": given})
    assert parsed.amount == held
    assert str(parsed.amount) == str(held)
    assert json.loads(parsed.model_dump_json())["amount"] == f"{held:.2f}"


@pytest.mark.parametrize(("given", "reason"), [
    (1.5, 'an amount is a decimal string in yuan, like "1130.00"'),
    (True, 'an amount is a decimal string in yuan, like "1130.00"'),
    ("1.001", "at most 2 decimal places are allowed"),
    (Decimal("1.001"), "at most 2 decimal places are allowed"),
    ("-1", "negative amounts are not allowed here"),
    ("1e3", "exponents are not allowed (write 1000, not 1e3)"),
])
def test_yuan_refuses_floats_places_and_negatives(given: object, reason: str) -> None:
    assert refused(amount=given) == f"Value error, {reason}"


def test_yuan_text_is_a_positive_amount_kept_as_given() -> None:
    assert Amounts.model_validate({"paid": "12.5"}).paid == "12.5"
    assert refused(paid="0") == "Value error, the amount must not be zero"
    assert refused(paid="-3") == "Value error, negative amounts are not allowed here"
    assert refused(paid=3) == "Input should be a valid string"


def test_rate_is_a_fraction_from_zero_to_one() -> None:
    parsed = Amounts.model_validate({"rate": "0.130"})
    assert parsed.rate == Decimal("0.13")
    assert parsed.model_dump(mode="json")["rate"] == "0.13"
    assert refused(rate="1.5") == "Value error, a rate is at most 1"
    assert refused(rate="2") == 'Value error, a rate is a decimal fraction string, like "0.13"'
    assert refused(rate="1.0001") == "Value error, a rate is at most 1"
    assert refused(rate=0.13) == 'Value error, a rate is a decimal fraction string, like "0.13"'


def test_resident_id_is_checked_and_normalized() -> None:
    assert Amounts.model_validate({"person": "11010519491231002x"}).person == \
        "11010519491231002X"
    assert refused(person="110105194912310021").startswith("Value error, ")
    assert refused(person="1" * 25) == "String should have at most 24 characters"


def test_the_contexts_declare_money_with_the_edge_types() -> None:
    """One yuan type, one rate type: the calculators and payments use the kernel's."""
    kernel = Amounts.model_fields
    assert vat.SmallScaleRequest.model_fields["sales"].metadata == kernel["amount"].metadata
    assert vat.Sale.model_fields["rate"].metadata == kernel["rate"].metadata
    assert PaymentRequest.model_fields["amount"].metadata == kernel["paid"].metadata
    assert payments.Callback.model_fields["amount"].metadata == kernel["paid"].metadata
    assert NaturalPersonRegistration.model_fields["resident_id"].metadata == \
        kernel["person"].metadata


# -- request models that hand typed values inward -------------------------------------------


def test_refund_request_reads_the_body_by_its_kind() -> None:
    account = {"bank": "中国银行福州分行", "number": "6217000000001234"}
    general = RefundRequest.model_validate(
        {"kind": "general", "obligation_id": "91350100M000100Y43:vat:2026-09",
         "account": account}).refund
    assert isinstance(general, GeneralRefundIn)
    assert general.account.number == "6217000000001234"
    export = RefundRequest.model_validate(
        {"kind": "export", "declaration_number": "350120261000012345",
         "export_date": "2026-11-01", "account": account,
         "lines": [{"product_code": "8471300000",
                    "invoice_number": "26352000000000000101"}]}).refund
    assert isinstance(export, ExportRefundIn)
    assert export.export_date == date(2026, 11, 1)


@pytest.mark.parametrize(("body", "field", "detail"), [
    ({"kind": "gift"}, "kind", "kind must be one of general, iit_annual, export"),
    ({"kind": "iit_annual", "year": 2018,
      "account": {"bank": "中国银行", "number": "6217000000001234"}},
     "year", "year: Input should be greater than or equal to 2019"),
])
def test_refund_request_names_the_failing_field(body: dict[str, Any], field: str,
                                                detail: str) -> None:
    with pytest.raises(Invalid) as caught:
        RefundRequest.model_validate(body)
    assert (caught.value.field, caught.value.detail) == (field, detail)


def test_campaign_request_gives_the_campaign() -> None:
    body = json.loads(json.dumps(campaign_codec.campaign_to_dict(YANTAI_2026)))
    campaign = CampaignRequest.model_validate(body).campaign
    assert isinstance(campaign, Campaign)
    assert campaign == YANTAI_2026


def test_campaign_request_names_the_failing_value_by_path() -> None:
    body = json.loads(json.dumps(campaign_codec.campaign_to_dict(YANTAI_2026)))
    body["periods"][0]["tiers"][0]["amount_yuan"] = "1.001"
    with pytest.raises(Invalid) as caught:
        CampaignRequest.model_validate(body)
    assert caught.value.field == "periods[0].tiers[0].amount_yuan"
    with pytest.raises(Invalid) as whole:
        CampaignRequest.model_validate([])
    assert whole.value.field == "body"


def test_verify_request_gives_the_query() -> None:
    query = VerifyRequest.model_validate(
        {"number": "26352000000000000101", "issue_date": "2026-11-02", "total": "113.00"}).query
    assert query == VerifyQuery("26352000000000000101", None, date(2026, 11, 2),
                                total_fen=11300)
    with pytest.raises(Invalid) as caught:
        VerifyRequest.model_validate({"number": "26352000000000000101",
                                      "issue_date": "2026-11-02", "total": "1.001"})
    assert (caught.value.field, caught.value.detail) == (
        "total", "at most 2 decimal places are allowed")
