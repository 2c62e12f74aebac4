"""The paged lists' cursor: a key read back only as the list's own key, anything else a
Malformed naming ``cursor`` (never a client's key sent to DynamoDB)."""

from __future__ import annotations

import base64
import json

import pytest

from etax.errors import Malformed
from etax.platform.cursors import decode_cursor, encode_cursor

KEY = {"pk": {"S": "case#1"}, "office": {"S": "13501000000"}, "queued": {"S": "2026-12-04#1"}}
ATTRIBUTES = ("pk", "office", "queued")


def raw(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


def test_a_cursor_reads_back_as_its_key_and_none_ends_the_list() -> None:
    cursor = encode_cursor(KEY)
    assert cursor is not None
    assert "=" not in cursor
    assert decode_cursor(cursor, ATTRIBUTES, {"office": "13501000000"}) == KEY
    assert encode_cursor(None) is None
    assert encode_cursor({}) is None


@pytest.mark.parametrize("cursor", [
    "", "%%%", "bm90IGpzb24", raw([1]), raw("text"),
    raw({"pk": "case#1", "office": "13501000000"}),  # an attribute short
    raw({"pk": "case#1", "office": "13501000000", "queued": "x", "extra": "y"}),  # one more
    raw({"pk": {"N": "1"}, "office": "13501000000", "queued": "x"}),  # not a string
    raw({"pk": 1, "office": "13501000000", "queued": "x"}),
    raw({"pk": "case#1", "office": "13502000000", "queued": "x"}),  # another office's list
])
def test_anything_but_the_list_s_own_key_is_malformed(cursor: str) -> None:
    with pytest.raises(Malformed) as raised:
        decode_cursor(cursor, ATTRIBUTES, {"office": "13501000000"})
    assert raised.value.field == "cursor"
