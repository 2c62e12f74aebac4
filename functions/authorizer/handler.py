"""The API Gateway TOKEN authorizer: verifies the bearer JWT, hands role, subject and exp on.

A valid token is allowed on the whole stage (so API Gateway can cache the
verdict across routes, for at most a minute: infra/platform/api.py); what each
role may do is decided by the functions, which also check the ``exp`` handed
on, so a cached verdict stops working when its token does. An invalid or
missing token is answered 401 by API Gateway (a function error with the
message ``Unauthorized`` is API Gateway's contract for that).

A refused token is logged as one line with the reason and the subject masked;
the token itself never. The error that tells API Gateway "401" is raised here,
outside the instrumented function, so the runtime's record of it is one frame.
"""

from __future__ import annotations

import os
from typing import Any

from etax.platform.aws import lazy
from etax.platform.observability import instrument, logger
from etax.platform.privacy import mask_identifier
from etax.platform.settings import required
from etax.platform.tokens import (
    InvalidToken,
    JwksKeySource,
    KeySource,
    KmsKeySource,
    TokenVerifier,
    bearer_token,
    max_lifetime_from,
)

REASON_LIMIT = 200  # characters of a refusal reason in the log


class TokenRefused(Exception):
    """API Gateway answers 401 when an authorizer fails with exactly this message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def _keys() -> KeySource:
    jwks_url = os.environ.get("AUTH_JWKS_URL")
    if jwks_url:
        return JwksKeySource(jwks_url)  # a real account: no AWS SDK needed on this path
    # The local stack's dev issuer key lives in KMS (its client made on the first check).
    return KmsKeySource(lazy("kms"), required("AUTH_DEV_KEY_ID"))


verifier = TokenVerifier(required("AUTH_ISSUER"), required("AUTH_AUDIENCE"), _keys(),
                         max_lifetime=max_lifetime_from())


def stage_arn(method_arn: str) -> str:
    """``arn:…:api/stage/GET/v1/me`` → ``arn:…:api/stage/*``."""
    api_and_stage = method_arn.split("/", 2)[:2]
    return "/".join([*api_and_stage, "*"])


def authorize(event: dict[str, Any], context: Any) -> dict[str, Any] | None:
    """The allow policy for a valid token; None (logged) for a refused one."""
    try:
        verified = verifier.verify(bearer_token(event.get("authorizationToken")))
    except InvalidToken as error:
        refusal: dict[str, Any] = {"reason": str(error)[:REASON_LIMIT]}
        if error.subject:
            refusal["subject"] = mask_identifier(error.subject)
        logger.info("token refused", extra=refusal)
        return None
    return {
        "principalId": verified.identity.subject,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Action": "execute-api:Invoke",
                "Effect": "Allow",
                "Resource": stage_arn(event["methodArn"]),
            }],
        },
        "context": verified.context(),
    }


_authorize = instrument(authorize)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    verdict: dict[str, Any] | None = _authorize(event, context)
    if verdict is None:
        raise TokenRefused
    return verdict
