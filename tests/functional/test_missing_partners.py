"""A function on a stage without the simulations (``prod``: no ``<PARTNER>_PROVIDER`` in its
environment, docs/partners.md) starts and answers its other routes; whatever needs the
missing partner fails closed: a 503 problem naming the partner on a route, a failed record
(retried, then the dead-letter queue and its alarm) in a queue consumer. Never a 500, never
a silent success."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from tests.functional.conftest import load_handler
from tests.functional.test_acceptance import PERSON_AUTH, REGISTRATION, person_body, request
from tests.functional.test_filing import (
    create,
    current_period,
    file_return,
    filing,
    start_payment,
)
from tests.functional.test_refunds import (
    IIT,
    PERSON,
    Pipeline,
    apply,
    pipeline,
    read,
    treasury_payments,
)

__all__ = ["filing", "pipeline"]  # the filing function and refunds pipeline fixtures, shared


def assert_names_the_missing(answer: dict[str, Any], partner: str) -> None:
    assert answer["statusCode"] == 503, answer
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    problem = answer["json"]
    assert f"the {partner} partner adapter is missing" in problem["detail"]
    assert f"{partner.upper()}_PROVIDER" in problem["detail"]


def test_registering_a_person_without_a_bank_is_a_503_naming_it(
        aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BANK_PROVIDER")
    answer = request(REGISTRATION, "POST", "/v1/registration/natural-persons", PERSON_AUTH,
                     person_body(), key="k1")
    assert_names_the_missing(answer, "bank")
    # nothing registered, and the function's other routes still answer
    assert request(REGISTRATION, "GET", f"/v1/registration/natural-persons/{PERSON}",
                   PERSON_AUTH)["statusCode"] == 404


def test_a_refund_without_the_banks_account_check_is_a_503_naming_it(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BANK_PROVIDER")
    api = load_handler("refunds")
    answer = apply(api, IIT)
    assert_names_the_missing(answer, "bank")
    assert pipeline.announce() == []  # no case was opened


def test_a_refund_without_a_treasury_is_not_paid_and_its_message_fails(
        pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch) -> None:
    case = apply(pipeline.api, IIT)["json"]
    [submitted] = pipeline.announce()
    assert pipeline.deliver(submitted) == []
    [checked] = pipeline.announce()
    assert pipeline.deliver(checked) == []
    monkeypatch.delenv("TREASURY_PROVIDER")
    payment = load_handler("refund_payment")
    pipeline.stages["refund_payment"] = payment
    [approved] = [e for e in pipeline.announce() if e.detail_type == "RefundApproved"]
    for receives in (1, 2, 3):  # retried, then the dead-letter queue (its alarm)
        assert pipeline.deliver(approved, receives=receives) == ["m-1"]
    assert read(pipeline.api, case["id"])["json"]["state"] == "approved"
    assert treasury_payments() == []


def test_a_payment_without_a_provider_is_a_503_naming_it_and_nothing_is_written(
        filing: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    oid = create(filing, current_period())["json"]["obligation_id"]
    file_return(filing, oid, {"sales": "150000.00"})
    monkeypatch.delenv("PAYMENT_PROVIDER")
    answer = start_payment(load_handler("filing"), oid, "pos", "100.00")
    assert_names_the_missing(answer, "payment")
    assert not [item for item in boto3.resource("dynamodb").Table("filing").scan()["Items"]
                if "payment_id" in item]
    wired = start_payment(filing, oid, "pos", "100.00", key="wired")  # with its provider
    assert wired["statusCode"] == 201
