"""The push fan-out and the inbox (used by every board that notifies; D15 builds on it).

Resources: the notifications table (inbox entries and preferences, an ``inbox`` index for
the newest-first page), the simulated providers' ledger, the API function (inbox,
preferences, the admin's send), and the pipeline::

    bus ── rule: detail.notification.id exists ──▶ queue (+ DLQ) ──▶ notifier
        ──▶ sms / wechat / email / app queues (each + DLQ) ──▶ one sender per channel

Every queue is a platform consumer: partial batch responses, a dead-letter queue after
three receives, an alarm on it.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.notifications.tables import NOTIFICATIONS, PROVIDER_LEDGER
from infra.platform import Platform
from infra.platform.data import grant
from infra.platform.events import MAX_RECEIVE_COUNT, QueueConsumer

ROUTES = ("GET /v1/me/inbox", "POST /v1/me/inbox/read", "GET /v1/me/notification-preferences",
          "PUT /v1/me/notification-preferences", "POST /v1/notifications")
CHANNELS = ("sms", "wechat", "email", "app")
NOTIFIER_BATCH = 250  # SendMessageBatch calls stay full (ten entries) at volume

# every event whose detail carries a notification with an id (THE NOTIFICATION CONTRACT)
NOTIFICATION_PATTERN = events.EventPattern(detail={"notification": {"id": events.Match.exists()}})


class Notifications(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, NOTIFICATIONS)
        self.ledger = platform.simulation_table(self, PROVIDER_LEDGER)  # simulated providers' books
        table_env = {"NOTIFICATIONS_TABLE": self.table.table_name}

        # the API: the inbox, preferences, the admin's send (through the bus)
        self.api_function: lambda_.Function = platform.function(
            self, "notifications",
            description="The signed-in person's inbox and notification preferences; "
                        "the admin's send",
            environment=table_env, publishes_events=True,
        )
        grant(self.api_function, self.table, "GetItem", "PutItem", "UpdateItem",
              query=["inbox"])
        platform.api.routes(self.api_function, *ROUTES)

        # one sender per channel: the same code, the channel as configuration
        self.senders: dict[str, lambda_.Function] = {}
        self.channel_queues: dict[str, QueueConsumer] = {}
        for channel in CHANNELS:
            scope_ = Construct(self, channel.capitalize())
            sender = platform.function(
                scope_, "notification_sender",
                description=f"Delivers notifications by {channel} through its provider",
                environment={**table_env,
                             "NOTIFICATION_CHANNEL": channel,
                             "SENDER_MAX_RECEIVES": str(MAX_RECEIVE_COUNT),
                             **(platform.simulated(
                                 "notification",
                                 NOTIFICATION_LEDGER_TABLE=self.ledger.table_name)
                                if self.ledger is not None else {})},
                timeout=Duration.seconds(5),
            )
            grant(sender, self.table, "GetItem", "UpdateItem")
            if self.ledger is not None:  # the simulated providers' books
                grant(sender, self.ledger, "GetItem", "PutItem", "UpdateItem")
            self.senders[channel] = sender
            self.channel_queues[channel] = platform.consumer(
                self, f"{channel.capitalize()}Deliveries", function=sender)

        # the notifier: rule → queue → inbox entry + channel messages
        self.notifier: lambda_.Function = platform.function(
            self, "notifier",
            description="Resolves preferences, writes the inbox entry, queues one message "
                        "per channel",
            environment={**table_env, **{f"{c.upper()}_QUEUE_URL":
                                         self.channel_queues[c].queue.queue_url
                                         for c in CHANNELS}},
            timeout=Duration.seconds(60),
        )
        grant(self.notifier, self.table, "GetItem", "PutItem", "BatchGetItem")
        for consumer in self.channel_queues.values():
            consumer.queue.grant_send_messages(self.notifier)
        self.queue = platform.consumer(self, "Notifier", function=self.notifier,
                                       batch_size=NOTIFIER_BATCH)
        self.rule = platform.rule(
            self, "NotificationRule",
            description="Every event carrying a notification goes to the notifier",
            pattern=NOTIFICATION_PATTERN, to=self.queue)
