"""The notifications tables (described in :mod:`etax.notifications.repository`): inbox
entries and preferences with the newest-first ``inbox`` index; the simulated providers'
ledger."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

NOTIFICATIONS = TableSpec(
    "NotificationsTable", "NOTIFICATIONS_TABLE", Key("recipient"), Key("sk"),
    indexes=(Index("inbox", Key("inbox_of"), Key("listed")),))
PROVIDER_LEDGER = TableSpec("ProviderLedgerTable", "NOTIFICATION_LEDGER_TABLE", Key("key"))
