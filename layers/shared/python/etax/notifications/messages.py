"""The pure parts of the fan-out: deduplication keys, channel messages, masked addresses.

One notification id is one inbox entry (``n#<id>`` under the recipient) and, per channel,
one delivery (``<id>#<channel>``, the providers' idempotency key). Messages on the channel
queues carry what a sender needs and nothing it must look up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.notifications import Channel
from etax.notifications.contract import Notification

SMS_MAX_CHARS = 70  # one SMS segment of Chinese text (UCS-2)
SIGNATURE = "【国家税务总局】"


def inbox_key(notification_id: str) -> str:
    """The sort key of the inbox entry: a second write of the same id finds it taken."""
    return f"n#{notification_id}"


def delivery_id(notification_id: str, channel: Channel) -> str:
    """The key of one delivery, also the provider's idempotency key."""
    return f"{notification_id}#{channel}"


def listed(received_at: str, notification_id: str) -> str:
    """The inbox index's sort key: newest first by time, the id breaking ties."""
    return f"{received_at}#{notification_id}"


def mask(channel: Channel, address: str) -> str:
    """An address as the inbox shows it: enough to recognize, not to reuse."""
    if channel == "sms" and len(address) >= 11:
        return f"{address[:-8]}****{address[-4:]}"
    if channel == "email" and "@" in address:
        name, domain = address.split("@", 1)
        return f"{name[:1]}***@{domain}"
    if len(address) > 8:
        return f"{address[:4]}…{address[-2:]}"
    return address


def render(channel: Channel, notification: Notification) -> dict[str, str]:
    """What the channel's provider is given: SMS one short signed text, the others title,
    body and link."""
    if channel == "sms":
        text = f"{SIGNATURE}{notification.title}：{notification.body}"
        if len(text) > SMS_MAX_CHARS:
            text = text[:SMS_MAX_CHARS - 1] + "…"
        return {"text": text}
    rendered = {"title": notification.title, "body": notification.body}
    if notification.link:
        rendered["link"] = notification.link
    return rendered


@dataclass(frozen=True, slots=True)
class ChannelMessage:
    """One message on a channel queue: deliver ``content`` of notification ``id`` to
    ``address`` on ``channel`` and record it on the recipient's inbox entry."""

    notification_id: str
    recipient: str
    channel: Channel
    address: str
    content: dict[str, str]

    @property
    def delivery_id(self) -> str:
        return delivery_id(self.notification_id, self.channel)

    def as_body(self) -> dict[str, Any]:
        return {"notification_id": self.notification_id, "recipient": self.recipient,
                "channel": self.channel, "address": self.address, "content": self.content}

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> ChannelMessage:
        return cls(notification_id=str(body["notification_id"]),
                   recipient=str(body["recipient"]), channel=body["channel"],
                   address=str(body["address"]), content=dict(body["content"]))


def channel_message(notification: Notification, channel: Channel, address: str
                    ) -> ChannelMessage:
    return ChannelMessage(notification.id, notification.recipient, channel, address,
                          render(channel, notification))
