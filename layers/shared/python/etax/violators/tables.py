"""The violators table (described in :mod:`etax.violators.repository`): cases by id and the
audit-case announcements; the sparse ``published`` and ``published_by_office`` indexes list
the entries published now, newest first, and ``by_end`` the same entries by the day their
period ends (the daily removal run); a stream as the outbox."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

VIOLATORS = TableSpec(
    "ViolatorsTable", "VIOLATORS_TABLE", Key("id"),
    indexes=(Index("published", Key("public_list"), Key("public_rank")),
             Index("published_by_office", Key("public_office"), Key("public_rank")),
             Index("by_end", Key("public_list"), Key("ends_on"))),
    stream="NEW_AND_OLD_IMAGES")
