"""The mobile office's table (described in :mod:`etax.office`)."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

REVIEWING_INDEX = "by_reviewer"  # the approvals waiting for an officer (sparse: pending only)
SUBMITTED_INDEX = "by_submitter"  # the approvals an officer submitted, oldest first

OFFICE = TableSpec("OfficeTable", "OFFICE_TABLE", Key("pk"), Key("sk"),
                   indexes=(Index(REVIEWING_INDEX, Key("reviewing"), Key("queued")),
                            Index(SUBMITTED_INDEX, Key("submitter"), Key("pk"))),
                   ttl_attribute="expires_at", holds_records=True)
