"""The outreach table (described in :mod:`etax.outreach`): subscriptions, the segments'
members, mailings with their per-person markers, and the weekly counters (TTL)."""

from __future__ import annotations

from etax.platform.tables import Key, TableSpec

OUTREACH = TableSpec("OutreachTable", "OUTREACH_TABLE", Key("pk"), Key("sk"),
                     ttl_attribute="expires_at", holds_records=True)
