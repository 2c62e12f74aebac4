"""Board B, tax handling: filing and payment with reminders (plan action B5).

Resources: the filing table (obligations with their returns and ledgers, payments) with the
sparse ``by_due`` index the reminder run Queries and the sparse ``by_payer`` index of confirmed
payments; the providers' callback secret; the API function (obligations, returns, payments,
signed receipts); the public callback function; the reminder function and its daily schedule;
the table's stream announcing returns filed and payments confirmed on the bus (the outbox).
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.filing import outbox as filing_outbox
from etax.filing.tables import FILING
from infra.platform import Platform
from infra.platform.data import grant

ROUTES = ("POST /v1/filing/obligations", "GET /v1/filing/obligations",
          "GET /v1/filing/obligations/{obligation_id}",
          "POST /v1/filing/obligations/{obligation_id}/return",
          "POST /v1/filing/obligations/{obligation_id}/payments",
          "GET /v1/filing/payments/{payment_id}", "GET /v1/filing/payments/{payment_id}/receipt")
REMINDER_SCHEDULE_UTC_HOUR = "1"  # 09:00 in Asia/Shanghai
REFUSED_TIME_METRIC = "PaymentCallbackTimeRefused"  # etax.filing.payments.REFUSED_TIME_METRIC


class FilingAndPayment(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, FILING)
        self.callback_secret = platform.secret(
            self, "PaymentCallbackSecret",
            description="Master key of the payment providers' callback signatures (HMAC)",
            key="key", length=48,
            not_rotated="rotating the callback key means re-keying it with every payment "
                        "provider, an operator's step")
        table_env = {"FILING_TABLE": self.table.table_name}

        # the API: obligations, returns, payments, receipts
        self.api_function: lambda_.Function = platform.function(
            self, "filing",
            description="B5: obligations, returns with the tax computed, payments, receipts",
            environment={**table_env, **platform.simulated("payment")},
            idempotent=True,
            memory_size=512,
        )
        grant(self.api_function, self.table, "GetItem", "PutItem", "UpdateItem",
              "Query", query=["payments_of"])  # no Scan; a taxpayer's payments by the index
        platform.grant_registry_read(self.api_function, registry)
        platform.grant_signing(self.api_function)
        api = platform.api
        api.routes(self.api_function, *ROUTES)

        # the providers' callbacks: public, signed, confirm or fail a payment
        self.callback_function: lambda_.Function = platform.function(
            self, "filing_callbacks",
            description="B5: payment providers' signed callbacks confirm payments",
            environment={**table_env,
                         "PAYMENT_CALLBACK_SECRET": self.callback_secret.secret_arn},
        )
        grant(self.callback_function, self.table, "GetItem", "UpdateItem")  # the transaction too
        self.callback_secret.grant_read(self.callback_function)
        api.route("POST", "/v1/filing/callbacks/{method}", self.callback_function, public=True)
        platform.observability.alarm_on_metric(
            "PaymentCallbackTimeRefused", metric_name=REFUSED_TIME_METRIC,
            service="filing_callbacks",
            description="a payment provider's signed callback carried a confirmation time "
                        "outside the payment's life (backdated or in the future): refused")

        # the daily reminder run: Query the due index, claim, publish ten per PutEvents
        self.reminder_function: lambda_.Function = platform.function(
            self, "filing_reminders",
            description="B5: daily reminders (催报催缴) for obligations not filed or not paid",
            environment=table_env,
            publishes_events=True,
            timeout=Duration.minutes(5),
        )
        grant(self.reminder_function, self.table, "UpdateItem", query=["by_due"])
        self.schedule = platform.schedule(
            self, "DailyReminders",
            description="Every day at 09:00 Asia/Shanghai: reminders for missed deadlines",
            schedule=events.Schedule.cron(minute="0", hour=REMINDER_SCHEDULE_UTC_HOUR),
            function=self.reminder_function,
        )

        # the outbox: returns filed and payments confirmed, announced from the table's stream
        self.stream_failures = platform.outbox(
            self, "FilingStream", table=self.table, name="filing_events",
            description="Announces returns filed and payments confirmed on the bus from the "
                        "filing table's stream",
            filters=filing_outbox.ANNOUNCING,  # a reminder's claim or a payment started: nothing
        ).failures

    def grant_payment_records(self, function: lambda_.Function) -> None:
        """Let ``function`` read confirmed payments (one Query on ``by_payer``, nothing else):
        ``etax.filing.records.FilingPaymentRecords`` for the tax payment certificate."""
        function.add_environment("FILING_TABLE", self.table.table_name)
        grant(function, self.table, query=["by_payer"])

    def grant_refund_ledger(self, function: lambda_.Function, *, record: bool = False) -> None:
        """Let ``function`` read obligations' ledgers (``etax.filing.refunds``: GetItem, and
        ConditionCheckItem: a case is stored only if the ledger is as read) and, with
        ``record``, record a refund in one (UpdateItem, inside the refund's transaction)."""
        function.add_environment("FILING_TABLE", self.table.table_name)
        grant(function, self.table, "GetItem",
              *(["UpdateItem"] if record else ["ConditionCheckItem"]))
