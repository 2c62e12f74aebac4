"""Board D, information on demand (plan action D15 信息定制): subscriptions and mailings.

Resources: the outreach table (subscriptions, segment members, mailings and their markers,
weekly counters with TTL); the API function ``outreach`` (taxpayers subscribe; officers preview
and send to a segment of their province); the consumer ``outreach_sender`` on its own queue,
fed by the API and by itself one page at a time, publishing each person's notification on the
bus for the fan-out (ADR 0012); risk warnings, announced to the taxpayer the same way, an
officer's or a risk indicator's (the consumer ``outreach_indicators``, fed by the tax data
board's ``RiskCaseOpened``).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.outreach.tables import OUTREACH
from infra.platform import Platform
from infra.platform.data import grant
from infra.platform.events import QueueConsumer

ROUTES = ("POST /v1/subscriptions", "GET /v1/me/subscriptions", "POST /v1/mailings/preview",
          "POST /v1/mailings", "GET /v1/mailings/{mailing_id}", "POST /v1/risk-warnings",
          "GET /v1/risk-warnings/{warning_id}", "POST /v1/risk-warnings/{warning_id}/responses",
          "POST /v1/risk-warnings/{warning_id}/close", "GET /v1/me/risk-warnings")


class Outreach(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable, acceptance: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, OUTREACH)
        env = {"OUTREACH_TABLE": self.table.table_name}

        self.sender: lambda_.Function = platform.function(
            self, "outreach_sender",
            description="D15: delivers a mailing page by page, each person once and under the "
                        "weekly cap, as notifications for the fan-out",
            environment=env, publishes_events=True, timeout=Duration.seconds(30))
        # markers and counters in one transaction; a page of members; the markers counted
        grant(self.sender, self.table, "GetItem", "Query", "PutItem", "UpdateItem")
        self.queue: QueueConsumer = platform.consumer(self, "Mailings", function=self.sender,
                                                      batch_size=1)
        self.sender.add_environment("OUTREACH_QUEUE_URL", self.queue.queue.queue_url)
        self.queue.queue.grant_send_messages(self.sender)

        self.api_function: lambda_.Function = platform.function(
            self, "outreach",
            description="D15: subscriptions by topic (segments from the registry); officers' "
                        "previews and mailings to a segment of their province; risk warnings "
                        "to named taxpayers",
            environment={**env, "OUTREACH_QUEUE_URL": self.queue.queue.queue_url,
                         "ACCEPTANCE_TABLE": acceptance.table_name},
            idempotent=True, publishes_events=True)
        # the subscription and its members in one transaction (Put, Delete); segment counts;
        # a warning's trail (Update) and a taxpayer's warnings (the index)
        grant(self.api_function, self.table, "GetItem", "Query", "PutItem", "DeleteItem",
              "UpdateItem", query=["by_taxpayer"])
        platform.grant_registry_read(self.api_function, registry)
        grant(self.api_function, acceptance, "GetItem")  # a natural person's registration
        self.queue.queue.grant_send_messages(self.api_function)
        platform.api.routes(self.api_function, *ROUTES)

        # registration changes: a subscriber's members follow its registration
        self.refiler: lambda_.Function = platform.function(
            self, "outreach_registrations",
            description="D15: a subscriber's segments follow its registration's changes",
            environment={**env, "ACCEPTANCE_TABLE": acceptance.table_name})
        grant(self.refiler, self.table, "GetItem", "PutItem", "DeleteItem")
        platform.grant_registry_read(self.refiler, registry)
        grant(self.refiler, acceptance, "GetItem")
        self.registrations = platform.consumer(self, "Registrations", function=self.refiler,
                                               batch_size=10)
        platform.rule(self, "RegistrationsRule",
                      description="Registration changes move subscribers between segments",
                      pattern=events.EventPattern(source=["tax.registration"],
                                                  detail_type=["RegistrationChanged"]),
                      to=self.registrations)

        # the risk indicators' cases: each a risk warning to its taxpayer
        self.indicators_function: lambda_.Function = platform.function(
            self, "outreach_indicators",
            description="D15: the risk indicators' cases as risk warnings to their taxpayers",
            environment={**env, "ACCEPTANCE_TABLE": acceptance.table_name},
            publishes_events=True)
        grant(self.indicators_function, self.table, "PutItem")
        platform.grant_registry_read(self.indicators_function, registry)
        grant(self.indicators_function, acceptance, "GetItem")
        self.indicator_cases = platform.consumer(self, "IndicatorCases",
                                                 function=self.indicators_function,
                                                 batch_size=10)
        platform.rule(self, "IndicatorCasesRule",
                      description="The risk indicators' new cases warn their taxpayers",
                      pattern=events.EventPattern(source=["tax.analytics"],
                                                  detail_type=["RiskCaseOpened"]),
                      to=self.indicator_cases)
