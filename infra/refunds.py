"""Board B, tax handling: the refund pipeline (plan action B6).

Resources: the refunds table (one item per case, the sparse ``by_review_office`` index, the
``by_applicant`` index, a stream as the outbox), the simulated treasury's books, the API
function, the stream → bus function, and one queue-fed consumer per stage, each fed by an
EventBridge rule on the fact that precedes it::

    RefundSubmitted         → checks   queue (+ dead letters, alarm) → refund_checks
    RefundDocumentsChecked  → approval queue …                       → refund_approval
    RefundApproved          → payment  queue …                       → refund_payment
    RefundPaid|Rejected     → notify   queue …                       → refund_notify

Every stage may read and update the refunds table and nothing else there (no Put, no Scan;
the payment stage may also delete a claim the paid case lets go of); only the payment stage
reaches the treasury's books and records refunds in filing's ledgers. The API function reads
who applies (registry, natural-person registrations) and the input invoices of an export.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.refunds.tables import REFUNDS, TREASURY
from infra.platform import Platform
from infra.platform.data import grant
from infra.platform.events import QueueConsumer

SOURCE = "tax.refunds"
ROUTES = ("POST /v1/refunds", "GET /v1/refunds", "GET /v1/refunds/{case_id}",
          "POST /v1/refunds/{case_id}/approve", "POST /v1/refunds/{case_id}/reject")
STAGES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    # (function, construct id, detail types that feed it, description)
    ("refund_checks", "Checks", ("RefundSubmitted",),
     "B6 stage 1: automatic document check of a submitted refund case"),
    ("refund_approval", "Approval", ("RefundDocumentsChecked",),
     "B6 stage 2: approval of a checked refund case"),
    ("refund_payment", "Payment", ("RefundApproved",),
     "B6 stage 3: payment of an approved refund by the treasury"),
    ("refund_notify", "Notify", ("RefundPaid", "RefundRejected"),
     "B6 stage 4: notification of the applicant"),
)


class Refunds(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable, acceptance: dynamodb.ITable,
                 invoices: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, REFUNDS)
        self.treasury = platform.simulation_table(self, TREASURY)  # the simulated treasury's books
        table_env = {"REFUNDS_TABLE": self.table.table_name}

        # the API: apply, follow, the review queue, decisions
        self.api_function: lambda_.Function = platform.function(
            self, "refunds",
            description="B6: refund applications, their stages, officers' review and decisions",
            environment={**table_env, "REGISTRY_TABLE": registry.table_name,
                         "ACCEPTANCE_TABLE": acceptance.table_name,
                         "INVOICES_TABLE": invoices.table_name,
                         **platform.simulated("bank")},  # the account's real-name check
            idempotent=True,
            memory_size=512,
        )
        grant(self.api_function, self.table, "GetItem", "PutItem", "UpdateItem",  # cases and
              "DeleteItem", query=["by_review_office", "by_applicant"])  # their claims
        grant(self.api_function, [registry, acceptance, invoices],
              "GetItem")  # who applies, from what
        platform.api.routes(self.api_function, *ROUTES)

        # the outbox: every change of a case's state is announced from the stream
        self.stream_failures = platform.outbox(
            self, "RefundStream", table=self.table, name="refund_events",
            description="Announces refund facts on the bus from the refunds table's stream",
        ).failures

        # the stages: rule → queue (+ dead letters, alarm) → consumer
        self.stages: dict[str, QueueConsumer] = {}
        self.stage_functions: dict[str, lambda_.Function] = {}
        for name, stage_id, detail_types, description in STAGES:
            environment = dict(table_env)
            if name == "refund_payment" and self.treasury is not None:
                environment.update(platform.simulated(
                    "treasury", REFUND_TREASURY_TABLE=self.treasury.table_name))
            function = platform.function(self, name, description=description,
                                         environment=environment,
                                         timeout=Duration.seconds(6))
            grant(function, self.table, "GetItem", "UpdateItem")
            if name == "refund_payment":
                # a paid case lets go of its obligation's claim; the treasury's books
                grant(function, self.table, "DeleteItem")
                if self.treasury is not None:
                    grant(function, self.treasury, "GetItem", "PutItem")
            consumer = platform.consumer(self, stage_id, function=function, batch_size=10)
            platform.rule(
                self, f"{stage_id}Rule",
                description=f"{' / '.join(detail_types)} → the refund {stage_id.lower()} queue",
                pattern=events.EventPattern(source=[SOURCE], detail_type=list(detail_types)),
                to=consumer)
            self.stages[name] = consumer
            self.stage_functions[name] = function
