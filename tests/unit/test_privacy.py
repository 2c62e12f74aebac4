"""Personal identifiers keep a short masked form: first 6 and last 4 characters."""

from __future__ import annotations

import pytest

from etax.platform.privacy import mask_identifier


@pytest.mark.parametrize(("value", "masked"), [
    ("11010519491231002X", "110105********002X"),  # resident ID (GB 11643 example)
    ("91350100M000100Y43", "913501********0Y43"),  # unified social credit code
    ("officer-fz-0001", "office*****0001"),
    ("admin-0001", "**********"),  # 10 characters or fewer: nothing would be hidden
    ("", ""),
])
def test_mask_identifier(value: str, masked: str) -> None:
    assert mask_identifier(value) == masked
    assert len(mask_identifier(value)) == len(value)
