"""The route classes' own limits on the stage without a WAF (etax.platform.limits): with the
infrastructure's ``EDGE_LIMITS`` in its environment, a function answers one route of each class
429 problem+json with Retry-After once an address is over the class's limit, while another
address still gets through; the lottery scan also counts each signed-in subject. The figures
here are test-sized; the real ones are infra/platform/edge.py's (tests/infra)."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from etax.platform.limits import Limit
from tests.functional.conftest import call, load_handler
from tests.functional.test_invoices import request
from tests.functional.test_lottery import BUYER, lottery_env  # noqa: F401
from tests.functional.test_verification import issued  # noqa: F401

PER_IP = 3
PER_IDENTITY = 2
# class → (function, what it needs first, method, path, body, signed in as)
ROUTES: dict[str, tuple[str, tuple[str, ...], str, str, Any, tuple[str, str] | None]] = {
    "Verification": ("verification", ("issued",), "POST", "/v1/invoices/qr/parse",
                     {"payload": "not a QR code"}, None),
    "LotteryScan": ("lottery", ("invoicing", "lottery_env"), "POST", "/v1/lottery/scan", {},
                    BUYER),
    "Calculators": ("calculators", (), "POST", "/v1/tools/vat", {}, None),
    "Registration": ("acceptance_registration", (), "GET",
                     "/v1/registration/verify/91350100M000100Y43", None, None),
    "Reference": ("invoices", ("invoicing",), "GET", "/v1/invoices/spec", None, None),
    "Consultation": ("platform", (), "GET", "/v1/health", None, None),
}
DECLARED = {"Registration": "GET /v1/registration/verify/{credit_code}"}


def limits() -> list[dict[str, Any]]:
    return [Limit(name, (DECLARED.get(name, f"{method} {path}"),), PER_IP, 300,
                  PER_IDENTITY if name == "LotteryScan" else None).as_json()
            for name, (_, _, method, path, _, _) in ROUTES.items()]


@pytest.fixture
def limited(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The limits set, and the limiter's clock held in the middle of a window: a test's
    requests never straddle two windows (a new window would admit the one to be refused)."""
    monkeypatch.setenv("EDGE_LIMITS", json.dumps(limits()))
    monkeypatch.setattr("etax.platform.limits.clock", lambda: 1_800_000_150.0)


def send(module: Any, name: str, ip: str, subject: str | None = None) -> dict[str, Any]:
    _, _, method, path, body, who = ROUTES[name]
    if subject is not None:
        who = ("taxpayer", subject)
    event = request(method, path, body=body, who=who)
    event["requestContext"]["identity"] = {"sourceIp": ip}
    event["headers"]["X-Forwarded-For"] = f"192.0.2.{len(ip)}"  # never what is counted
    return call(module, event)


def handler_for(name: str, request_: pytest.FixtureRequest) -> Any:
    function, needs, *_ = ROUTES[name]
    for fixture in needs:
        request_.getfixturevalue(fixture)
    return load_handler(function)


@pytest.mark.parametrize("name", ROUTES)
def test_over_its_class_limit_an_address_gets_429_with_retry_after(
        name: str, limited: None, request: pytest.FixtureRequest) -> None:
    module = handler_for(name, request)
    signed_in = ROUTES[name][5] is not None
    for n in range(PER_IP):  # a signed-in route: as different callers (each under its own)
        subject = f"caller-{n}" if signed_in else None
        assert send(module, name, "203.0.113.7", subject)["statusCode"] != 429
    refused = send(module, name, "203.0.113.7", "caller-x" if signed_in else None)
    assert refused["statusCode"] == 429, refused
    assert "from this address" in refused["json"]["detail"]
    assert refused["headers"]["Content-Type"] == "application/problem+json"
    wait = int(refused["headers"]["Retry-After"])
    assert 1 <= wait <= 300
    assert refused["json"]["retry_after"] == wait
    assert refused["json"]["type"] == "urn:etax:problem:rate-limited"
    assert send(module, name, "198.51.100.9")["statusCode"] != 429  # another address


def test_a_signed_in_scanner_is_limited_across_addresses(
        limited: None, request: pytest.FixtureRequest) -> None:
    module = handler_for("LotteryScan", request)
    for n in range(PER_IDENTITY):
        assert send(module, "LotteryScan", f"203.0.113.{n}")["statusCode"] != 429
    refused = send(module, "LotteryScan", "203.0.113.99")
    assert refused["statusCode"] == 429
    assert "by this caller" in refused["json"]["detail"]
    assert BUYER[1] not in refused["body"]
    other = send(module, "LotteryScan", "203.0.113.99", subject="350102199001011237")
    assert other["statusCode"] != 429


def test_without_the_counters_table_the_request_is_served(
        limited: None, request: pytest.FixtureRequest) -> None:
    module = handler_for("Consultation", request)
    boto3.client("dynamodb").delete_table(TableName="edge-limits")
    for _ in range(PER_IP + 1):
        assert send(module, "Consultation", "203.0.113.7")["statusCode"] == 200


def test_without_edge_limits_nothing_is_counted(aws: None, api_calls: Any) -> None:
    module = load_handler("platform")
    for _ in range(PER_IP + 1):
        assert send(module, "Consultation", "203.0.113.7")["statusCode"] == 200
    assert api_calls.of("dynamodb") == []
