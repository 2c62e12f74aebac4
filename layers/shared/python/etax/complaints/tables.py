"""The complaints table (described in :mod:`etax.complaints`): the responsible office's queue,
the filer's own cases and the sparse overdue index of the escalation run."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

OFFICE_INDEX = "by_office"
FILER_INDEX = "by_filer"
DEADLINE_INDEX = "by_deadline"
DEADLINE_INDEX_ATTRIBUTES = ("id", "kind", "office", "filer", "filed_at")
"""what ``by_deadline`` projects besides the keys: enough to escalate and notify"""

COMPLAINTS = TableSpec(
    "ComplaintsTable", "COMPLAINTS_TABLE", Key("pk"),
    indexes=(Index(OFFICE_INDEX, Key("office"), Key("queued")),
             Index(FILER_INDEX, Key("filer"), Key("queued")),
             Index(DEADLINE_INDEX, Key("open_shard"), Key("due_on"), "INCLUDE",
                   DEADLINE_INDEX_ATTRIBUTES)),
    stream="NEW_AND_OLD_IMAGES",  # the outbox: a case answered is announced (outbox.py)
    holds_records=True)
