"""Canonical JSON: the exact bytes a signature covers.

Keys sorted, no insignificant whitespace, UTF-8 (not ``\\u`` escapes), and
no floats anywhere (amounts are integers in fen): the same document always
serializes to the same bytes, in any language that follows these rules
(a subset of RFC 8785, JSON Canonicalization Scheme, restricted to strings,
integers, booleans, null, arrays and objects).
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

_DIGEST = re.compile(r"[0-9a-f]{64}")


class NotCanonical(ValueError):
    pass


def _check(value: Any, path: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int):
        if abs(value) > 2**53 - 1:
            raise NotCanonical(f"{path}: integer {value} is beyond the interoperable range")
        return
    if isinstance(value, float):
        raise NotCanonical(f"{path}: floats are not allowed (money is integer fen)")
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise NotCanonical(f"{path}: object keys must be strings")
            _check(item, f"{path}.{key}")
        return
    raise NotCanonical(f"{path}: {type(value).__name__} is not a JSON value")


def canonical_bytes(document: Any) -> bytes:
    """The canonical serialization of ``document``."""
    _check(document, "$")
    return json.dumps(document, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def digest(document: Any) -> str:
    """The SHA-256 of ``document``'s canonical bytes, as 64 lowercase hex digits: what a signed
    document's public check compares a copy with."""
    return hashlib.sha256(canonical_bytes(document)).hexdigest()


def presented_digest(text: str) -> str | None:
    """A digest a client presents, as :func:`digest` writes it (outer spaces and upper case
    accepted); None when it is not 64 hexadecimal digits."""
    value = text.strip().lower()
    return value if _DIGEST.fullmatch(value) else None
