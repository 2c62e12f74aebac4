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
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.supply.tables import SUPPLY
from infra.platform import Platform
from infra.platform.data import grant, index_arn

ROUTES = ("POST /v1/invoice-supplies", "GET /v1/invoice-supplies",
          "GET /v1/invoice-supplies/{application_id}",
          "POST /v1/invoice-supplies/{application_id}/decision")
WORKER_EVENTS = ["InvoiceSupplyApplied", "InvoiceSupplyApproved", "InvoiceSupplyShipped"]


class Supply(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable, invoices: dynamodb.ITable,
                 quotas: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        self.supply = platform.table(self, SUPPLY)
        local = platform.config.is_local
        logistics = {"LOGISTICS_POLL_SECONDS": "2" if local else "900",
                     # the simulated carrier (its books are items of the supply table)
                     **platform.simulated("carrier",
                                          LOGISTICS_STEP_SECONDS="2" if local else "3600")}
        supply_env = {"SUPPLY_TABLE": self.supply.table_name,
                      "INVOICES_TABLE": invoices.table_name,
                      "ISSUING_QUOTA_TABLE": quotas.table_name, **logistics}

        # the API: apply, follow, decide
        self.api_function: lambda_.Function = platform.function(
            self, "supply",
            description="B7: invoice supply applications, their progress and officer decisions",
            environment=supply_env, idempotent=True)
        grant(self.api_function, self.supply, "GetItem", "PutItem", "UpdateItem",
              query=["by_applicant", "by_review_office"])
        grant(self.api_function, quotas, "BatchGetItem")  # the quota in force
        platform.grant_registry_read(self.api_function, registry)
        platform.api.routes(self.api_function, *ROUTES)

        # the outbox: the supply table's stream announces each state an application enters
        self.stream_failures = platform.outbox(
            self, "SupplyStream", table=self.supply, name="supply_events",
            description="Announces invoice supply facts on the bus from the supply table's "
                        "stream").failures

        # the worker: 验旧 and the decision, delivery or quota, tracking
        self.worker: lambda_.Function = platform.function(
            self, "supply_worker",
            description="Verifies used invoices, decides, posts the batch or raises the quota, "
                        "tracks the parcel",
            environment=supply_env, timeout=Duration.seconds(30))
        grant(self.worker, self.supply, "GetItem", "PutItem", "UpdateItem")
        grant(self.worker, [index_arn(self.supply, "by_applicant"),
                            index_arn(invoices, "by_seller")], "Query")
        grant(self.worker, invoices, "BatchGetItem")  # read the facts, nothing else
        grant(self.worker, quotas, "BatchGetItem", "UpdateItem")  # read and raise the quota only
        platform.grant_registry_read(self.worker, registry)
        self.queue = platform.consumer(self, "SupplySteps", function=self.worker, batch_size=5)
        self.worker.add_environment("SUPPLY_QUEUE_URL", self.queue.queue.queue_url)
        self.queue.queue.grant_send_messages(self.worker)
        self.rule = platform.rule(
            self, "SupplyStepsRule", description="Invoice supply facts the worker acts on",
            pattern=events.EventPattern(source=["tax.supply"], detail_type=WORKER_EVENTS),
            to=self.queue)
