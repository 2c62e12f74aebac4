"""Authentication: the token authorizer, and the dev token issuer of the local stack only."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import StageConfig
from infra.platform.functions import Functions
from infra.platform.keys import signing_key

TIMEOUT_SECONDS = 5
LOCAL_TIMEOUT_SECONDS = 20
"""On the local stage the authorizer waits longer than in the cloud, for the same reason the
functions serving routes do (``infra.platform.api.LOCAL_ROUTE_TIMEOUT_SECONDS``): a burst of
new tokens (a hundred people enrolling at once) starts several of its cold starts at once on
cores LocalStack shares, and one timing out at 5 s answered a 500 for a valid token."""


class Auth(Construct):
    """The authorizer function; on ``local``, the dev issuer's key and function too.

    Outside ``local`` the authorizer trusts the configured issuer's JWKS; the
    dev issuer is not created at all (tests/infra proves it).
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig,
                 functions: Functions) -> None:
        super().__init__(scope, construct_id)
        environment = {
            "AUTH_ISSUER": config.auth_issuer,
            "AUTH_AUDIENCE": config.auth_audience,
            "AUTH_MAX_TOKEN_LIFETIME_SECONDS": str(config.auth_max_token_lifetime),
        }
        self.dev_key: kms.Key | None = None
        self.dev_issuer: lambda_.Function | None = None
        if config.is_local:
            self.dev_key = signing_key(self, "DevIssuerKey",
                                       description="Local dev token issuer (ES256)", retain=False)
            environment["AUTH_DEV_KEY_ID"] = self.dev_key.key_id
        else:
            assert config.auth_jwks_url  # checked by StageConfig.validate
            environment["AUTH_JWKS_URL"] = config.auth_jwks_url
        self.authorizer = functions.create(
            self, "authorizer",
            description="Verifies bearer JWTs for API Gateway",
            environment=environment,
            timeout=Duration.seconds(LOCAL_TIMEOUT_SECONDS if config.is_local
                                     else TIMEOUT_SECONDS),
        )
        if self.dev_key is not None:
            self.dev_key.grant(self.authorizer, "kms:GetPublicKey")
            self.dev_issuer = functions.create(
                self, "dev_issuer",
                description="Local stack only: mints tokens for demo identities",
                environment=environment,
            )
            self.dev_key.grant(self.dev_issuer, "kms:Sign", "kms:GetPublicKey", "kms:DescribeKey")
