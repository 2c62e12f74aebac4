"""Board E, the officers' mobile office (plan action E18, 移动办公; docs/usage/office.md), a
board in a nested stack of its own (:class:`infra.platform.boards.Board`).

Resources: the office table (field documents and their numbers, internal approvals with their
reviewers' and submitters' indexes, the on-duty roster, the alerts); the API function
``office`` (officers draft and countersign field documents, signed with the platform's key;
anyone verifies one; officers submit approvals routed through reviewers of their office and
decide them in turn; administrators keep the roster; officers read and acknowledge the alerts
sent to them); the consumer ``office_alerts`` on a queue
subscribed to the platform's alarm topic (raw delivery: each message is an alarm's change of
state), telling the officers on duty through the notification fan-out.
"""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from etax.office.tables import OFFICE, REVIEWING_INDEX, SUBMITTED_INDEX
from infra.platform import Platform
from infra.platform.boards import Board
from infra.platform.data import grant
from infra.platform.events import QueueConsumer

ROUTES = ("POST /v1/office/field-documents", "GET /v1/office/field-documents/{document_id}",
          "GET /v1/office/field-documents/{document_id}/document",
          "POST /v1/office/field-documents/{document_id}/countersign",
          "POST /v1/office/field-documents/{document_id}/withdraw",
          "POST /v1/office/approvals", "GET /v1/office/approvals",
          "GET /v1/office/approvals/{approval_id}",
          "POST /v1/office/approvals/{approval_id}/decisions",
          "POST /v1/office/approvals/{approval_id}/resubmit",
          "POST /v1/office/approvals/{approval_id}/withdraw",
          "POST /v1/office/duty", "GET /v1/office/duty", "DELETE /v1/office/duty/{shift_id}",
          "GET /v1/office/alerts", "GET /v1/office/alerts/{alert_id}",
          "POST /v1/office/alerts/{alert_id}/ack")


class Office(Board):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id,
                         description="E18: the officers' mobile office (field documents, "
                                     "the on-duty roster, operations alerts)")
        self.table = platform.table(self, OFFICE)
        env = {OFFICE.variable: self.table.table_name}

        self.function: lambda_.Function = platform.function(
            self, "office",
            description="E18: field documents drafted, countersigned, signed and verified; "
                        "the on-duty roster; the operations alerts",
            environment=env, idempotent=True, publishes_events=True, memory_size=512)
        # a draft (Put), issued with its number in one transaction (Update, Put), the roster's
        # shifts (Query, Delete), the alerts (Query, acknowledged by Update); approvals (Put,
        # Update, the reviewers' and submitters' indexes: Query)
        grant(self.function, self.table, "GetItem", "PutItem", "UpdateItem", "DeleteItem",
              "Query", query=(REVIEWING_INDEX, SUBMITTED_INDEX))
        platform.grant_registry_read(self.function, registry)
        platform.grant_signing(self.function)
        platform.api.routes(self.function, *ROUTES)
        platform.api.route("GET", "/v1/field-documents/{number}/verify", self.function,
                           public=True)

        self.alerts_function: lambda_.Function = platform.function(
            self, "office_alerts",
            description="E18: the platform's alarms to the officers on duty",
            environment=env, publishes_events=True)
        # the roster (Query); an alert and its alarm's pointer (a transaction of Puts, then
        # Update and Delete when resolved)
        grant(self.alerts_function, self.table, "GetItem", "PutItem", "UpdateItem",
              "DeleteItem", "Query")
        self.alerts: QueueConsumer = platform.consumer(self, "OpsAlerts",
                                                       function=self.alerts_function)
        platform.observability.topic.add_subscription(
            subscriptions.SqsSubscription(self.alerts.queue, raw_message_delivery=True))
