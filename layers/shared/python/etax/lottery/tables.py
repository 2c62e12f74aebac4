"""The lottery's tables (described in :mod:`etax.lottery`): campaigns and counters (TTL),
one draw per invoice ever (``by_period`` for the export, a stream as the prize outbox), the
simulated payment providers' ledger."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

EXPORT_ATTRIBUTES = ("campaign_id", "period_index", "value_hex", "tier", "result", "drawn_at")
"""what ``by_period`` projects besides the keys: the export's columns"""

LOTTERY = TableSpec("LotteryTable", "LOTTERY_TABLE", Key("pk"), Key("sk"),
                    ttl_attribute="expires_at")
DRAWS = TableSpec(
    "DrawsTable", "LOTTERY_DRAWS_TABLE", Key("number"),
    indexes=(Index("by_period", Key("period_key"), Key("number"), "INCLUDE",
                   EXPORT_ATTRIBUTES),),
    stream="NEW_AND_OLD_IMAGES", holds_records=True)
PAYOUT_LEDGER = TableSpec("PayoutLedgerTable", "LOTTERY_LEDGER_TABLE", Key("key"))
