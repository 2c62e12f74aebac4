"""The API Gateway TOKEN authorizer: verifies the bearer JWT, hands role and subject on.

A valid token is allowed on the whole stage (so API Gateway can cache the
verdict across routes); what each role may do is decided by the functions.
An invalid or missing token is answered 401 by API Gateway (the error
message ``Unauthorized`` is API Gateway's contract for that).
"""

from __future__ import annotations

import os
from typing import Any

from etax.platform.observability import instrument, logger
from etax.platform.settings import required
from etax.platform.tokens import (
    InvalidToken,
    JwksKeySource,
    KeySource,
    KmsKeySource,
    TokenVerifier,
    bearer_token,
)


def _keys() -> KeySource:
    jwks_url = os.environ.get("AUTH_JWKS_URL")
    if jwks_url:
        return JwksKeySource(jwks_url)  # a real account: no AWS SDK needed on this path
    import boto3  # the local stack's dev issuer key lives in KMS

    return KmsKeySource(boto3.client("kms"), required("AUTH_DEV_KEY_ID"))


verifier = TokenVerifier(required("AUTH_ISSUER"), required("AUTH_AUDIENCE"), _keys())


def stage_arn(method_arn: str) -> str:
    """``arn:…:api/stage/GET/v1/me`` → ``arn:…:api/stage/*``."""
    api_and_stage = method_arn.split("/", 2)[:2]
    return "/".join([*api_and_stage, "*"])


def authorize(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        identity = verifier.verify(bearer_token(event.get("authorizationToken")))
    except InvalidToken as error:
        logger.info("token refused", extra={"reason": str(error)})
        raise Exception("Unauthorized") from None
    return {
        "principalId": identity.subject,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Action": "execute-api:Invoke",
                "Effect": "Allow",
                "Resource": stage_arn(event["methodArn"]),
            }],
        },
        "context": identity.context(),
    }


handler = instrument(authorize)
