"""The local stack's dev token issuer: mints bearer tokens for demo identities.

Deployed only when the stage is ``local`` (tests/infra proves it is absent
elsewhere). Tokens are ES256 JWTs signed by a KMS key; the authorizer checks
them against that key's public half, published here as JWKS.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.platform.api import make_resolver, parse_body
from etax.platform.aws import lazy
from etax.platform.dev_identities import DevTokenRequest, identity_for, token_lifetime
from etax.platform.observability import instrument
from etax.platform.settings import required
from etax.platform.tokens import KmsKeySource, KmsTokenSigner, max_lifetime_from

app = make_resolver()
kms = lazy("kms")
KEY_ID = required("AUTH_DEV_KEY_ID")
signer = KmsTokenSigner(kms, KEY_ID, required("AUTH_ISSUER"), required("AUTH_AUDIENCE"))
public_keys = KmsKeySource(kms, KEY_ID)
MAX_LIFETIME = max_lifetime_from()


@app.post("/v1/auth/dev-token")
def dev_token() -> dict[str, Any]:
    request = parse_body(app, DevTokenRequest)
    identity = identity_for(request)
    lifetime = token_lifetime(request, MAX_LIFETIME)
    return {
        "token": signer.mint(identity, ttl_seconds=lifetime),
        "token_type": "Bearer",
        "expires_in": lifetime,
        **identity.context(),
    }


@app.get("/v1/auth/jwks.json")
def jwks() -> dict[str, Any]:
    return public_keys.jwks()


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
