"""Board C, invoice services (发票服务): e-invoices and mobile issuing (C8, C9), the national
verification service with its message channels (C10). The lottery (C11) joins this board."""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.invoices import outbox as invoice_outbox
from etax.invoices.tables import INVOICES, QUOTAS, SEQUENCES, VERIFICATION_GUARD
from infra.platform import Platform
from infra.platform.data import grant


class InvoiceServices(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.Table) -> None:
        super().__init__(scope, construct_id)
        self.invoices = platform.table(self, INVOICES)
        self.sequences = platform.table(self, SEQUENCES)
        self.quotas = platform.table(self, QUOTAS)
        tables_env = {
            "INVOICES_TABLE": self.invoices.table_name,
            "INVOICE_SEQUENCES_TABLE": self.sequences.table_name,
            "ISSUING_QUOTA_TABLE": self.quotas.table_name,
        }

        # C8, C9: issuing, downloads, red-letter, voiding, spec, keys
        self.issuing: lambda_.Function = platform.function(
            self, "invoices",
            description="C8/C9: issue, download, print, credit and void e-invoices",
            environment=tables_env,
            idempotent=True,
            memory_size=512,
        )
        grant(self.issuing, self.invoices, "GetItem", "PutItem", "UpdateItem",
              "ConditionCheckItem", "BatchGetItem",  # the table, and the two lists' indexes:
              query=("by_seller", "by_buyer"))      # a taxpayer's own invoices
        grant(self.issuing, self.sequences, "BatchGetItem", "PutItem", "UpdateItem")
        grant(self.issuing, self.quotas, "BatchGetItem", "UpdateItem")  # read and use the quota
        platform.grant_registry_read(self.issuing, registry)
        platform.grant_signing(self.issuing)
        api = platform.api
        api.routes(self.issuing, "POST /v1/invoices", "GET /v1/invoices")
        api.routes(self.issuing, "GET /v1/invoices/spec", "GET /v1/keys", public=True)
        api.routes(self.issuing,
                   "GET /v1/invoices/{number}",
                   "GET /v1/invoices/{number}/document",
                   "POST /v1/invoices/{number}/red-letter",
                   "POST /v1/invoices/{number}/void")

        # C10: verification — the hot path may only count-and-read an invoice (UpdateItem);
        # its own table keeps callers' failure counters and WeChat nonces (TTL, no reads)
        self.verification_guard = platform.table(self, VERIFICATION_GUARD)
        self.channel_token = platform.secret(
            self, "ChannelToken",
            description="Shared token of the WeChat-style and SMS-style verification channels",
            key="token", length=32,
            not_rotated="rotating the channel token means re-registering it with the message "
                        "platforms, an operator's step")
        self.verification: lambda_.Function = platform.function(
            self, "verification",
            description="C10: national invoice verification (API, QR parsing, message channels)",
            environment={"INVOICES_TABLE": self.invoices.table_name,
                         "INVOICE_SEQUENCES_TABLE": self.sequences.table_name,
                         "ISSUING_QUOTA_TABLE": self.quotas.table_name,
                         "VERIFICATION_GUARD_TABLE": self.verification_guard.table_name,
                         "CHANNEL_TOKEN_SECRET": self.channel_token.secret_arn},
            memory_size=512,
        )
        grant(self.verification, self.invoices, "UpdateItem")
        grant(self.verification, self.verification_guard, "UpdateItem", "PutItem")
        self.channel_token.grant_read(self.verification)
        api.routes(self.verification,
                   "POST /v1/invoices/verify",
                   "POST /v1/invoices/qr/parse",
                   "GET /v1/channels/wechat",
                   "POST /v1/channels/wechat",
                   "POST /v1/channels/sms", public=True)

        # The stream announces InvoiceIssued / InvoiceRedIssued / InvoiceVoided
        self.stream_failures = platform.outbox(
            self, "InvoiceStream", table=self.invoices, name="invoice_events",
            description="Announces invoice facts on the bus from the invoices table's stream",
            filters=invoice_outbox.ANNOUNCING,  # a verification's count wakes nothing
        ).failures
