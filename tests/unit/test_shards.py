"""The open-items shards kit (etax.platform.shards): a stable shard per id, every shard listed,
ids spread over them."""

from __future__ import annotations

from collections import Counter

import pytest

from etax.platform.shards import Shards


def test_an_id_always_lands_in_the_same_listed_shard() -> None:
    shards = Shards(8)
    assert shards.of("case-1") == shards.of("case-1")
    assert shards.of("case-1") in shards.all()
    assert shards.all() == [f"open#{n}" for n in range(8)]


def test_ids_spread_over_every_shard() -> None:
    shards = Shards(16)
    spread = Counter(shards.of(f"91350100M000100Y43:vat:2026-{n:05d}") for n in range(4000))
    assert set(spread) == set(shards.all())
    assert max(spread.values()) < 2 * min(spread.values())


@pytest.mark.parametrize("count", [0, 257])
def test_a_count_one_byte_cannot_pick_is_refused(count: int) -> None:
    with pytest.raises(ValueError, match="shards"):
        Shards(count)
