"""The local dev token issuer, over moto's KMS."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from tests.functional.conftest import call, load_handler, sample_event
from tests.functional.test_authorizer import mint


@pytest.mark.usefixtures("dev_key")
@pytest.mark.parametrize(("body", "status", "field"), [
    ({"role": "king", "subject": "x"}, 422, "role"),
    ({"role": "officer", "subject": "officer-1"}, 422, "tax_office"),
    ({"role": "taxpayer", "subject": "123"}, 422, "subject"),
    ({"subject": "x"}, 422, "role"),
    ({"role": "admin", "subject": "admin-1", "ttl_seconds": 10}, 422, "ttl_seconds"),
])
def test_dev_token_refuses_impossible_identities(body: dict[str, Any], status: int,
                                                 field: str) -> None:
    answer = mint(body)
    assert answer["statusCode"] == status
    assert answer["json"]["field"] == field


@pytest.mark.usefixtures("dev_key")
def test_dev_token_with_a_body_that_is_not_json_is_400() -> None:
    event = sample_event("dev_issuer/dev_token.json")
    event["body"] = "{role: admin"
    answer = call(load_handler("dev_issuer"), event)
    assert answer["statusCode"] == 400
    assert answer["json"]["field"] == "body"


@pytest.mark.usefixtures("dev_key")
def test_jwks_publishes_the_key_tokens_are_checked_against() -> None:
    token = mint({"role": "admin", "subject": "admin-1"})["json"]["token"]
    jwks = call(load_handler("dev_issuer"), sample_event("dev_issuer/jwks.json"))["json"]
    [key] = jwks["keys"]
    assert (key["kty"], key["crv"], key["alg"]) == ("EC", "P-256", "ES256")
    claims = jwt.decode(token, jwt.PyJWK(key), algorithms=["ES256"],
                        audience="etax-api", issuer="https://dev-issuer.etax.local")
    assert claims["role"] == "admin"


@pytest.mark.usefixtures("dev_key")
@pytest.mark.parametrize(("maximum", "ttl", "status"), [
    (None, 3600, 200), (None, 3601, 422), ("900", 900, 200), ("900", 901, 422),
])
def test_no_dev_token_outlives_the_issuers_maximum(monkeypatch: pytest.MonkeyPatch,
                                                   maximum: str | None, ttl: int,
                                                   status: int) -> None:
    if maximum is not None:
        monkeypatch.setenv("AUTH_MAX_TOKEN_LIFETIME_SECONDS", maximum)
    answer = mint({"role": "admin", "subject": "admin-1", "ttl_seconds": ttl})
    assert answer["statusCode"] == status, answer["json"]
    if status == 422:
        assert answer["json"]["field"] == "ttl_seconds"
    else:
        assert answer["json"]["expires_in"] == ttl
