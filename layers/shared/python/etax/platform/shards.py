"""Write sharding of a sparse "open items" index: an item carries its shard while it is open
(the filing board's unpaid obligations, the complaints board's unanswered cases), so a daily
run finds them with one Query per shard instead of a Scan, and no index partition takes every
open item's writes.

The shard is a stable hash of the item's id (the same id always lands in the same shard, so
an update never moves an item), spread evenly over ``count`` shards named ``open#0`` …
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Shards:
    count: int
    prefix: str = "open"

    def __post_init__(self) -> None:
        if not 0 < self.count <= 256:
            raise ValueError("between 1 and 256 shards: one byte of the hash picks one")

    def of(self, identifier: str) -> str:
        """The shard of the item ``identifier``."""
        return f"{self.prefix}#{hashlib.sha256(identifier.encode()).digest()[0] % self.count}"

    def all(self) -> list[str]:
        """Every shard, to Query each."""
        return [f"{self.prefix}#{n}" for n in range(self.count)]
