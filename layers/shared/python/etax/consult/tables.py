"""The consult table (described in :mod:`etax.consult.repository`): sessions and their turns
under ``pk = session#<id>``, hand-offs under ``handoff#<id>`` (the ``by_office`` index is the
officers' queue), weekly counters (hot questions, service figures) and kept channel nonces,
with a TTL."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

CONSULT = TableSpec(
    "ConsultTable", "CONSULT_TABLE", Key("pk"), Key("sk"),
    indexes=(Index("by_office", Key("office"), Key("queued")),),
    ttl_attribute="expires_at")
