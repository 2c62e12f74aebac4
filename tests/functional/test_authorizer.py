"""The authorizer, with tokens from the local dev issuer, over moto's KMS."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.functional.conftest import LambdaContext, call, load_handler, sample_event

METHOD_ARN = "arn:aws:execute-api:us-east-1:000000000000:abc123defg/api/GET/v1/me"


def mint(body: dict[str, Any]) -> dict[str, Any]:
    event = sample_event("dev_issuer/dev_token.json")
    event["body"] = json.dumps(body)
    return call(load_handler("dev_issuer"), event)


def authorize(token: str) -> dict[str, Any]:
    event = sample_event("authorizer/token.json")
    event["authorizationToken"] = f"Bearer {token}"
    event["methodArn"] = METHOD_ARN
    answer: dict[str, Any] = load_handler("authorizer").handler(event, LambdaContext())
    return answer


@pytest.mark.usefixtures("dev_key")
def test_a_dev_token_is_allowed_by_the_authorizer_with_its_identity() -> None:
    answer = mint({"role": "officer", "subject": "officer-fz-0001", "tax_office": "13501000000"})
    assert answer["statusCode"] == 200
    body = answer["json"]
    assert isinstance(body, dict)
    assert body["token_type"] == "Bearer"
    verdict = authorize(body["token"])
    assert verdict["principalId"] == "officer-fz-0001"
    assert verdict["context"] == {"role": "officer", "subject": "officer-fz-0001",
                                  "tax_office": "13501000000"}
    [statement] = verdict["policyDocument"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert statement["Resource"] == "arn:aws:execute-api:us-east-1:000000000000:abc123defg/api/*"


@pytest.mark.usefixtures("dev_key")
@pytest.mark.parametrize("token", ["", "garbage", "a.b.c"])
def test_bad_tokens_are_unauthorized(token: str) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(token)


@pytest.mark.usefixtures("dev_key")
def test_the_sample_token_event_is_unauthorized() -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        load_handler("authorizer").handler(sample_event("authorizer/token.json"),
                                            LambdaContext())
