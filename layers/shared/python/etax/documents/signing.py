"""Signing documents with the platform's KMS key, and checking them with its public half.

The platform signs the canonical bytes of a document (invoices, certificates)
with an ECC P-256 KMS key (ECDSA with SHA-256; the private key never leaves
KMS). A signed document travels as an envelope::

    {"document": {...}, "signature": {"algorithm": "ES256", "key_id": "...",
                                      "value": "<base64 DER ECDSA signature>"}}

Anyone can check it offline with the published public key
(``GET /v1/keys``) and :func:`verify_envelope` (``scripts/verify_document.py``).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from etax.documents.canonical import canonical_bytes, digest

ALGORITHM = "ES256"


@dataclass(frozen=True, slots=True)
class Signature:
    key_id: str
    value: str  # base64 of the DER-encoded ECDSA signature
    algorithm: str = ALGORITHM

    def as_dict(self) -> dict[str, str]:
        return {"algorithm": self.algorithm, "key_id": self.key_id, "value": self.value}


class KmsDocumentSigner:
    """Signs canonical document bytes with one KMS key; the SHA-256 digest is sent, not the
    document (KMS takes at most 4 KB of raw message)."""

    def __init__(self, kms_client: Any, key_id: str) -> None:
        self.kms = kms_client
        self.key_id = key_id
        self._public: dict[str, Any] | None = None

    def sign(self, document: dict[str, Any]) -> Signature:
        digest = hashlib.sha256(canonical_bytes(document)).digest()
        answer = self.kms.sign(KeyId=self.key_id, Message=digest, MessageType="DIGEST",
                               SigningAlgorithm="ECDSA_SHA_256")
        key_id = answer["KeyId"].rsplit("/", 1)[-1]
        return Signature(key_id=key_id, value=base64.b64encode(answer["Signature"]).decode())

    def public_key(self) -> dict[str, Any]:
        """The public key as published: key id, algorithm, PEM (fetched once)."""
        if self._public is None:
            answer = self.kms.get_public_key(KeyId=self.key_id)
            key = serialization.load_der_public_key(answer["PublicKey"])
            pem = key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
            self._public = {"key_id": answer["KeyId"].rsplit("/", 1)[-1],
                            "algorithm": ALGORITHM, "curve": "P-256", "public_key_pem": pem}
        return self._public


class SignatureMismatch(Exception):
    """The envelope's signature does not verify with the given key."""


def verify_envelope(envelope: dict[str, Any], public_key_pem: str) -> None:
    """Raise :class:`SignatureMismatch` unless the envelope's signature covers its document."""
    signature = envelope.get("signature") or {}
    if signature.get("algorithm") != ALGORITHM:
        raise SignatureMismatch(f"unsupported algorithm {signature.get('algorithm')!r}")
    key = serialization.load_pem_public_key(public_key_pem.encode())
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise SignatureMismatch("the public key is not an elliptic-curve key")
    try:
        key.verify(base64.b64decode(signature["value"]), canonical_bytes(envelope["document"]),
                   ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, KeyError, ValueError) as error:
        raise SignatureMismatch("the signature does not match the document") from error


@dataclass(frozen=True, slots=True)
class IssuedCheck:
    """The public check of a stored signed document against what a reader holds: whether its
    stored record still verifies (``intact``), its ``digest``, and whether the copy presented
    by digest is the one issued (``matches``; None when none was presented)."""

    intact: bool
    digest: str
    matches: bool | None

    @property
    def authentic(self) -> bool:
        return self.intact and self.matches is not False


def check_issued(envelope: dict[str, Any], public_key_pem: str,
                 presented: str | None) -> IssuedCheck:
    """:class:`IssuedCheck` of the stored ``envelope`` and a copy's ``presented`` digest (as
    :func:`etax.documents.canonical.presented_digest` reads it)."""
    try:
        verify_envelope(envelope, public_key_pem)
        intact = True
    except SignatureMismatch:
        intact = False
    issued = digest(envelope["document"])
    return IssuedCheck(intact, issued, None if presented is None else presented == issued)
