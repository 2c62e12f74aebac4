"""The outreach table (described in :mod:`etax.outreach`): subscriptions, the segments'
members, mailings with their per-person markers, the weekly counters (TTL), and risk warnings
(the sparse ``by_taxpayer`` index: a taxpayer's warnings, newest first, in one Query)."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

WARNINGS_INDEX = "by_taxpayer"

OUTREACH = TableSpec("OutreachTable", "OUTREACH_TABLE", Key("pk"), Key("sk"),
                     indexes=(Index(WARNINGS_INDEX, Key("warned"), Key("created_at")),),
                     ttl_attribute="expires_at", holds_records=True)
