"""The supply table (described in :mod:`etax.supply.repository`): applications, paper
number counters, the simulated carrier's books; ``by_applicant``; the sparse
``by_review_office`` queue (``review_office`` is set only while an application waits for an
officer); a stream as the outbox."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

SUPPLY = TableSpec(
    "SupplyTable", "SUPPLY_TABLE", Key("id"),
    indexes=(Index("by_applicant", Key("applicant"), Key("applied_at")),
             Index("by_review_office", Key("review_office"), Key("applied_at"))),
    stream="NEW_AND_OLD_IMAGES")
