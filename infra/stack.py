"""The deployable unit: the platform and the plan boards, with the outputs clients need."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct

from infra.config import StageConfig
from infra.handling import TaxHandling
from infra.invoices import InvoiceServices
from infra.lottery import Lottery
from infra.notifications import Notifications
from infra.platform import Platform
from infra.platform.api import API_STAGE


class EtaxStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: StageConfig,
                 **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.platform = Platform(self, "Platform", config=config)
        self.handling = TaxHandling(self, "TaxHandling", platform=self.platform)
        self.invoices = InvoiceServices(self, "InvoiceServices", platform=self.platform,
                                        registry=self.handling.registry)
        self.lottery = Lottery(self, "Lottery", platform=self.platform,
                               invoices=self.invoices.invoices)
        self.notifications = Notifications(self, "Notifications", platform=self.platform)

        outputs = {
            "ApiUrl": self.platform.api.rest_api.url,
            "ApiId": self.platform.api.rest_api.rest_api_id,
            "ApiStage": API_STAGE,
            "EventBusName": self.platform.bus.event_bus_name,
            "SigningKeyId": self.platform.signing_key.key_id,
            "IdempotencyTableName": self.platform.idempotency_table.table_name,
            "RegistryTableName": self.handling.registry.table_name,
            "RegistrationFeedQueueUrl": self.handling.feed.queue.queue_url,
            "RegistrationFeedDeadLetterQueueUrl": self.handling.feed.dead_letters.queue_url,
            "RegistrationFeedFunctionName": self.handling.registration_feed.function_name,
            "InvoicesTableName": self.invoices.invoices.table_name,
            "IssuingQuotaTableName": self.invoices.quotas.table_name,
            "ChannelTokenSecretArn": self.invoices.channel_token.secret_arn,
            "LotteryTableName": self.lottery.table.table_name,
            "LotteryDrawsTableName": self.lottery.draws.table_name,
            "LotteryLedgerTableName": self.lottery.ledger.table_name,
            "LotterySeedKeyId": self.lottery.seed_key.key_id,
            "PayoutQueueUrl": self.lottery.payouts.queue.queue_url,
            "PayoutDeadLetterQueueUrl": self.lottery.payouts.dead_letters.queue_url,
            "LotteryStreamFailuresQueueUrl": self.lottery.stream_failures.queue_url,
            "AlarmTopicArn": self.platform.observability.topic.topic_arn,
            "Stage": config.stage,
            "NotificationsTableName": self.notifications.table.table_name,
            "NotificationLedgerTableName": self.notifications.ledger.table_name,
            "NotifierQueueUrl": self.notifications.queue.queue.queue_url,
            "NotifierDeadLetterQueueUrl": self.notifications.queue.dead_letters.queue_url,
        }
        for channel, consumer in self.notifications.channel_queues.items():
            name = f"Notification{channel.capitalize()}"
            outputs[f"{name}QueueUrl"] = consumer.queue.queue_url
            outputs[f"{name}DeadLetterQueueUrl"] = consumer.dead_letters.queue_url
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
