"""Board B, tax handling: self-service (plan action B7, 自助申领), invoice supply — applied
for online, with the used-invoice checks (验旧), approval and delivery (the certificates of
B7 are :mod:`infra.certificates`).

Resources: the supply table (applications, paper number counters, the simulated carrier's
books; a ``by_applicant`` index; a stream as the outbox of the application's facts), the API
function ``supply``, the stream → bus function ``supply_events``, and the worker
``supply_worker`` fed by a queue (+ dead letters, alarm) that a rule fills with
``InvoiceSupplyApplied`` / ``…Approved`` / ``…Shipped``.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.supply.tables import SUPPLY
from infra.platform import Platform

WORKER_EVENTS = ["InvoiceSupplyApplied", "InvoiceSupplyApproved", "InvoiceSupplyShipped"]


class Supply(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable, invoices: dynamodb.ITable,
                 quotas: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        self.supply = platform.table(self, SUPPLY)
        local = platform.config.is_local
        logistics = {"LOGISTICS_STEP_SECONDS": "2" if local else "3600",
                     "LOGISTICS_POLL_SECONDS": "2" if local else "900"}
        supply_env = {"SUPPLY_TABLE": self.supply.table_name,
                      "REGISTRY_TABLE": registry.table_name,
                      "INVOICES_TABLE": invoices.table_name,
                      "ISSUING_QUOTA_TABLE": quotas.table_name, **logistics}
        supply_index = f"{self.supply.table_arn}/index/by_applicant"

        # the API: apply, follow, decide
        self.api_function: lambda_.Function = platform.function(
            self, "supply",
            description="B7: invoice supply applications, their progress and officer decisions",
            environment=supply_env, idempotent=True)
        self.api_function.add_to_role_policy(iam.PolicyStatement(
            actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            resources=[self.supply.table_arn]))
        self.api_function.add_to_role_policy(iam.PolicyStatement(
            actions=["dynamodb:Query"], resources=[supply_index]))
        self.api_function.add_to_role_policy(iam.PolicyStatement(  # the quota in force
            actions=["dynamodb:BatchGetItem"], resources=[quotas.table_arn]))
        registry.grant_read_data(self.api_function)
        api = platform.api
        api.route("POST", "/v1/invoice-supplies", self.api_function)
        api.route("GET", "/v1/invoice-supplies", self.api_function)
        api.route("GET", "/v1/invoice-supplies/{application_id}", self.api_function)
        api.route("POST", "/v1/invoice-supplies/{application_id}/decision", self.api_function)

        # the outbox: the supply table's stream announces each state an application enters
        self.events_function: lambda_.Function = platform.function(
            self, "supply_events",
            description="Announces invoice supply facts on the bus from the supply table's "
                        "stream",
            publishes_events=True)
        self.stream_failures = platform.outbox(self, "SupplyStream", table=self.supply,
                                               function=self.events_function).failures

        # the worker: 验旧 and the decision, delivery or quota, tracking
        self.worker: lambda_.Function = platform.function(
            self, "supply_worker",
            description="Verifies used invoices, decides, posts the batch or raises the quota, "
                        "tracks the parcel",
            environment=supply_env, timeout=Duration.seconds(30))
        self.worker.add_to_role_policy(iam.PolicyStatement(
            actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            resources=[self.supply.table_arn]))
        self.worker.add_to_role_policy(iam.PolicyStatement(
            actions=["dynamodb:Query"],
            resources=[supply_index, f"{invoices.table_arn}/index/by_seller"]))
        self.worker.add_to_role_policy(iam.PolicyStatement(  # read the facts, nothing else
            actions=["dynamodb:BatchGetItem"], resources=[invoices.table_arn]))
        self.worker.add_to_role_policy(iam.PolicyStatement(  # read and raise the quota only
            actions=["dynamodb:BatchGetItem", "dynamodb:UpdateItem"],
            resources=[quotas.table_arn]))
        registry.grant_read_data(self.worker)
        self.queue = platform.consumer(self, "SupplySteps", function=self.worker, batch_size=5)
        self.worker.add_environment("SUPPLY_QUEUE_URL", self.queue.queue.queue_url)
        self.queue.queue.grant_send_messages(self.worker)
        self.rule = events.Rule(
            self, "SupplyStepsRule",
            description="Invoice supply facts the worker acts on",
            event_bus=platform.bus,
            event_pattern=events.EventPattern(source=["tax.supply"], detail_type=WORKER_EVENTS),
            targets=[targets.SqsQueue(self.queue.queue)],
        )
