"""Bearer tokens: minting with a KMS-like signer and verifying against published keys."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm

from etax.platform.tokens import (
    DEFAULT_MAX_LIFETIME_SECONDS,
    Identity,
    InvalidToken,
    JwksKeySource,
    KmsKeySource,
    KmsTokenSigner,
    TokenVerifier,
    bearer_token,
    identity_from_claims,
    max_lifetime_from,
)

ISSUER = "https://issuer.test"
AUDIENCE = "etax-api"
KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"


class FakeKms:
    """Signs like KMS ECC_NIST_P256/ECDSA_SHA_256: DER signatures, DER public key."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())

    def describe_key(self, KeyId: str) -> dict[str, Any]:
        return {"KeyMetadata": {"KeyId": KEY_ID}}

    def sign(self, KeyId: str, Message: bytes, MessageType: str,
             SigningAlgorithm: str) -> dict[str, Any]:
        assert (MessageType, SigningAlgorithm) == ("RAW", "ECDSA_SHA_256")
        return {"Signature": self.private_key.sign(Message, ec.ECDSA(hashes.SHA256()))}

    def get_public_key(self, KeyId: str) -> dict[str, Any]:
        der = self.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return {"KeyId": f"arn:aws:kms:us-east-1:000000000000:key/{KEY_ID}", "PublicKey": der}


@pytest.fixture
def kms() -> FakeKms:
    return FakeKms()


@pytest.fixture
def signer(kms: FakeKms) -> KmsTokenSigner:
    return KmsTokenSigner(kms, KEY_ID, ISSUER, AUDIENCE)


@pytest.fixture
def verifier(kms: FakeKms) -> TokenVerifier:
    return TokenVerifier(ISSUER, AUDIENCE, KmsKeySource(kms, KEY_ID))


TAXPAYER = Identity(subject="91350100M000100Y43", role="taxpayer")
OFFICER = Identity(subject="officer-1", role="officer", tax_office="13501000000")


@pytest.mark.parametrize("identity", [TAXPAYER, OFFICER])
def test_a_minted_token_verifies_to_its_identity(signer: KmsTokenSigner,
                                                  verifier: TokenVerifier,
                                                  identity: Identity) -> None:
    assert verifier.verify(signer.mint(identity)).identity == identity


def test_the_token_is_a_standard_es256_jwt(signer: KmsTokenSigner, kms: FakeKms) -> None:
    token = signer.mint(TAXPAYER)
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "typ": "JWT", "kid": KEY_ID}
    claims = jwt.decode(token, kms.private_key.public_key(), algorithms=["ES256"],
                        audience=AUDIENCE, issuer=ISSUER)
    assert claims["sub"] == TAXPAYER.subject
    assert claims["exp"] - claims["iat"] == 3600


def test_expired_tokens_are_refused(signer: KmsTokenSigner, verifier: TokenVerifier) -> None:
    token = signer.mint(TAXPAYER, ttl_seconds=60, now=time.time() - 3600)
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(token)


@pytest.mark.parametrize(("issuer", "audience", "message"), [
    ("https://someone-else.test", AUDIENCE, "(?i)issuer"),
    (ISSUER, "another-api", "(?i)audience"),
])
def test_tokens_for_another_issuer_or_audience_are_refused(
    kms: FakeKms, verifier: TokenVerifier, issuer: str, audience: str, message: str
) -> None:
    token = KmsTokenSigner(kms, KEY_ID, issuer, audience).mint(TAXPAYER)
    with pytest.raises(InvalidToken, match=message):
        verifier.verify(token)


def test_tampered_tokens_are_refused(signer: KmsTokenSigner, verifier: TokenVerifier) -> None:
    header, claims, signature = signer.mint(TAXPAYER).split(".")
    forged = jwt.utils.base64url_encode(json.dumps(
        {**json.loads(jwt.utils.base64url_decode(claims)), "role": "admin"}).encode()).decode()
    with pytest.raises(InvalidToken, match="Signature"):
        verifier.verify(f"{header}.{forged}.{signature}")


def test_tokens_signed_by_another_key_are_refused(verifier: TokenVerifier) -> None:
    other = KmsTokenSigner(FakeKms(), KEY_ID, ISSUER, AUDIENCE)
    with pytest.raises(InvalidToken):
        verifier.verify(other.mint(TAXPAYER))


def test_garbage_is_refused(verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken):
        verifier.verify("not-a-token")


@pytest.mark.parametrize(("claims", "message"), [
    ({"sub": "x", "role": "emperor"}, "no known role"),
    ({"sub": "x"}, "no known role"),
    ({"sub": "x", "role": "officer"}, "tax_office"),
])
def test_claims_must_name_a_known_role(claims: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidToken, match=message):
        identity_from_claims(claims)


def test_cognito_groups_give_the_role() -> None:
    identity = identity_from_claims({"sub": "u-1", "cognito:groups": ["staff", "developer"]})
    assert identity == Identity(subject="u-1", role="developer")


@pytest.mark.parametrize(("header", "token"), [("Bearer abc", "abc"), ("bearer  abc ", "abc")])
def test_bearer_header(header: str, token: str) -> None:
    assert bearer_token(header) == token


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "Bearer   "])
def test_bad_bearer_headers(header: str | None) -> None:
    with pytest.raises(InvalidToken):
        bearer_token(header)


def test_jwks_source_reads_published_keys_and_refetches_for_new_kids(
    tmp_path: Path, kms: FakeKms, signer: KmsTokenSigner
) -> None:
    document = tmp_path / "jwks.json"
    document.write_text(json.dumps(KmsKeySource(kms, KEY_ID).jwks()))
    source = JwksKeySource(document.as_uri(), min_refresh_seconds=0)
    verifier = TokenVerifier(ISSUER, AUDIENCE, source)
    assert verifier.verify(signer.mint(TAXPAYER)).identity == TAXPAYER

    rotated = FakeKms()
    jwks = KmsKeySource(rotated, KEY_ID).jwks()
    jwks["keys"][0]["kid"] = "rotated"
    document.write_text(json.dumps(jwks))
    rotated_signer = KmsTokenSigner(rotated, KEY_ID, ISSUER, AUDIENCE)
    rotated_signer._kid = "rotated"
    assert verifier.verify(rotated_signer.mint(OFFICER)).identity == OFFICER
    with pytest.raises(InvalidToken, match="no published key"):
        source.key_for("unknown")


NOW = 1_760_000_000


def signed(kms: FakeKms, claims: dict[str, Any], *, kid: str | None = KEY_ID) -> str:
    """A token signed by the issuer's key with exactly these claims (and ``kid`` if given)."""
    headers = {"kid": kid} if kid is not None else None
    return jwt.encode({"iss": ISSUER, "aud": AUDIENCE, **claims}, kms.private_key,
                      algorithm="ES256", headers=headers)


GOOD = {"sub": "91350100M000100Y43", "role": "taxpayer", "iat": NOW, "exp": NOW + 600}


def test_a_good_token_hands_on_its_exp(kms: FakeKms, verifier: TokenVerifier) -> None:
    verified = verifier.verify(signed(kms, GOOD), now=NOW + 1)
    assert verified.expires_at == NOW + 600
    assert verified.context() == {"role": "taxpayer", "subject": "91350100M000100Y43",
                                  "exp": str(NOW + 600)}


def test_a_token_stops_working_at_its_exp_without_leeway(kms: FakeKms,
                                                         verifier: TokenVerifier) -> None:
    token = signed(kms, GOOD)
    assert verifier.verify(token, now=NOW + 599).expires_at == NOW + 600
    for moment in (NOW + 600, NOW + 601, NOW + 620):
        with pytest.raises(InvalidToken, match="expired") as refused:
            verifier.verify(token, now=moment)
        assert refused.value.subject == GOOD["sub"]


@pytest.mark.parametrize(("claims", "kid", "message"), [
    ({k: v for k, v in GOOD.items() if k != "exp"}, KEY_ID, '"exp"'),
    ({**GOOD, "sub": ""}, KEY_ID, "sub is empty"),
    ({**GOOD, "sub": "   "}, KEY_ID, "sub is empty"),
    ({k: v for k, v in GOOD.items() if k != "sub"}, KEY_ID, '"sub"'),
    (GOOD, None, "names no key"),
    (GOOD, "", "names no key"),
    ({**GOOD, "exp": NOW + 3601}, KEY_ID, r"lifetime \(exp - iat\) is 3601 s.*at most 3600"),
    ({**GOOD, "iat": NOW - 86400, "exp": NOW + 60}, KEY_ID, "lifetime"),
    ({"sub": "x-1", "role": "admin", "exp": NOW + 3700}, KEY_ID, r"lifetime \(exp - now\)"),
    ({**GOOD, "exp": "tomorrow"}, KEY_ID, "(?i)exp"),
    ({**GOOD, "iat": NOW + 3600, "exp": NOW + 3700}, KEY_ID, r"not yet valid \(iat\)"),
    ({**GOOD, "nbf": NOW + 300}, KEY_ID, r"not yet valid \(nbf\)"),
])
def test_refused_token_classes(kms: FakeKms, verifier: TokenVerifier, claims: dict[str, Any],
                               kid: str | None, message: str) -> None:
    with pytest.raises(InvalidToken, match=message):
        verifier.verify(signed(kms, claims, kid=kid), now=NOW)


def test_lifetimes_up_to_the_maximum_pass(kms: FakeKms) -> None:
    verifier = TokenVerifier(ISSUER, AUDIENCE, KmsKeySource(kms, KEY_ID), max_lifetime=300)
    assert verifier.verify(signed(kms, {**GOOD, "exp": NOW + 300}), now=NOW).expires_at
    assert verifier.verify(signed(kms, {"sub": "x-1", "role": "admin", "exp": NOW + 300}),
                           now=NOW).expires_at
    with pytest.raises(InvalidToken, match="at most 300 s"):
        verifier.verify(signed(kms, {**GOOD, "exp": NOW + 301}), now=NOW)


def test_a_long_kid_is_not_echoed_whole(kms: FakeKms, verifier: TokenVerifier) -> None:
    with pytest.raises(InvalidToken) as refused:
        verifier.verify(signed(kms, GOOD, kid="k" * 10_000), now=NOW)
    assert len(str(refused.value)) < 100


def test_the_maximum_lifetime_setting() -> None:
    assert max_lifetime_from({}) == DEFAULT_MAX_LIFETIME_SECONDS == 3600
    assert max_lifetime_from({"AUTH_MAX_TOKEN_LIFETIME_SECONDS": "900"}) == 900
    with pytest.raises(ValueError, match="positive"):
        max_lifetime_from({"AUTH_MAX_TOKEN_LIFETIME_SECONDS": "0"})


# ---- one test per attack class (RFC 8725; docs/security.md) --------------------------------

def unsigned(header: dict[str, Any], claims: dict[str, Any], signature: bytes = b"") -> str:
    """A JWS of exactly this header and these claims, with ``signature`` as given."""
    return ".".join(jwt.utils.base64url_encode(part).decode() for part in (
        json.dumps(header).encode(), json.dumps(claims).encode(), signature))


def issuer_claims(**changes: Any) -> dict[str, Any]:
    return {"iss": ISSUER, "aud": AUDIENCE, **GOOD, "role": "admin", **changes}


def public_pem(kms: FakeKms) -> bytes:
    return kms.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "", None])
def test_an_unsigned_token_is_refused(verifier: TokenVerifier, alg: str | None) -> None:
    token = unsigned({"alg": alg, "typ": "JWT", "kid": KEY_ID}, issuer_claims())
    with pytest.raises(InvalidToken, match=r"alg .* is not accepted"):
        verifier.verify(token, now=NOW)


@pytest.mark.parametrize("secret", ["pem", "der"])
def test_hs256_signed_with_the_issuers_public_key_is_refused(
        kms: FakeKms, verifier: TokenVerifier, secret: str) -> None:
    """The key-confusion attack: the public key (published as JWKS) used as an HMAC secret."""
    pem = public_pem(kms)
    key = pem if secret == "pem" else serialization.load_pem_public_key(pem).public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    header = {"alg": "HS256", "typ": "JWT", "kid": KEY_ID}
    signing_input = ".".join(jwt.utils.base64url_encode(json.dumps(p).encode()).decode()
                             for p in (header, issuer_claims()))
    mac = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{jwt.utils.base64url_encode(mac).decode()}"
    with pytest.raises(InvalidToken, match="alg 'HS256' is not accepted"):
        verifier.verify(token, now=NOW)


def test_an_rs256_token_against_the_issuers_ec_key_is_a_refusal_not_an_error(
        verifier: TokenVerifier) -> None:
    """An algorithm the issuer's key does not use: a refusal (401), not a crash (500)."""
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(issuer_claims(), attacker, algorithm="RS256", headers={"kid": KEY_ID})
    with pytest.raises(InvalidToken, match=r"alg RS256 does not fit the issuer's key \(ES256\)"):
        verifier.verify(token, now=NOW)


@pytest.mark.parametrize("kid", [
    "another-key",
    "../../../../etc/passwd",
    "/dev/null",
    "https://attacker.example/jwks.json",
    "file:///etc/passwd",
    f"{KEY_ID}' OR '1'='1",
])
def test_a_kid_that_is_not_the_issuers_key_is_refused(kms: FakeKms, verifier: TokenVerifier,
                                                      kid: str) -> None:
    """Signed by the issuer's own key, even: the kid must name it, exactly."""
    with pytest.raises(InvalidToken, match="is not this issuer's key"):
        verifier.verify(signed(kms, GOOD, kid=kid), now=NOW)


def test_a_kid_that_is_a_path_or_url_fetches_nothing_but_the_issuers_jwks(
        tmp_path: Path, kms: FakeKms, monkeypatch: pytest.MonkeyPatch) -> None:
    document = tmp_path / "jwks.json"
    document.write_text(json.dumps(KmsKeySource(kms, KEY_ID).jwks()))
    opened: list[str] = []
    real_urlopen = urllib.request.urlopen

    def recording_urlopen(url: str, timeout: float) -> Any:
        opened.append(url)
        return real_urlopen(url, timeout=timeout)

    monkeypatch.setattr(urllib.request, "urlopen", recording_urlopen)
    verifier = TokenVerifier(ISSUER, AUDIENCE, JwksKeySource(document.as_uri()))
    for kid in (f"file://{document}", "https://attacker.example/jwks.json", "../jwks.json"):
        with pytest.raises(InvalidToken, match="no published key"):
            verifier.verify(signed(kms, GOOD, kid=kid), now=NOW)
    assert set(opened) == {document.as_uri()}


def attacker_headers(attacker: ec.EllipticCurvePrivateKey, url: str) -> dict[str, Any]:
    """Headers that offer the verifier the attacker's key in each way RFC 7515 allows."""
    jwk = json.loads(ECAlgorithm.to_jwk(attacker.public_key()))
    return {"kid": KEY_ID, "jwk": jwk, "jku": url, "x5u": url, "x5c": ["MIIB"]}


def test_a_key_offered_by_the_token_itself_is_ignored(
        tmp_path: Path, kms: FakeKms, verifier: TokenVerifier) -> None:
    attacker = ec.generate_private_key(ec.SECP256R1())
    published = tmp_path / "attacker-jwks.json"
    published.write_text(json.dumps({"keys": [{
        **json.loads(ECAlgorithm.to_jwk(attacker.public_key())), "kid": KEY_ID}]}))
    token = jwt.encode(issuer_claims(), attacker, algorithm="ES256",
                       headers=attacker_headers(attacker, published.as_uri()))
    # the forged token is well formed for anyone who trusts its header
    offered = jwt.PyJWK(jwt.get_unverified_header(token)["jwk"], algorithm="ES256")
    assert jwt.decode(token, offered, algorithms=["ES256"], audience=AUDIENCE,
                      options={"verify_exp": False})["role"] == "admin"
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        verifier.verify(token, now=NOW)
    jwks_verifier = TokenVerifier(ISSUER, AUDIENCE, JwksKeySource(
        (tmp_path / "issuer.json").as_uri()))
    (tmp_path / "issuer.json").write_text(json.dumps(KmsKeySource(kms, KEY_ID).jwks()))
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        jwks_verifier.verify(token, now=NOW)


@pytest.mark.parametrize("changes", [
    {"role": "admin"}, {"role": "officer", "tax_office": "13501000000"},
    {"sub": "91350100MA2Y8KXX1B"}, {"cognito:groups": ["admin"]},
])
def test_edited_claims_break_the_signature(signer: KmsTokenSigner, verifier: TokenVerifier,
                                           changes: dict[str, Any]) -> None:
    header, payload, signature = signer.mint(TAXPAYER).split(".")
    claims = {**json.loads(jwt.utils.base64url_decode(payload)), **changes}
    edited = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    with pytest.raises(InvalidToken, match="Signature verification failed"):
        verifier.verify(f"{header}.{edited}.{signature}")


@pytest.mark.parametrize(("claims", "message"), [
    ({"role": "emperor"}, "no known role"),
    ({"role": "Admin"}, "no known role"),
    ({"role": ["admin"]}, "no known role"),
    ({"role": None, "cognito:groups": ["root"]}, "no known role"),
    ({"role": "officer"}, "tax_office"),
])
def test_a_signed_token_with_a_role_the_issuer_never_grants_is_refused(
        kms: FakeKms, verifier: TokenVerifier, claims: dict[str, Any], message: str) -> None:
    token = signed(kms, {k: v for k, v in {**GOOD, **claims}.items() if v is not None})
    with pytest.raises(InvalidToken, match=message):
        verifier.verify(token, now=NOW)
