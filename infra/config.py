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
``auth_authorize_url``, ``auth_token_url``, ``auth_client_id``  the portal's OIDC
                   client (authorization code with PKCE, a public client): the
                   provider's authorization and token endpoints (https) and the app
                   client's id; set all three or none (none: the portal says sign-in
                   is not configured); read outside ``local``
``auth_scopes``    the scopes the portal asks for (space-separated, default ``openid``)
``auth_logout_url``  the provider's logout endpoint (https), where sign-out goes
``alarm_email``    an address subscribed to the alarm topic
``alarm_topic_arn``  an SNS topic (the operators' paging or chat) every alarm also
                   notifies; outside ``local`` one of the two is required
``upload_origins`` the web origins (comma-separated) browsers upload documents from;
                   required outside ``local`` (``local`` allows any, ``*``)
``simulations``    ``true`` to deploy the simulated partners (their ledger tables and
                   ``<PARTNER>_PROVIDER=simulated``, docs/partners.md); default on for
                   ``local`` and ``test``, off elsewhere; never on ``prod`` (an error)
``version``        the version string the functions report (default ``dev``)
``account``        the AWS account the stage deploys to (12 digits); required
                   for ``prod``, elsewhere the CLI's account if not given
``region``         the region the stage deploys to (e.g. ``cn-north-1``);
                   required for ``prod``, elsewhere the CLI's region if not given
``stages``         one entry per stage, ``{"prod": {"account": …, "region": …,
                   "alarm_email": …}, …}``: a key in the stage's entry wins
                   over the same key given alone (one account per stage,
                   docs/deploying.md)
=================  ==========================================================
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from constructs import Node

LOCAL = "local"
PRODUCTION = "prod"
SIMULATION_STAGES = frozenset({LOCAL, "test"})  # the stages that run the simulated partners
DEV_ISSUER = "https://dev-issuer.etax.local"
DEFAULT_AUDIENCE = "etax-api"
DEFAULT_MAX_TOKEN_LIFETIME = 3600  # seconds; etax.platform.tokens.DEFAULT_MAX_LIFETIME_SECONDS


STAGE_KEYS = frozenset({  # what a stage's entry in context ``stages`` may set
    "auth_issuer", "auth_audience", "auth_jwks_url", "alarm_email", "alarm_topic_arn", "version",
    "auth_max_token_lifetime", "upload_origins", "account", "region", "simulations",
    "auth_authorize_url", "auth_token_url", "auth_client_id", "auth_scopes", "auth_logout_url"})
OIDC_CLIENT_KEYS = ("auth_authorize_url", "auth_token_url", "auth_client_id")  # all or none


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
    upload_origins: tuple[str, ...] = ()
    account: str | None = None
    region: str | None = None
    simulations: bool = False
    auth_authorize_url: str | None = None
    auth_token_url: str | None = None
    auth_client_id: str | None = None
    auth_scopes: str = "openid"
    auth_logout_url: str | None = None

    @property
    def is_local(self) -> bool:
        return self.stage == LOCAL

    @property
    def is_production(self) -> bool:
        """The ``prod`` stage: its own account, termination protection, provisioned concurrency
        and canary deployments."""
        return self.stage == PRODUCTION

    @property
    def stack_name(self) -> str:
        return f"Etax-{self.stage}"

    @property
    def queue_visibility_factor(self) -> int:
        """Queue visibility timeout as a multiple of the consumer's timeout.

        AWS recommends six; the local stack uses one (the least a Lambda event source accepts:
        the visibility may not be shorter than the consumer's timeout), so a failing message
        reaches its dead-letter queue after three receives within a few of its timeouts in the
        tests.
        """
        return 1 if self.is_local else 6

    @classmethod
    def from_context(cls, node: Node, stage: str | None = None) -> StageConfig:
        """The configuration of ``stage`` (default: context ``stage``, else ``local``): each key
        from the stage's entry in context ``stages`` if there, else from the key alone."""
        stage = stage or _text(node.try_get_context("stage")) or LOCAL
        stages = node.try_get_context("stages") or {}
        if isinstance(stages, str):  # given on the command line: -c stages='{"prod": {…}}'
            stages = json.loads(stages)
        if not isinstance(stages, dict) or not isinstance(stages.get(stage, {}), dict):
            raise ConfigError("context stages must map each stage to an object of its keys")
        own = stages.get(stage, {})
        unknown = sorted(set(own) - STAGE_KEYS)
        if unknown:  # a misspelt key would otherwise be silently ignored
            raise ConfigError(f"context stages.{stage} has keys this app does not read: "
                              f"{', '.join(unknown)} (known: {', '.join(sorted(STAGE_KEYS))})")

        def get(key: str) -> str | None:
            return _text(own[key]) if key in own else _text(node.try_get_context(key))

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
            upload_origins=tuple(o.strip() for o in (get("upload_origins") or "").split(",")
                                 if o.strip()) or (("*",) if stage == LOCAL else ()),
            account=get("account"),
            region=get("region"),
            simulations=_flag(get("simulations"), "simulations",
                              default=stage in SIMULATION_STAGES),
            auth_authorize_url=get("auth_authorize_url"),
            auth_token_url=get("auth_token_url"),
            auth_client_id=get("auth_client_id"),
            auth_scopes=get("auth_scopes") or "openid",
            auth_logout_url=get("auth_logout_url"),
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
            if not self.upload_origins or "*" in self.upload_origins:
                raise ConfigError(f"stage {self.stage!r} needs context upload_origins (the web "
                                  "origins documents are uploaded from, comma-separated, not *)")
        if self.is_production and not (self.account and self.region):
            raise ConfigError(
                f"stage {self.stage!r} needs context account and region (the production "
                "account, never the deployer's default); see docs/deploying.md"
            )
        if self.is_production and self.simulations:
            raise ConfigError(f"stage {self.stage!r} never runs the simulated partners "
                              "(context simulations); see docs/partners.md")
        if self.account and not (len(self.account) == 12 and self.account.isdigit()):
            raise ConfigError(f"account {self.account!r} is not a 12-digit AWS account id")
        if self.region and not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", self.region):
            raise ConfigError(f"region {self.region!r} is not an AWS region name")
        if self.alarm_topic_arn and not self.alarm_topic_arn.startswith("arn:"):
            raise ConfigError(f"alarm_topic_arn {self.alarm_topic_arn!r} is not an SNS topic ARN")
        self._validate_oidc_client()

    @property
    def has_oidc_client(self) -> bool:
        """The portal signs in with the stage's identity provider (authorization code + PKCE)."""
        return self.auth_client_id is not None

    def _validate_oidc_client(self) -> None:
        given = [k for k in OIDC_CLIENT_KEYS if getattr(self, k)]
        if given and len(given) != len(OIDC_CLIENT_KEYS):
            missing = [k for k in OIDC_CLIENT_KEYS if k not in given]
            raise ConfigError(f"the portal's OIDC client needs {', '.join(OIDC_CLIENT_KEYS)} "
                              f"together (missing {', '.join(missing)}); see docs/deploying.md")
        if self.auth_logout_url and not given:
            raise ConfigError("auth_logout_url is the portal's OIDC client's; it needs "
                              f"{', '.join(OIDC_CLIENT_KEYS)}")
        for key in ("auth_authorize_url", "auth_token_url", "auth_logout_url"):
            value = getattr(self, key)
            if value is not None and not _https_url(value):
                raise ConfigError(f"{key} {value!r} must be an https URL without credentials "
                                  "or fragment (the code and tokens travel through it)")
        if self.auth_client_id is not None and not re.fullmatch(r"[\w.\-:]{1,128}",
                                                                self.auth_client_id):
            raise ConfigError(f"auth_client_id {self.auth_client_id!r} is not a client id "
                              "(letters, digits, . _ - :)")
        if not re.fullmatch(r"[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*",
                            self.auth_scopes):
            raise ConfigError(f"auth_scopes {self.auth_scopes!r} must be scope names separated "
                              "by single spaces (RFC 6749 §3.3)")


def _https_url(value: str) -> bool:
    parts = urlsplit(value)
    return (parts.scheme == "https" and bool(parts.hostname) and not parts.username
            and not parts.password and not parts.fragment and " " not in value)


def _text(value: object) -> str | None:
    return str(value) if value not in (None, "") else None


def _flag(value: str | None, key: str, *, default: bool) -> bool:
    if value is None:
        return default
    if value.lower() not in ("true", "false"):
        raise ConfigError(f"context {key} must be true or false (got {value!r})")
    return value.lower() == "true"


def _seconds(value: str | None, default: int) -> int:
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{value!r} is not a whole number of seconds") from None
