"""What a DynamoDB table is, written once: the specification both the infrastructure
(``infra/platform/data.py`` builds every table from one) and the functional tests (moto's
tables) are made from. Each context owns its tables: ``etax/<context>/tables.py`` holds
their specifications; this module holds the shape and the platform's own table.

Pure: no CDK, no boto3. The types are DynamoDB's names (``"S"``, ``"INCLUDE"``,
``"NEW_AND_OLD_IMAGES"``), which both the CDK enums and the low-level API use. What every
table shares (on demand, AWS-managed encryption, point-in-time recovery, kept in the cloud
and destroyed on the local stack) is the platform's, not a table's, so it is not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AttributeType = Literal["S", "N", "B"]
Projection = Literal["ALL", "KEYS_ONLY", "INCLUDE"]
StreamView = Literal["NEW_AND_OLD_IMAGES", "NEW_IMAGE", "OLD_IMAGE", "KEYS_ONLY"]


@dataclass(frozen=True, slots=True)
class Key:
    """A key attribute: its name and its DynamoDB type (strings unless said)."""

    name: str
    type: AttributeType = "S"


@dataclass(frozen=True, slots=True)
class Index:
    """A global secondary index; ``non_key_attributes`` only with the ``INCLUDE`` projection."""

    name: str
    partition_key: Key
    sort_key: Key | None = None
    projection: Projection = "ALL"
    non_key_attributes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if bool(self.non_key_attributes) != (self.projection == "INCLUDE"):
            raise ValueError(f"index {self.name}: non-key attributes go with INCLUDE only")


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One table. ``construct_id`` is its id in the CDK app (its board's scope);
    ``variable`` the environment variable that carries its name to the functions (the one
    a repository reads with :func:`etax.platform.dynamo.table_name`)."""

    construct_id: str
    variable: str
    partition_key: Key
    sort_key: Key | None = None
    indexes: tuple[Index, ...] = ()
    stream: StreamView | None = None
    ttl_attribute: str | None = None
    holds_records: bool = False
    """Money, invoices or registrations: outside ``local`` the table has deletion protection
    and is in the daily backup plan (``infra.platform.data``)."""

    def attributes(self) -> dict[str, AttributeType]:
        """Every key attribute (the table's, then each index's, in order) with its type."""
        keys: dict[str, AttributeType] = {}
        for key in (self.partition_key, self.sort_key,
                    *(k for index in self.indexes for k in (index.partition_key,
                                                            index.sort_key))):
            if key is not None and keys.setdefault(key.name, key.type) != key.type:
                raise ValueError(f"{self.construct_id}: {key.name} has two types")
        return keys


IDEMPOTENCY = TableSpec(
    "IdempotencyTable", "IDEMPOTENCY_TABLE", Key("id"), ttl_attribute="expiration")
"""Powertools' idempotency records (``etax.platform.idempotency``): its key and TTL names."""
EDGE_LIMITS = TableSpec(
    "EdgeLimitsTable", "EDGE_LIMITS_TABLE", Key("key"), ttl_attribute="expires_at")
"""The public routes' request counters per client IP and per signed-in subject, one per
window (``etax.platform.limits``): made on the ``local`` stage only, where there is no WAF."""
