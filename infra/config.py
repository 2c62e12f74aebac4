"""What differs between deployments, read from CDK context (``-c key=value`` or cdk.json).

=================  ==========================================================
context key        meaning
=================  ==========================================================
``stage``          ``local`` (the local stack: adds the dev token issuer and
                   short queue timings) or any other name (``dev``, ``prod``…);
                   ``prod`` is production (provisioned concurrency, canaries)
``auth_issuer``    the JWT issuer (``iss``) the authorizer trusts; required
                   outside ``local``, e.g. a Cognito user pool's issuer URL
``auth_audience``  the audience (``aud``) tokens must carry (default ``etax-api``)
``auth_jwks_url``  the issuer's published keys (JWKS); required outside ``local``
``auth_max_token_lifetime``  the longest token lifetime (seconds, ``exp - iat``) the
                   authorizer accepts (default 3600, Cognito's default validity)
``alarm_email``    an address subscribed to the alarm topic
``alarm_topic_arn``  an SNS topic (the operators' paging or chat) every alarm also
                   notifies; outside ``local`` one of the two is required
``version``        the version string the functions report (default ``dev``)
=================  ==========================================================
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Node

LOCAL = "local"
PRODUCTION = "prod"
DEV_ISSUER = "https://dev-issuer.etax.local"
DEFAULT_AUDIENCE = "etax-api"
DEFAULT_MAX_TOKEN_LIFETIME = 3600  # seconds; etax.platform.tokens.DEFAULT_MAX_LIFETIME_SECONDS


class ConfigError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class StageConfig:
    stage: str
    auth_issuer: str
    auth_audience: str
    auth_jwks_url: str | None
    alarm_email: str | None
    version: str
    auth_max_token_lifetime: int = DEFAULT_MAX_TOKEN_LIFETIME
    alarm_topic_arn: str | None = None

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL

    @property
    def is_production(self) -> bool:
        """The ``prod`` stage: provisioned concurrency and canary deployments."""
        return self.stage == PRODUCTION

    @property
    def stack_name(self) -> str:
        return f"Etax-{self.stage}"

    @property
    def queue_visibility_factor(self) -> int:
        """Queue visibility timeout as a multiple of the consumer's timeout.

        AWS recommends six; the local stack uses two so a failing message
        reaches its dead-letter queue in seconds in the tests.
        """
        return 2 if self.is_local else 6

    @classmethod
    def from_context(cls, node: Node) -> StageConfig:
        def get(key: str) -> str | None:
            value = node.try_get_context(key)
            return str(value) if value not in (None, "") else None

        stage = get("stage") or LOCAL
        config = cls(
            stage=stage,
            auth_issuer=get("auth_issuer") or (DEV_ISSUER if stage == LOCAL else ""),
            auth_audience=get("auth_audience") or DEFAULT_AUDIENCE,
            auth_jwks_url=get("auth_jwks_url"),
            alarm_email=get("alarm_email"),
            alarm_topic_arn=get("alarm_topic_arn"),
            version=get("version") or "dev",
            auth_max_token_lifetime=_seconds(get("auth_max_token_lifetime"),
                                             DEFAULT_MAX_TOKEN_LIFETIME),
        )
        config.validate()
        return config

    def validate(self) -> None:
        if not self.stage.isalnum() or not self.stage.islower():
            raise ConfigError(f"stage {self.stage!r} must be lower-case letters and digits")
        if not 60 <= self.auth_max_token_lifetime <= 86400:
            raise ConfigError("auth_max_token_lifetime must be 60-86400 seconds "
                              f"(got {self.auth_max_token_lifetime})")
        if not self.is_local:
            missing = [k for k, v in (("auth_issuer", self.auth_issuer),
                                      ("auth_jwks_url", self.auth_jwks_url)) if not v]
            if missing:
                raise ConfigError(
                    f"stage {self.stage!r} needs context {', '.join(missing)} "
                    "(the identity provider the authorizer trusts); see README § Deploy"
                )
            if not (self.alarm_email or self.alarm_topic_arn):
                raise ConfigError(
                    f"stage {self.stage!r} needs context alarm_email or alarm_topic_arn "
                    "(someone must hear its alarms); see README § Deploy"
                )
        if self.alarm_topic_arn and not self.alarm_topic_arn.startswith("arn:"):
            raise ConfigError(f"alarm_topic_arn {self.alarm_topic_arn!r} is not an SNS topic ARN")


def _seconds(value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{value!r} is not a whole number of seconds") from None
