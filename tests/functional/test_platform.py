"""The platform function: health, who-am-I, and the problem answers every API shares."""

from __future__ import annotations

from tests.functional.conftest import call, load_handler, sample_event


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
