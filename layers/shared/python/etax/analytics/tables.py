"""The analytical store's state table: the days whose raw archive changed since they were
last compacted (``pk = dirty``, ``sk = <YYYY-MM-DD>``, ``marks``: how many archive writes
touched the day). One partition, a few items: the archive writes one mark per object, the
compactor Queries them and removes a day's item only if no mark came in meanwhile."""

from __future__ import annotations

from etax.platform.tables import Key, TableSpec

ANALYTICS = TableSpec("AnalyticsTable", "ANALYTICS_TABLE", Key("pk"), Key("sk"))
