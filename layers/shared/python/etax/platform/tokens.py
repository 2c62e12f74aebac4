"""Bearer tokens: verifying them (the authorizer) and minting them (the local dev issuer).

Tokens are JWTs. Verification checks the signature against the issuer's
published keys (the header must name its key: ``kid``) with the one algorithm
that key's type allows (ES256 for an EC key, RS256 for an RSA key: ``alg:
none``, HMAC and a mismatched ``alg`` are refused before any key is used), and
``iss``, ``aud``,
``exp`` (required; a token stops working at its ``exp``, no leeway), a
non-empty ``sub``, and the token's lifetime (``exp - iat``, or ``exp - now``
without ``iat``), which may not exceed the issuer's maximum
(:data:`DEFAULT_MAX_LIFETIME_SECONDS` unless configured: the authorizer reads
``AUTH_MAX_TOKEN_LIFETIME_SECONDS``). The platform's claims are
``sub`` (the subject: a credit code, a resident ID, an officer or partner id),
``role`` and, for officers, ``tax_office``. Identity providers that carry
roles as groups (Cognito's ``cognito:groups``) are read too. Keys come only
from the configured :class:`KeySource`: a token's own ``jku``, ``x5u``,
``jwk`` or ``x5c`` header is never followed (RFC 8725 §3.1, §3.10).

Key sources:
- :class:`JwksKeySource`: the issuer's JWKS document over HTTPS (Cognito, any
  OIDC issuer in a real account), fetched once per execution environment and
  again when a token names an unknown ``kid`` (key rotation).
- :class:`KmsKeySource`: the public half of a KMS key (the local dev issuer,
  whose private key never leaves KMS).

Minting (:class:`KmsTokenSigner`) signs ES256 with KMS (ECDSA_SHA_256 over the
JWS signing input), converting KMS's DER signature to the JOSE r‖s form.
"""

from __future__ import annotations

import base64
import json
import os
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ROLES = ("taxpayer", "officer", "partner", "developer", "admin")
ALGORITHMS = ["ES256", "RS256"]
DEFAULT_MAX_LIFETIME_SECONDS = 3600  # Cognito's default token validity; configurable per stage
MAX_LIFETIME_ENV = "AUTH_MAX_TOKEN_LIFETIME_SECONDS"
CLOCK_SKEW_SECONDS = 30  # tolerated on ``iat``/``nbf`` (an issuer clock a little ahead), not on exp


class InvalidToken(Exception):
    """The token cannot be trusted; the message says why (for logs, not for clients).

    ``subject`` is the token's ``sub`` when the signature was good, so the refusal can be
    logged against it (masked).
    """

    def __init__(self, reason: str, *, subject: str | None = None) -> None:
        super().__init__(reason)
        self.subject = subject


def _excerpt(value: object, limit: int = 40) -> str:
    """A short ``repr`` of a value taken from an untrusted token (for messages and logs)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a verified token speaks for."""

    subject: str
    role: str
    tax_office: str | None = None

    def context(self) -> dict[str, str]:
        """The authorizer context API Gateway hands to the functions (string values only)."""
        ctx = {"role": self.role, "subject": self.subject}
        if self.tax_office:
            ctx["tax_office"] = self.tax_office
        return ctx


@dataclass(frozen=True, slots=True)
class VerifiedToken:
    """A token that passed verification: who it speaks for, and until when (``exp``)."""

    identity: Identity
    expires_at: int

    def context(self) -> dict[str, str]:
        """The identity's context plus ``exp`` (epoch seconds), which the functions check again:
        API Gateway may serve a cached verdict after the token expired."""
        return {**self.identity.context(), "exp": str(self.expires_at)}


class KeySource(Protocol):
    def key_for(self, kid: str | None) -> Any: ...


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class JwksKeySource:
    """Keys from an issuer's JWKS URL, cached, refreshed on an unknown ``kid``."""

    def __init__(self, url: str, min_refresh_seconds: float = 60.0) -> None:
        self.url = url
        self.min_refresh_seconds = min_refresh_seconds
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0

    def _fetch(self) -> None:
        with urllib.request.urlopen(self.url, timeout=5) as response:  # noqa: S310 - https URL from config
            document = json.load(response)
        keys: dict[str, Any] = {}
        for jwk in document.get("keys", []):
            algorithm = RSAAlgorithm if jwk.get("kty") == "RSA" else ECAlgorithm
            keys[jwk.get("kid", "")] = algorithm.from_jwk(json.dumps(jwk))
        self._keys = keys
        self._fetched_at = time.monotonic()

    def key_for(self, kid: str | None) -> Any:
        if (kid or "") not in self._keys and (
            time.monotonic() - self._fetched_at >= self.min_refresh_seconds or not self._keys
        ):
            self._fetch()
        try:
            return self._keys[kid or ""]
        except KeyError:
            raise InvalidToken(f"no published key with kid {_excerpt(kid)}") from None


class KmsKeySource:
    """The public key of one KMS signing key, fetched once."""

    def __init__(self, kms_client: Any, key_id: str) -> None:
        self.kms = kms_client
        self.key_id = key_id
        self._key: Any = None
        self._kid: str | None = None

    def _load(self) -> None:
        answer = self.kms.get_public_key(KeyId=self.key_id)
        self._key = serialization.load_der_public_key(answer["PublicKey"])
        self._kid = answer["KeyId"].rsplit("/", 1)[-1]

    def key_for(self, kid: str | None) -> Any:
        if self._key is None:
            self._load()
        if kid is not None and kid != self._kid:
            raise InvalidToken(f"token kid {_excerpt(kid)} is not this issuer's key")
        return self._key

    def jwks(self) -> dict[str, Any]:
        """The key as a JWKS document, for clients that verify tokens themselves."""
        self.key_for(None)
        jwk = json.loads(ECAlgorithm.to_jwk(self._key))
        jwk.update({"kid": self._kid, "use": "sig", "alg": "ES256"})
        return {"keys": [jwk]}


class TokenVerifier:
    """Verifies bearer tokens for one issuer and audience.

    ``max_lifetime`` is the longest lifetime the issuer allows (seconds); ``leeway`` is the
    clock skew tolerated on ``iat`` and ``nbf``. ``exp`` gets no leeway.
    """

    def __init__(self, issuer: str, audience: str, keys: KeySource,
                 leeway: float = CLOCK_SKEW_SECONDS,
                 max_lifetime: int = DEFAULT_MAX_LIFETIME_SECONDS) -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys = keys
        self.leeway = leeway
        self.max_lifetime = max_lifetime

    def verify(self, token: str, now: float | None = None) -> VerifiedToken:
        current = time.time() if now is None else now
        try:
            header = jwt.get_unverified_header(token)
            alg = header.get("alg")
            if alg not in ALGORITHMS:
                raise InvalidToken(f"the token's alg {_excerpt(alg)} is not accepted "
                                   f"(only {' or '.join(ALGORITHMS)})")
            kid = header.get("kid")
            if not isinstance(kid, str) or not kid:
                raise InvalidToken("the token header names no key (kid)")
            key = self.keys.key_for(kid)
            expected = _algorithm_for(key)
            if alg != expected:
                raise InvalidToken(f"the token's alg {alg} does not fit the issuer's key "
                                   f"({expected})")
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[expected],
                audience=self.audience,
                issuer=self.issuer,
                # the times are checked below against one clock reading; exp without leeway
                options={"require": ["exp", "iss", "aud", "sub"], "verify_exp": False,
                         "verify_iat": False, "verify_nbf": False},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        subject = claims.get("sub")
        if not isinstance(subject, str) or not subject.strip():
            raise InvalidToken("the token's sub is empty")
        expires = _epoch(claims, "exp", subject)
        if expires <= current:
            raise InvalidToken("the token has expired (exp)", subject=subject)
        issued = _epoch(claims, "iat", subject) if "iat" in claims else None
        not_before = _epoch(claims, "nbf", subject) if "nbf" in claims else None
        for name, moment in (("iat", issued), ("nbf", not_before)):
            if moment is not None and moment > current + self.leeway:
                raise InvalidToken(f"the token is not yet valid ({name})", subject=subject)
        lifetime = expires - (issued if issued is not None else int(current))
        if lifetime > self.max_lifetime:
            basis = "exp - iat" if issued is not None else "exp - now"
            raise InvalidToken(
                f"the token's lifetime ({basis}) is {lifetime} s; "
                f"the issuer allows at most {self.max_lifetime} s",
                subject=subject,
            )
        return VerifiedToken(identity_from_claims(claims), expires_at=expires)


def _algorithm_for(key: Any) -> str:
    """The one algorithm a published key verifies (an RS256 token checked against an EC key
    must be a refusal, not an error deep in the JWT library)."""
    if isinstance(key, EllipticCurvePublicKey):
        return "ES256"
    if isinstance(key, RSAPublicKey):
        return "RS256"
    raise InvalidToken(f"the issuer's key {type(key).__name__} is of no accepted type")


def _epoch(claims: dict[str, Any], name: str, subject: str) -> int:
    """A NumericDate claim as whole seconds; anything else is a refused token."""
    value = claims.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidToken(f"the token's {name} is not a NumericDate", subject=subject)
    return int(value)


def max_lifetime_from(environment: Mapping[str, str] | None = None) -> int:
    """The issuer's maximum token lifetime: ``AUTH_MAX_TOKEN_LIFETIME_SECONDS``, default 1 h."""
    raw = (os.environ if environment is None else environment).get(MAX_LIFETIME_ENV)
    if not raw:
        return DEFAULT_MAX_LIFETIME_SECONDS
    value = int(raw)
    if value <= 0:
        raise ValueError(f"{MAX_LIFETIME_ENV} must be a positive number of seconds")
    return value


def identity_from_claims(claims: dict[str, Any]) -> Identity:
    role = claims.get("role")
    if role is None:
        groups = [g for g in claims.get("cognito:groups", []) if g in ROLES]
        role = groups[0] if groups else None
    subject = str(claims["sub"])
    if role not in ROLES:
        raise InvalidToken(f"token carries no known role (got {_excerpt(role)})", subject=subject)
    tax_office = claims.get("tax_office")
    if role == "officer" and not tax_office:
        raise InvalidToken("an officer token must carry a tax_office", subject=subject)
    return Identity(subject=subject, role=str(role),
                    tax_office=str(tax_office) if tax_office else None)


def bearer_token(authorization: str | None) -> str:
    """The token of an ``Authorization: Bearer <token>`` header value."""
    if not authorization:
        raise InvalidToken("no Authorization header")
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("the Authorization header is not 'Bearer <token>'")
    return token.strip()


class KmsTokenSigner:
    """Mints ES256 tokens with a KMS ECC_NIST_P256 key (the local dev issuer)."""

    def __init__(self, kms_client: Any, key_id: str, issuer: str, audience: str) -> None:
        self.kms = kms_client
        self.key_id = key_id
        self.issuer = issuer
        self.audience = audience
        self._kid: str | None = None

    def _key_kid(self) -> str:
        if self._kid is None:
            self._kid = self.kms.describe_key(KeyId=self.key_id)["KeyMetadata"]["KeyId"]
        return self._kid

    def mint(self, identity: Identity, ttl_seconds: int = 3600, now: float | None = None) -> str:
        issued = int(now if now is not None else time.time())
        header = {"alg": "ES256", "typ": "JWT", "kid": self._key_kid()}
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": identity.subject,
            "role": identity.role,
            "iat": issued,
            "exp": issued + ttl_seconds,
        }
        if identity.tax_office:
            claims["tax_office"] = identity.tax_office
        return self.sign(header, claims)

    def sign(self, header: dict[str, Any], claims: dict[str, Any]) -> str:
        """A JWS of exactly this header and these claims (tests craft refused tokens with it)."""
        signing_input = ".".join(
            _b64url(json.dumps(part, separators=(",", ":"), ensure_ascii=False).encode())
            for part in (header, claims)
        )
        answer = self.kms.sign(
            KeyId=self.key_id,
            Message=signing_input.encode(),
            MessageType="RAW",
            SigningAlgorithm="ECDSA_SHA_256",
        )
        r, s = decode_dss_signature(answer["Signature"])
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return f"{signing_input}.{_b64url(signature)}"
