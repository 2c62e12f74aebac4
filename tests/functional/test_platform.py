"""The platform function: health, who-am-I, and the problem answers every API shares."""

from __future__ import annotations

import time
from typing import Any

import pytest

from etax.platform.reference import DOCUMENT
from tests.functional.conftest import LambdaContext, call, load_handler, sample_event


def test_health() -> None:
    answer = call(load_handler("platform"), sample_event("platform/health.json"))
    assert answer["statusCode"] == 200
    assert answer["json"]["status"] == "ok"
    assert answer["json"]["stage"] == "local"


def test_me_returns_the_authorizer_verdict() -> None:
    answer = call(load_handler("platform"), sample_event("platform/me.json"))
    assert answer["statusCode"] == 200
    assert answer["json"] == {"role": "taxpayer", "subject": "91350100M000100Y43",
                              "tax_office": None}


def test_me_without_a_token_is_a_401_problem() -> None:
    event = sample_event("platform/me.json")
    del event["requestContext"]["authorizer"]
    answer = call(load_handler("platform"), event)
    assert answer["statusCode"] == 401
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    assert answer["json"]["type"] == "urn:etax:problem:unauthorized"


@pytest.mark.parametrize("seconds_ago", [0, 1, 59])
def test_a_cached_verdict_for_an_expired_token_is_a_401_problem(seconds_ago: int) -> None:
    """API Gateway serves a cached verdict up to a minute; at the token's exp it stops working."""
    event = sample_event("platform/me.json")
    event["requestContext"]["authorizer"]["exp"] = str(int(time.time()) - seconds_ago)
    answer = call(load_handler("platform"), event)
    assert answer["statusCode"] == 401
    assert answer["headers"]["Content-Type"] == "application/problem+json"
    assert answer["json"]["type"] == "urn:etax:problem:unauthorized"
    assert "expired" in answer["json"]["detail"]
    assert 'error="invalid_token"' in answer["headers"]["WWW-Authenticate"]


def test_a_verdict_still_valid_for_a_second_is_served() -> None:
    event = sample_event("platform/me.json")
    event["requestContext"]["authorizer"]["exp"] = str(int(time.time()) + 2)
    assert call(load_handler("platform"), event)["statusCode"] == 200


def test_every_route_refuses_an_expired_verdict_not_only_those_that_read_the_caller() -> None:
    """The resolver checks exp before any route (health reads no caller)."""
    event = sample_event("platform/health.json")
    event["requestContext"]["authorizer"] = {"principalId": "admin-0001", "role": "admin",
                                             "subject": "admin-0001",
                                             "exp": str(int(time.time()) - 1)}
    answer = call(load_handler("platform"), event)
    assert answer["statusCode"] == 401
    assert "expired" in answer["json"]["detail"]


def test_a_verdict_without_exp_is_refused() -> None:
    event = sample_event("platform/me.json")
    del event["requestContext"]["authorizer"]["exp"]
    answer = load_handler("platform").handler(event, LambdaContext())  # not call(): it adds exp
    assert answer["statusCode"] == 401


def test_unknown_route_is_a_404_problem() -> None:
    event = sample_event("platform/health.json")
    event["path"] = "/v1/nowhere"
    answer = call(load_handler("platform"), event)
    assert answer["statusCode"] == 404
    assert answer["json"]["detail"] == "no route for GET /v1/nowhere"


def test_cors_headers_for_browsers() -> None:
    event = sample_event("platform/health.json")
    event["headers"]["Origin"] = "http://localhost:8080"
    event["multiValueHeaders"]["Origin"] = ["http://localhost:8080"]
    answer = call(load_handler("platform"), event)
    assert answer["headers"]["Access-Control-Allow-Origin"] == "*"


def _reference_event(path: str) -> dict[str, Any]:
    event = sample_event("platform/health.json")
    event["resource"] = event["path"] = path
    event["requestContext"]["resourcePath"] = event["requestContext"]["path"] = path
    return event


def test_openapi_json_answers_the_packaged_document() -> None:
    answer = call(load_handler("platform"), _reference_event("/v1/openapi.json"))
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "application/json"
    assert answer["body"] == DOCUMENT.read_text(encoding="utf-8")  # byte for byte
    assert answer["json"]["openapi"] == "3.1.0"
    assert "get" in answer["json"]["paths"]["/v1/openapi.json"]


def test_docs_answers_a_self_contained_reference_page() -> None:
    answer = call(load_handler("platform"), _reference_event("/v1/docs"))
    assert answer["statusCode"] == 200
    assert answer["headers"]["Content-Type"] == "text/html; charset=utf-8"
    page = answer["body"]
    assert page.startswith("<!doctype html>")
    assert "<code>POST /v1/invoices</code>" in page
    assert "http://" not in page  # nothing fetched elsewhere
    assert "https://" not in page


def test_an_unknown_path_is_answered_percent_encoded() -> None:
    """No control or bidi character the client sent reaches the problem body."""
    event = sample_event("platform/health.json")
    event["path"] = "/v1/nowhere\u202e\u0000"
    answer = call(load_handler("platform"), event)
    assert answer["statusCode"] == 404
    assert answer["json"]["detail"] == "no route for GET /v1/nowhere%E2%80%AE%00"
