"""Simulated notification gateways (SMS, WeChat template messages, e-mail, app push).

Each channel's provider keeps its books in the ledger table (``NOTIFICATION_LEDGER_TABLE``):
``attempt#<channel>#<delivery id>`` counts the calls, ``sent#<channel>#<delivery id>`` is the
message sent, written once; an item ``blocked#<channel>#<address>`` makes it refuse that
address. An address with ``FAIL`` (or, for SMS, a number in ``+86170000…``) is always refused,
``FLAKY`` fails the first attempt. See :mod:`etax.notifications.providers`.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from etax.notifications import CHANNELS, Channel
from etax.notifications.providers import ChannelAdapter, Receipt
from etax.platform.partners import PartnerRefused, PartnerUnavailable
from etax.simulations.ledger import Markers, PartnerLedger, transport

UNREACHABLE_SMS_PREFIX = "+86170000"
REFERENCE_PREFIX: dict[Channel, str] = {"sms": "SMS", "wechat": "WXT", "email": "MAIL",
                                        "app": "PUSH"}


def refuses(channel: Channel, address: str) -> bool:
    """Whether the simulated provider of ``channel`` always refuses ``address``."""
    return Markers(address).fails or (channel == "sms"
                                      and address.startswith(UNREACHABLE_SMS_PREFIX))


class SimulatedProvider:
    """One channel's provider, simulated over its ledger table (see the module doc)."""

    def __init__(self, channel: Channel, client: Any, ledger_table: str) -> None:
        self.channel = channel
        self.ledger = PartnerLedger(client, ledger_table)

    def send(self, delivery_id: str, address: str, content: dict[str, str]) -> Receipt:
        with transport(self.channel):
            markers = Markers(address,
                              self.ledger.attempt(f"attempt#{self.channel}#{delivery_id}"))
            if refuses(self.channel, address) or self.ledger.marked(
                    f"blocked#{self.channel}#{address}"):
                raise PartnerRefused(f"{self.channel}: address …{address[-4:]} cannot "
                                     "receive messages")
            if markers.flaky_now:
                raise PartnerUnavailable(f"{self.channel}: gateway busy, try again")
            record, _ = self.ledger.record_once(f"sent#{self.channel}#{delivery_id}", {
                "reference": f"{REFERENCE_PREFIX[self.channel]}{uuid.uuid4().hex[:20].upper()}",
                "address": address,
                "content": "\n".join(f"{k}: {v}" for k, v in content.items()),
                "sent_at": datetime.now(UTC).isoformat()})
        return Receipt(delivery_id, str(record["reference"]), str(record["sent_at"]))


def simulated_adapter(channel: str, client: Any, ledger_table: str) -> ChannelAdapter:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return SimulatedProvider(channel, client, ledger_table)
