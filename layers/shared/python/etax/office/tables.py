"""The mobile office's table (described in :mod:`etax.office`)."""

from __future__ import annotations

from etax.platform.tables import Key, TableSpec

OFFICE = TableSpec("OfficeTable", "OFFICE_TABLE", Key("pk"), Key("sk"),
                   ttl_attribute="expires_at", holds_records=True)
