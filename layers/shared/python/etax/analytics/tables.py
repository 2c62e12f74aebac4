"""The analytical store's state table: the days whose raw archive changed since they were
last compacted (``pk = dirty``, ``sk = <YYYY-MM-DD>``, ``marks``: how many archive writes
touched the day). One partition, a few items: the archive writes one mark per object, the
compactor Queries them and removes a day's item only if no mark came in meanwhile.

And the risk indicators' watch-list (:class:`etax.analytics.repository.RiskCases`): a month's
cases (``pk = risk#<month>``, ``sk = case#<office>#<digest>``), each indicator's verdict counts
(``pk = risk-verdicts``) and the months run (``pk = risk-run``)."""

from __future__ import annotations

from etax.platform.tables import Key, TableSpec

ANALYTICS = TableSpec("AnalyticsTable", "ANALYTICS_TABLE", Key("pk"), Key("sk"))
