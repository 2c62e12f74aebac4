"""The crowd table (described in :mod:`etax.crowd.repository`): threads (a question and its
answers), votes, people's profiles and counters, article drafts and the moderation log; the
``feed`` index lists questions (all, newest and pinned first), drafts, events and the log, the
``by_topic`` index a topic's questions; counters expire (TTL)."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

CROWD = TableSpec(
    "CrowdTable", "CROWD_TABLE", Key("pk"), Key("sk"),
    indexes=(Index("feed", Key("feed"), Key("rank")),
             Index("by_topic", Key("topic_feed"), Key("rank"))),
    ttl_attribute="expires_at")
