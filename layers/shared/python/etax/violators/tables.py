"""The violators table (described in :mod:`etax.violators.repository`): cases by id and the
audit-case announcements; the sparse ``published`` and ``published_by_office`` indexes list
the entries published now, newest first, ``by_end`` the same entries by the day their
period ends (the daily removal run), and ``pending_by_office`` an office's cases waiting for a
second officer's approval, soonest deadline first; a stream as the outbox."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

VIOLATORS = TableSpec(
    "ViolatorsTable", "VIOLATORS_TABLE", Key("id"),
    indexes=(Index("published", Key("public_list"), Key("public_rank")),
             Index("published_by_office", Key("public_office"), Key("public_rank")),
             Index("by_end", Key("public_list"), Key("ends_on")),
             Index("pending_by_office", Key("pending_office"), Key("pending_rank"))),
    stream="NEW_AND_OLD_IMAGES")
