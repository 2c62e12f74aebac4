"""Payment methods, callback signatures and the simulated providers."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from etax.filing import payments
from etax.filing.payments import Callback, method_key, signature_valid
from etax.simulations.payments import SimulatedProvider

MASTER = b"master-secret-for-tests"


def test_every_method_has_an_adapter_that_says_how_to_pay() -> None:
    assert set(payments.ADAPTERS) == set(payments.METHODS)
    assert payments.ADAPTERS["bank_transfer"].instruction("pay-1", 12345)["reference"] == "pay-1"
    assert payments.ADAPTERS["pos"].instruction("pay-1", 100)["pos_order"] == "pay-1"
    assert payments.ADAPTERS["online_banking"].instruction("pay-1", 100)[
        "redirect_url"].startswith("https://")
    assert "deep_link" in payments.ADAPTERS["mobile_banking"].instruction("pay-1", 100)
    assert payments.ADAPTERS["third_party"].instruction("pay-1", 100)["qr"].endswith("pay-1")
    assert payments.ADAPTERS["pos"].instruction("pay-1", 12345)["amount"] == "123.45"


def test_a_provider_signs_its_callback_with_its_own_key() -> None:
    body, headers = SimulatedProvider("pos", MASTER).callback("pay-1", 10_000)
    signature = headers[payments.SIGNATURE_HEADER]
    assert signature_valid(MASTER, "pos", body, signature)
    assert signature_valid(MASTER, "pos", body, signature.upper())  # hex in any case
    assert not signature_valid(MASTER, "bank_transfer", body, signature)  # another method's key
    assert not signature_valid(b"another master", "pos", body, signature)
    assert not signature_valid(MASTER, "pos", body + b" ", signature)  # one byte more
    assert not signature_valid(MASTER, "pos", body, None)
    assert not signature_valid(MASTER, "pos", body, "")
    assert not signature_valid(MASTER, "cash", body, signature)
    assert method_key(MASTER, "pos") != method_key(MASTER, "third_party")


def test_a_tampered_amount_fails_the_signature() -> None:
    body, headers = SimulatedProvider("third_party", MASTER).callback("pay-1", 10_000)
    tampered = json.dumps({**json.loads(body), "amount": "1.00"}).encode()
    assert not signature_valid(MASTER, "third_party", tampered,
                               headers[payments.SIGNATURE_HEADER])


def test_the_callback_body_is_what_the_platform_reads() -> None:
    at = datetime(2026, 11, 28, 1, 30, tzinfo=UTC)
    body, _ = SimulatedProvider("mobile_banking", MASTER).callback(
        "pay-1", 12_345, provider_ref="MB-1", confirmed_at=at)
    callback = Callback.model_validate_json(body)
    assert (callback.payment_id, callback.status, callback.amount_fen, callback.provider_ref,
            callback.confirmed_at) == ("pay-1", "succeeded", 12_345, "MB-1", at)


@pytest.mark.parametrize("change", [{"amount": "-1.00"}, {"amount": "0"}, {"status": "maybe"},
                                    {"confirmed_at": "2026-11-28T09:00:00"}])
def test_bad_callback_bodies_are_refused(change: dict[str, str]) -> None:
    body, _ = SimulatedProvider("pos", MASTER).callback("pay-1", 100)
    with pytest.raises(ValueError, match="validation error"):
        Callback.model_validate({**json.loads(body), **change})


def test_unknown_methods_have_no_provider() -> None:
    with pytest.raises(ValueError, match="unknown payment method"):
        SimulatedProvider("cash", MASTER)


def test_a_confirmation_time_is_accepted_only_within_the_payments_life() -> None:
    created = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    received = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    ok = payments.confirmation_time_problem
    assert ok(created + timedelta(minutes=30), created_at=created, received_at=received) is None
    skew = payments.CLOCK_SKEW
    assert ok(created - skew, created_at=created, received_at=received) is None
    assert ok(received + skew, created_at=created, received_at=received) is None
    backdated = ok(created - skew - timedelta(seconds=1), created_at=created,
                   received_at=received)
    assert backdated is not None
    assert "before the payment was created" in backdated
    future = ok(datetime(2030, 1, 1, tzinfo=UTC), created_at=created, received_at=received)
    assert future is not None
    assert "later than the callback's arrival" in future
