"""The authorizer, with tokens from the local dev issuer, over moto's KMS."""

from __future__ import annotations

import json
import time
import traceback
from typing import Any

import boto3
import pytest

from etax.platform.tokens import KmsTokenSigner
from tests.forged_tokens import ATTACKS, forged_tokens
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
    exp = int(verdict["context"].pop("exp"))
    assert verdict["context"] == {"role": "officer", "subject": "officer-fz-0001",
                                  "tax_office": "13501000000"}
    assert abs(exp - (time.time() + 3600)) < 60  # the token's exp, for the functions to check
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


ISSUER, AUDIENCE = "https://dev-issuer.etax.local", "etax-api"
PERSON = "11010519491231002X"


def signed(key_id: str, claims: dict[str, Any], *, kid: bool = True) -> str:
    """A token signed by the dev issuer's own KMS key with exactly these claims."""
    header: dict[str, Any] = {"alg": "ES256", "typ": "JWT"}
    if kid:
        header["kid"] = key_id
    return KmsTokenSigner(boto3.client("kms"), key_id, ISSUER, AUDIENCE).sign(header, claims)


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {"iss": ISSUER, "aud": AUDIENCE, "sub": PERSON, "role": "taxpayer",
                            "iat": now, "exp": now + 600}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


T0 = int(time.time())


def test_a_well_formed_token_of_the_issuer_is_allowed(dev_key: str) -> None:
    verdict = authorize(signed(dev_key, claims()))
    assert verdict["context"]["subject"] == PERSON


@pytest.mark.parametrize(("token_claims", "kid", "reason"), [
    (claims(exp=None), True, '"exp"'),
    (claims(sub=""), True, "sub is empty"),
    (claims(), False, "names no key"),
    (claims(iat=T0, exp=T0 + 3601), True, "lifetime (exp - iat) is 3601 s"),
    (claims(iat=None, exp=T0 + 7200), True, "lifetime (exp - now)"),
    (claims(iat=T0 - 1000, exp=T0 - 1), True, "expired"),
])
def test_refused_token_classes_are_401_and_logged_as_one_line(
        dev_key: str, caplog: pytest.LogCaptureFixture, token_claims: dict[str, Any],
        kid: bool, reason: str) -> None:
    token = signed(dev_key, token_claims, kid=kid)
    caplog.clear()
    with pytest.raises(Exception, match=r"^Unauthorized$") as refused:
        authorize(token)
    # the runtime records the error with the frames it went through: only the handler's own
    frames = traceback.extract_tb(refused.value.__traceback__)
    assert [f.name for f in frames if "functions/authorizer" in f.filename] == ["handler"]
    assert all("aws_lambda_powertools" not in f.filename for f in frames)
    assert refused.value.__cause__ is None
    assert refused.value.__context__ is None
    [record] = caplog.records
    assert (record.levelname, record.getMessage()) == ("INFO", "token refused")
    assert record.exc_info is None
    assert record.stack_info is None
    logged = {k: str(v) for k, v in vars(record).items() if k in ("reason", "subject")}
    assert reason in logged["reason"]
    assert "\n" not in logged["reason"]
    text = json.dumps(logged)
    assert token.split(".")[1] not in text
    assert PERSON not in text
    # the subject is known (and logged masked) once the signature was checked
    if reason in ("expired", "lifetime (exp - iat) is 3601 s", "lifetime (exp - now)"):
        assert logged["subject"] == "110105********002X"


def test_the_lifetime_maximum_is_the_configured_one(dev_key: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_MAX_TOKEN_LIFETIME_SECONDS", "300")
    now = int(time.time())
    assert authorize(signed(dev_key, claims(iat=now, exp=now + 300)))["principalId"] == PERSON
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorize(signed(dev_key, claims(iat=now, exp=now + 301)))


@pytest.mark.parametrize("attack", ATTACKS)
def test_every_forged_token_class_is_401_and_never_logged(
        dev_key: str, caplog: pytest.LogCaptureFixture, attack: str) -> None:
    token = forged_tokens(KmsTokenSigner(boto3.client("kms"), dev_key, ISSUER, AUDIENCE),
                          PERSON)[attack]
    caplog.clear()
    with pytest.raises(Exception, match=r"^Unauthorized$") as refused:
        authorize(token)
    assert refused.value.__cause__ is None
    [record] = caplog.records
    assert record.getMessage() == "token refused"
    text = json.dumps({k: str(v) for k, v in vars(record).items()}, ensure_ascii=False)
    for part in token.split("."):
        assert not part or part not in text
    assert PERSON not in text
