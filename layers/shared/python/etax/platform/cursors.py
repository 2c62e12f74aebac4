"""The cursor of a paged list: a Query's ``LastEvaluatedKey`` handed to the client and read
back as the next ``ExclusiveStartKey``.

A cursor is the key's string attributes as URL-safe base64 JSON. Read back, it must name
exactly the attributes of the list's key (table and index keys), each a string, and carry the
list's fixed values (the partition the list reads: an office, a feed, a year): anything else —
not base64, not JSON, an attribute too many, a number, another office's partition — is
:class:`~etax.errors.Malformed` naming ``cursor``, never a key sent to DynamoDB as the client
wrote it.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Collection, Mapping
from typing import Any

from etax.errors import Malformed


def encode_cursor(key: Mapping[str, Any] | None) -> str | None:
    """The cursor of ``key`` (a key of string attributes), None at the end of the list."""
    if not key:
        return None
    plain = {name: value["S"] for name, value in key.items()}
    text = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, attributes: Collection[str],
                  fixed: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The start key a cursor of this list stands for: exactly ``attributes``, each a string,
    ``fixed``'s attributes with their values; else Malformed naming ``cursor``."""
    try:
        plain = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        plain = None
    if (not isinstance(plain, dict) or set(plain) != set(attributes)
            or not all(isinstance(value, str) for value in plain.values())
            or any(plain.get(name) != value for name, value in (fixed or {}).items())):
        raise Malformed("this cursor does not come from this list", field="cursor")
    return {name: {"S": value} for name, value in plain.items()}
