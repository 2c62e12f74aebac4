"""The regulations table (described in :mod:`etax.regulations.repository`): works, their
versions and drafts under ``pk = work#<id>``; the ``catalog`` index lists works and versions;
a stream as the outbox of published versions."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

REGULATIONS = TableSpec(
    "RegulationsTable", "REGULATIONS_TABLE", Key("pk"), Key("sk"),
    indexes=(Index("catalog", Key("catalog"), Key("pk")),),
    stream="NEW_AND_OLD_IMAGES", holds_records=True)
