"""The knowledge base's tables (described in :mod:`etax.knowledge.repository` and
:mod:`etax.knowledge.subscriptions`).

- the knowledge table: each article (``pk = article#<id>``, ``sk = article``) with its state,
  and one item per provision it cites (``sk = cites#<work>#<key>``, ``cited = <work>#<key>``):
  the ``by_provision`` index finds the articles citing a provision, ``catalog`` lists the
  articles, the sparse ``reviews`` index holds those under review (the officers' queue); a
  stream as the outbox of ``KnowledgeArticleChanged``;
- the subscriptions table: one item per subscriber and work of the library; the ``by_work``
  index lists a work's subscribers.
"""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

KNOWLEDGE = TableSpec(
    "KnowledgeTable", "KNOWLEDGE_TABLE", Key("pk"), Key("sk"),
    indexes=(Index("catalog", Key("catalog"), Key("pk")),
             Index("by_provision", Key("cited"), Key("pk"), projection="KEYS_ONLY"),
             Index("reviews", Key("review_queue"), Key("flagged_at"))),
    stream="NEW_AND_OLD_IMAGES")

SUBSCRIPTIONS = TableSpec(
    "RegulationSubscriptionsTable", "REGULATION_SUBSCRIPTIONS_TABLE", Key("subscriber"),
    Key("work_id"), indexes=(Index("by_work", Key("work_id"), Key("subscriber"),
                                   projection="KEYS_ONLY"),))
