"""Board E, tax knowledge (plan action E16 智能咨询): the 12366 knowledge base kept in step with
the regulations library, and the library's publications pushed to subscribers.

Resources: the knowledge table (articles with their state, their citations, the
``by_provision``, ``catalog`` and ``reviews`` indexes; a stream as the outbox of
``KnowledgeArticleChanged``), the subscriptions table (a ``by_work`` index), the API function
``knowledge`` (an article for anyone, the officers' review queue and review, a taxpayer's
subscriptions) and the reaction to ``RegulationVersionPublished``, a rule → queue (+ dead
letters, alarm) → function::

    RegulationVersionPublished ─▶ regulation_published: flags the citing articles, then one
                                  notification per subscriber of the work
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.knowledge.outbox import ANNOUNCING
from etax.knowledge.tables import KNOWLEDGE, SUBSCRIPTIONS
from infra.platform import Platform
from infra.platform.data import grant

PUBLIC_ROUTES = ("GET /v1/kb/articles/{id}",)
SIGNED_IN_ROUTES = ("GET /v1/kb/reviews", "POST /v1/kb/articles/{id}/review",
                    "GET /v1/me/regulation-subscriptions", "PUT /v1/me/regulation-subscriptions")
PUBLISHED = events.EventPattern(source=["tax.regulations"],
                                detail_type=["RegulationVersionPublished"])


class Knowledge(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 regulations: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, KNOWLEDGE)
        self.subscriptions = platform.table(self, SUBSCRIPTIONS)
        env = {"KNOWLEDGE_TABLE": self.table.table_name,
               "REGULATION_SUBSCRIPTIONS_TABLE": self.subscriptions.table_name,
               "REGULATIONS_TABLE": regulations.table_name}

        self.api_function: lambda_.Function = platform.function(
            self, "knowledge",
            description="E16: the 12366 knowledge base's articles with their citations as of "
                        "today; officers' reviews; subscriptions to the regulations library",
            environment=env, idempotent=True)
        grant(self.api_function, self.table, "GetItem", "Query", "UpdateItem",
              query=["reviews"])
        grant(self.api_function, self.subscriptions, "Query", "PutItem", "DeleteItem")
        grant(self.api_function, regulations, "Query")  # a work's versions, to cite them
        platform.api.routes(self.api_function, *PUBLIC_ROUTES, public=True)
        platform.api.routes(self.api_function, *SIGNED_IN_ROUTES)
        self.stream_failures = platform.outbox(
            self, "KnowledgeStream", table=self.table, name="knowledge_events",
            description="Announces articles flagged for review or reviewed on the bus",
            filters=ANNOUNCING).failures

        # a published amendment flags the articles citing what it changed and reaches the
        # work's subscribers
        self.reaction: lambda_.Function = platform.function(
            self, "regulation_published",
            description="Flags the articles citing a provision an officer's published version "
                        "amended or repealed; notifies the work's subscribers",
            environment=env, publishes_events=True, timeout=Duration.seconds(120))
        grant(self.reaction, self.table, "UpdateItem", query=["by_provision"])
        grant(self.reaction, self.subscriptions, query=["by_work"])
        grant(self.reaction, regulations, "Query")
        self.published = platform.consumer(self, "Published", function=self.reaction,
                                           batch_size=1)
        platform.rule(self, "PublishedRule",
                      description="Published versions go to the knowledge board's reaction",
                      pattern=PUBLISHED, to=self.published)
