"""Forged bearer tokens, one per attack class of docs/security.md, made against an issuer whose
key lives in KMS (moto's in the functional suite, LocalStack's in the e2e suite).

Each is what an attacker can make: no token here is one the issuer would mint. The classes
follow RFC 8725 (JWT best current practices) and OWASP's JWT cheat sheet.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm

from etax.platform.tokens import Identity, KmsTokenSigner

ATTACKER_URL = "https://attacker.example/jwks.json"
ATTACKS = (
    "alg-none", "hs256-with-the-public-key", "rs256-against-the-ec-key", "expired",
    "not-yet-valid-nbf", "not-yet-valid-iat", "wrong-iss", "wrong-aud", "unknown-kid",
    "kid-is-a-path", "kid-is-a-url", "edited-role", "role-never-granted",
    "officer-without-office", "key-offered-in-the-header",
)


def _b64(data: bytes) -> str:
    return jwt.utils.base64url_encode(data).decode()


def _part(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def forged_tokens(signer: KmsTokenSigner, subject: str) -> dict[str, str]:
    """Attack class → a token of that class for ``subject``, against ``signer``'s issuer."""
    kms, issuer, audience = signer.kms, signer.issuer, signer.audience
    kid: str = kms.describe_key(KeyId=signer.key_id)["KeyMetadata"]["KeyId"]
    public_pem = serialization.load_der_public_key(
        kms.get_public_key(KeyId=signer.key_id)["PublicKey"]).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    now = int(time.time())
    claims: dict[str, Any] = {"iss": issuer, "aud": audience, "sub": subject,
                              "role": "taxpayer", "iat": now, "exp": now + 600}
    header: dict[str, Any] = {"alg": "ES256", "typ": "JWT", "kid": kid}

    def issuer_signed(**changes: Any) -> str:
        """Signed by the issuer's own key: only the claims (or the header's kid) are wrong."""
        head = {**header, "kid": changes.pop("kid", kid)}
        return signer.sign(head, {**claims, **changes})

    hs_input = f"{_part({**header, 'alg': 'HS256'})}.{_part({**claims, 'role': 'admin'})}"
    hs_mac = hmac.new(public_pem, hs_input.encode(), hashlib.sha256).digest()
    attacker_ec = ec.generate_private_key(ec.SECP256R1())
    attacker_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    good_header, good_payload, good_signature = signer.mint(
        Identity(subject=subject, role="taxpayer"), ttl_seconds=600).split(".")
    edited = _part({**json.loads(jwt.utils.base64url_decode(good_payload)), "role": "admin"})
    tokens = {
        "alg-none": f"{_part({**header, 'alg': 'none'})}.{_part({**claims, 'role': 'admin'})}.",
        "hs256-with-the-public-key": f"{hs_input}.{_b64(hs_mac)}",
        "rs256-against-the-ec-key": jwt.encode({**claims, "role": "admin"}, attacker_rsa,
                                               algorithm="RS256", headers={"kid": kid}),
        "expired": issuer_signed(iat=now - 1200, exp=now - 600),
        "not-yet-valid-nbf": issuer_signed(nbf=now + 300),
        "not-yet-valid-iat": issuer_signed(iat=now + 300, exp=now + 900),
        "wrong-iss": issuer_signed(iss="https://attacker.example"),
        "wrong-aud": issuer_signed(aud="another-api"),
        "unknown-kid": issuer_signed(kid="another-key"),
        "kid-is-a-path": issuer_signed(kid="../../../../etc/passwd"),
        "kid-is-a-url": issuer_signed(kid=ATTACKER_URL),
        "edited-role": f"{good_header}.{edited}.{good_signature}",
        "role-never-granted": issuer_signed(role="emperor"),
        "officer-without-office": issuer_signed(role="officer"),
        "key-offered-in-the-header": jwt.encode(
            {**claims, "role": "admin"}, attacker_ec, algorithm="ES256", headers={
                "kid": kid, "jku": ATTACKER_URL, "x5u": ATTACKER_URL,
                "jwk": json.loads(ECAlgorithm.to_jwk(attacker_ec.public_key()))}),
    }
    assert tuple(tokens) == ATTACKS
    return tokens
