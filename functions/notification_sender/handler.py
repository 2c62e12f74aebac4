"""A channel sender: the messages of one channel's queue (``NOTIFICATION_CHANNEL``: sms,
wechat, email or app; the same code runs once per channel) → that channel's provider →
the delivery marked ``sent`` on the recipient's inbox entry. A message the provider refused
is reported alone (``batchItemFailures``); after the last receive the delivery is
``failed`` and the message rests in this channel's dead-letter queue, never holding up
another channel (``scripts/redrive.py`` sends it back)."""

from __future__ import annotations

import os

from etax.notifications.messages import ChannelMessage
from etax.notifications.providers import ProviderError
from etax.notifications.repository import NotificationsRepository
from etax.notifications.service import ChannelSender
from etax.platform.aws import lazy
from etax.platform.consumer import consumer, json_body
from etax.platform.observability import instrument
from etax.platform.partners import adapter
from etax.platform.settings import required
from etax.simulations.channels import simulated_adapter

CHANNEL = required("NOTIFICATION_CHANNEL")
sender = ChannelSender(
    NotificationsRepository(),
    adapter("notification", simulated=lambda: simulated_adapter(
        CHANNEL, lazy("dynamodb"), required("NOTIFICATION_LEDGER_TABLE"))),
    max_receives=int(os.environ.get("SENDER_MAX_RECEIVES", "3")),
)
handler = instrument(consumer(
    "delivery", lambda body: ChannelMessage.from_body(json_body(body)), sender.deliver,
    expected=(ProviderError,), describe=lambda message: {"delivery_id": message.delivery_id}))
