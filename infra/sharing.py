"""Board D, data sharing: bank–tax consents (plan action D14, 数据共用 / 银税互动,
docs/sharing.md), a board in a nested stack of its own (:class:`infra.platform.boards.Board`).

Resources: the sharing table (consents, their reads, the guard of a partner's open request;
the taxpayer's and the pair's indexes; its stream); the API function ``sharing`` (the
taxpayer's consents, the partners' requests and reads), which reads the other boards' records
a scope answers from — the credit table and the registry (``rating``), the filing table
(``tax_paid``, ``returns``), the issuing quota table's monthly usage (``sales``) — with
read-only grants, and signs the partner departments' feed pages; ``sharing_events``, the outbox
announcing each consent's move on the bus (the taxpayer's and the partner's notices ride on
those events); and ``sharing_feed``, behind a queue a bus rule fills with the facts partner
departments receive, listing each on their feeds.
"""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.filing import PAYER_INDEX
from etax.sharing import outbox
from etax.sharing.feed import Departments
from etax.sharing.tables import PAIR_INDEX, SHARING, TAXPAYER_INDEX
from infra.platform import Platform
from infra.platform.boards import Board
from infra.platform.data import grant
from infra.platform.events import QueueConsumer, StreamOutbox

ROUTES = ("POST /v1/consents", "GET /v1/me/consents", "GET /v1/consents/{consent_id}",
          "GET /v1/consents/{consent_id}/reads", "POST /v1/consents/{consent_id}/decision",
          "DELETE /v1/consents/{consent_id}", "POST /v1/partner/consents",
          "GET /v1/partner/taxpayers/{credit_code}/{scope}", "GET /v1/partner/feed")


class Sharing(Board):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable, credit: dynamodb.ITable, filing: dynamodb.ITable,
                 quotas: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id,
                         description="D14: data sharing, bank-tax consents and partners' reads")
        self.table = platform.table(self, SHARING)
        self.function: lambda_.Function = platform.function(
            self, "sharing",
            description="D14: bank-tax consents (granted, asked for, answered, revoked) and "
                        "the partners' reads within them",
            environment={SHARING.variable: self.table.table_name,
                         "CREDIT_TABLE": credit.table_name, "FILING_TABLE": filing.table_name,
                         "ISSUING_QUOTA_TABLE": quotas.table_name},
            idempotent=True)
        grant(self.function, self.table, "GetItem", "PutItem", "DeleteItem", "UpdateItem",
              "Query", query=[TAXPAYER_INDEX, PAIR_INDEX])
        grant(self.function, credit, "Query")  # the rating: a taxpayer's partition
        grant(self.function, filing, "Query")  # obligations: a taxpayer's partition
        grant(self.function, filing, query=[PAYER_INDEX])  # confirmed payments
        grant(self.function, quotas, "BatchGetItem")  # the monthly usage
        platform.grant_registry_read(self.function, registry)
        platform.grant_signing(self.function)  # a department's feed pages
        platform.api.routes(self.function, *ROUTES)

        # the outbound feed: the facts the partner departments are entitled to, listed
        self.feed_function: lambda_.Function = platform.function(
            self, "sharing_feed",
            description="D14: lists the facts partner departments are entitled to on their "
                        "feeds", environment={SHARING.variable: self.table.table_name})
        grant(self.feed_function, self.table, "PutItem")  # in a transaction, conditioned
        self.feed: QueueConsumer = platform.consumer(self, "Feed", function=self.feed_function)
        facts = Departments.shipped().facts()
        platform.rule(self, "FeedRule",
                      description="The facts partner departments receive, to their feeds",
                      pattern=events.EventPattern(
                          source=sorted({source for source, _ in facts}),
                          detail_type=sorted({kind for _, kind in facts})),
                      to=self.feed)

        self.stream: StreamOutbox = platform.outbox(
            self, "SharingStream", table=self.table, name="sharing_events",
            description="Announces the bank-tax consents' moves on the bus from the sharing "
                        "table's stream", filters=outbox.ANNOUNCING)
