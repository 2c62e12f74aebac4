"""The documents kit's public check of a stored signed document: intact or not, and whether a
copy presented by its digest is the one issued."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from etax.documents.canonical import canonical_bytes, digest, presented_digest
from etax.documents.signing import check_issued

KEY = ec.generate_private_key(ec.SECP256R1())
PEM = KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                    serialization.PublicFormat.SubjectPublicKeyInfo).decode()
DOCUMENT = {"number": "X-1", "total_fen": 100}


def envelope(document: dict[str, object]) -> dict[str, object]:
    value = KEY.sign(canonical_bytes(DOCUMENT), ec.ECDSA(hashes.SHA256()))
    return {"document": document,
            "signature": {"algorithm": "ES256", "key_id": "k",
                          "value": base64.b64encode(value).decode()}}


def test_an_intact_record_and_the_copy_issued() -> None:
    checked = check_issued(envelope(DOCUMENT), PEM, None)
    assert (checked.intact, checked.matches, checked.authentic) == (True, None, True)
    assert checked.digest == digest(DOCUMENT)
    same = check_issued(envelope(DOCUMENT), PEM, presented_digest(f" {digest(DOCUMENT).upper()}"))
    assert (same.matches, same.authentic) == (True, True)


def test_another_copy_or_an_altered_record_is_not_authentic() -> None:
    other = check_issued(envelope(DOCUMENT), PEM, digest({**DOCUMENT, "total_fen": 1}))
    assert (other.intact, other.matches, other.authentic) == (True, False, False)
    altered = check_issued(envelope({**DOCUMENT, "total_fen": 1}), PEM, None)
    assert (altered.intact, altered.authentic) == (False, False)


def test_a_presented_digest_is_64_hexadecimal_digits() -> None:
    assert presented_digest("a" * 63) is None
    assert presented_digest("g" * 64) is None
    assert presented_digest(" " + "A" * 64 + "\n") == "a" * 64
