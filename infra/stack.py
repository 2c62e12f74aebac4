"""The deployable unit: the platform and the plan boards, with the outputs clients need."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra.acceptance import Acceptance
from infra.analytics import Analytics
from infra.apps import Apps
from infra.calculators import Calculators
from infra.certificates import Certificates
from infra.complaints import Complaints
from infra.config import StageConfig
from infra.consult import Consult
from infra.credit import Credit
from infra.crowd import Crowd
from infra.feedback import Feedback
from infra.filing import FilingAndPayment
from infra.ideas import Ideas
from infra.invoices import InvoiceServices
from infra.knowledge import Knowledge
from infra.knowledge_search import KnowledgeSearch
from infra.lottery import Lottery
from infra.notifications import Notifications
from infra.office import Office
from infra.outreach import Outreach
from infra.partner_bank import PartnerBank
from infra.platform import Platform
from infra.platform.api import API_STAGE
from infra.portal import Portal
from infra.refunds import Refunds
from infra.regulations import Regulations
from infra.school import School
from infra.sharing import Sharing
from infra.supply import Supply
from infra.violators import Violators


class EtaxStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig,
                 **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.platform = Platform(self, "Platform", config=config)
        self.acceptance = Acceptance(self, "Acceptance", platform=self.platform)
        self.invoices = InvoiceServices(self, "InvoiceServices", platform=self.platform,
                                        registry=self.acceptance.registry)
        self.lottery = Lottery(self, "Lottery", platform=self.platform,
                               invoices=self.invoices.invoices)
        self.filing = FilingAndPayment(self, "FilingAndPayment", platform=self.platform,
                                       registry=self.acceptance.registry)
        self.calculators = Calculators(self, "Calculators", platform=self.platform)
        self.supply = Supply(self, "Supply", platform=self.platform,
                             registry=self.acceptance.registry,
                             invoices=self.invoices.invoices, quotas=self.invoices.quotas)
        self.certificates = Certificates(self, "Certificates", platform=self.platform,
                                         registry=self.acceptance.registry)
        self.refunds = Refunds(self, "Refunds", platform=self.platform,
                               registry=self.acceptance.registry,
                               acceptance=self.acceptance.table,
                               invoices=self.invoices.invoices)
        # refunds are due from filing's ledgers, and recorded there when paid
        self.filing.grant_refund_ledger(self.refunds.api_function)
        self.filing.grant_refund_ledger(self.refunds.stage_functions["refund_payment"],
                                        record=True)
        # tax payment certificates list the confirmed payments of filing and payment
        self.filing.grant_payment_records(self.certificates.function)
        self.notifications = Notifications(self, "Notifications", platform=self.platform)
        self.portal = Portal(self, "Portal", platform=self.platform)
        self.regulations = Regulations(self, "Regulations", platform=self.platform)
        self.crowd = Crowd(self, "Crowd", platform=self.platform)
        self.knowledge = Knowledge(self, "Knowledge", platform=self.platform,
                                   regulations=self.regulations.table)
        self.knowledge_search = KnowledgeSearch(self, "KnowledgeSearch", platform=self.platform,
                                                regulations=self.regulations.table,
                                                knowledge=self.knowledge.table)
        self.consult = Consult(self, "Consult", platform=self.platform,
                               registry=self.acceptance.registry,
                               acceptance=self.acceptance.table,
                               channel_token=self.invoices.channel_token,
                               search=self.knowledge_search)
        self.outreach = Outreach(self, "Outreach", platform=self.platform,
                                 registry=self.acceptance.registry,
                                 acceptance=self.acceptance.table)
        self.violators = Violators(self, "Violators", platform=self.platform,
                                   registry=self.acceptance.registry)
        self.complaints = Complaints(self, "Complaints", platform=self.platform,
                                     registry=self.acceptance.registry)
        self.credit = Credit(self, "Credit", platform=self.platform,
                             registry=self.acceptance.registry, filing=self.filing.table)
        # a D credit rating is never approved an invoice supply automatically
        self.credit.grant_levels_read(self.supply.worker)
        self.feedback = Feedback(self, "Feedback", platform=self.platform)
        # new boards in nested stacks of their own (infra/platform/boards.py)
        self.analytics = Analytics(self, "Analytics", platform=self.platform,
                                   quotas=self.invoices.quotas,
                                   registry=self.acceptance.registry, credit=self.credit.table)
        self.sharing = Sharing(self, "Sharing", platform=self.platform,
                               registry=self.acceptance.registry, credit=self.credit.table,
                               filing=self.filing.table, quotas=self.invoices.quotas)
        self.office = Office(self, "Office", platform=self.platform,
                             registry=self.acceptance.registry)
        self.ideas = Ideas(self, "Ideas", platform=self.platform)
        self.school = School(self, "School", platform=self.platform)
        self.apps = Apps(self, "Apps", platform=self.platform)
        # the partner's side, a real client of the partners' routes (local only: it signs in
        # through the dev issuer)
        self.partner_bank = PartnerBank(self, "PartnerBank", platform=self.platform) \
            if self.platform.config.is_local else None
        self.platform.finish()  # the public routes' alarms and the dashboard, every board built

        outputs = {
            "ApiUrl": self.platform.api.rest_api.url,
            "ApiId": self.platform.api.rest_api.rest_api_id,
            "ApiStage": API_STAGE,
            "EventBusName": self.platform.bus.event_bus_name,
            "SigningKeyId": self.platform.signing_key.key_id,
            "IdempotencyTableName": self.platform.idempotency_table.table_name,
            "RegistryTableName": self.acceptance.registry.table_name,
            "RegistrationFeedQueueUrl": self.acceptance.feed.queue.queue_url,
            "RegistrationFeedDeadLetterQueueUrl": self.acceptance.feed.dead_letters.queue_url,
            "RegistrationFeedFunctionName": self.acceptance.acceptance_feed.function_name,
            "InvoicesTableName": self.invoices.invoices.table_name,
            "IssuingQuotaTableName": self.invoices.quotas.table_name,
            "ChannelTokenSecretArn": self.invoices.channel_token.secret_arn,
            "VerificationGuardTableName": self.invoices.verification_guard.table_name,
            "LotteryTableName": self.lottery.table.table_name,
            "LotteryDrawsTableName": self.lottery.draws.table_name,
            "LotterySeedKeyId": self.lottery.seed_key.key_id,
            "PayoutQueueUrl": self.lottery.payouts.queue.queue_url,
            "PayoutDeadLetterQueueUrl": self.lottery.payouts.dead_letters.queue_url,
            "LotteryStreamFailuresQueueUrl": self.lottery.stream_failures.queue_url,
            "FilingTableName": self.filing.table.table_name,
            "PaymentCallbackSecretArn": self.filing.callback_secret.secret_arn,
            "FilingRemindersFunctionName": self.filing.reminder_function.function_name,
            "FilingStreamFailuresQueueUrl": self.filing.stream_failures.queue_url,
            "SupplyTableName": self.supply.supply.table_name,
            "SupplyQueueUrl": self.supply.queue.queue.queue_url,
            "SupplyDeadLetterQueueUrl": self.supply.queue.dead_letters.queue_url,
            "CertificatesTableName": self.certificates.table.table_name,
            "AcceptanceTableName": self.acceptance.table.table_name,
            "DocumentsBucketName": self.acceptance.documents.bucket_name,
            "AcceptanceStreamFailuresQueueUrl":
                self.acceptance.acceptance_stream_failures.queue_url,
            "AlarmTopicArn": self.platform.observability.topic.topic_arn,
            "Stage": config.stage,
            "ToolsFunctionName": self.calculators.function.function_name,
            "RefundsTableName": self.refunds.table.table_name,
            "RefundStreamFailuresQueueUrl": self.refunds.stream_failures.queue_url,
            "NotificationsTableName": self.notifications.table.table_name,
            "NotifierQueueUrl": self.notifications.queue.queue.queue_url,
            "NotifierDeadLetterQueueUrl": self.notifications.queue.dead_letters.queue_url,
            "PortalBucketName": self.portal.bucket.bucket_name,
            "RegulationsTableName": self.regulations.table.table_name,
            "SearchBucketName": self.knowledge_search.bucket.bucket_name,
            "SearchIndexerFunctionName": self.knowledge_search.indexer.function_name,
            "ConsultTableName": self.consult.table.table_name,
            "CrowdTableName": self.crowd.table.table_name,
            "IdeasTableName": self.ideas.table.table_name,
            "SchoolTableName": self.school.table.table_name,
            "AppsTableName": self.apps.table.table_name,
            "PackagesBucketName": self.apps.packages.bucket_name,
            "SchoolRemindersFunctionName": self.school.reminder_function.function_name,
            "KnowledgeTableName": self.knowledge.table.table_name,
            "RegulationSubscriptionsTableName": self.knowledge.subscriptions.table_name,
            "OutreachTableName": self.outreach.table.table_name,
            "OutreachQueueUrl": self.outreach.queue.queue.queue_url,
            "OutreachDeadLetterQueueUrl": self.outreach.queue.dead_letters.queue_url,
            "ViolatorsTableName": self.violators.table.table_name,
            "ViolatorRemovalsFunctionName": self.violators.removal_function.function_name,
            "ComplaintsTableName": self.complaints.table.table_name,
            "ComplaintsEscalationFunctionName":
                self.complaints.escalation_function.function_name,
            "ComplaintStreamFailuresQueueUrl": self.complaints.stream_failures.queue_url,
            "FeedbackTableName": self.feedback.table.table_name,
            "FeedbackQueueUrl": self.feedback.completed.queue.queue_url,
            "FeedbackDeadLetterQueueUrl": self.feedback.completed.dead_letters.queue_url,
            "CreditAnnualFunctionName": self.credit.annual_function.function_name,
            "AnalyticsBucketName": self.analytics.bucket.bucket_name,
            "AnalyticsTableName": self.analytics.table.table_name,
            "AnalyticsCompactorFunctionName": self.analytics.compactor.function_name,
            "AnalyticsBriefingFunctionName": self.analytics.briefing.function_name,
            "AnalyticsArchiveQueueUrl": self.analytics.archived.queue.queue_url,
            "AnalyticsArchiveDeadLetterQueueUrl":
                self.analytics.archived.dead_letters.queue_url,
            "OpenDataBucketName": self.analytics.open_data.bucket.bucket_name,
            "OpenDataPublisherFunctionName":
                self.analytics.open_data.publisher.function_name,
            "SharingTableName": self.sharing.table.table_name,
            "SharingStreamFailuresQueueUrl": self.sharing.stream.failures.queue_url,
            "SharingFeedQueueUrl": self.sharing.feed.queue.queue_url,
            "SharingFeedDeadLetterQueueUrl": self.sharing.feed.dead_letters.queue_url,
            "OfficeTableName": self.office.table.table_name,
            "OfficeAlertsQueueUrl": self.office.alerts.queue.queue_url,
            "OfficeAlertsDeadLetterQueueUrl": self.office.alerts.dead_letters.queue_url,
        }
        if self.partner_bank is not None:
            outputs["PartnerBankApiId"] = self.partner_bank.api_id
        if self.analytics.open_data.url is not None:  # on local, scripts/local.py's
            outputs["OpenDataUrl"] = self.analytics.open_data.url
        if self.portal.url is not None:  # on local, scripts/local.py adds the one it serves
            outputs["PortalUrl"] = self.portal.url
        simulated = {"LotteryLedgerTableName": self.lottery.ledger,  # the simulated partners'
                     "RefundTreasuryTableName": self.refunds.treasury,  # books (local, test)
                     "NotificationLedgerTableName": self.notifications.ledger,
                     # the route classes' counters where no WAF counts them (local)
                     "EdgeLimitsTableName": self.platform.edge_limits_table}
        outputs.update({name: table.table_name for name, table in simulated.items()
                        if table is not None})
        for name, consumer in self.refunds.stages.items():
            stage = "".join(part.capitalize() for part in name.split("_"))
            outputs[f"{stage}QueueUrl"] = consumer.queue.queue_url
            outputs[f"{stage}DeadLetterQueueUrl"] = consumer.dead_letters.queue_url
        for channel, consumer in self.notifications.channel_queues.items():
            name = f"Notification{channel.capitalize()}"
            outputs[f"{name}QueueUrl"] = consumer.queue.queue_url
            outputs[f"{name}DeadLetterQueueUrl"] = consumer.dead_letters.queue_url
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
