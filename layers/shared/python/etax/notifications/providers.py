"""Channel providers: one adapter per channel (SMS gateway, WeChat official-account template
messages, e-mail, app push), each behind the same small interface.

The real providers are reached from a cloud account with contracts and credentials this
project does not have, so each channel is served here by a **simulated provider**:

* it is **idempotent on the delivery id** (``<notification id>#<channel>``): sending twice
  returns the first send, never a second message — what makes a repeated or redriven SQS
  message harmless; real gateways offer the same with a client message id;
* it records what it sent in its own ledger table (``NOTIFICATION_LEDGER_TABLE``, standing
  for the provider's books), so tests count the messages a person actually received;
* it **fails deterministically, driven by the address**: an address containing ``FAIL``
  (an openid, a device token, an e-mail's local part) or, for SMS, a number in the
  simulated unreachable range ``+86170000xxxxx`` is always refused; ``FLAKY`` fails the
  first attempt, then sends;
* it refuses an address **blocked** in its books (an item ``blocked#<channel>#<address>``
  in the ledger table) for as long as the block is there — how a tester makes a channel
  fail, lets its messages reach the dead-letter queue, lifts the block ("fixes the
  cause") and redrives them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from etax.notifications import CHANNELS, Channel

UNREACHABLE_SMS_PREFIX = "+86170000"
REFERENCE_PREFIX: dict[Channel, str] = {"sms": "SMS", "wechat": "WXT", "email": "MAIL",
                                        "app": "PUSH"}


class ProviderError(Exception):
    """The provider did not accept the message; the sender retries later."""


class ProviderRejected(ProviderError):
    """The provider refused the message (the address cannot receive it)."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or answered an error."""


@dataclass(frozen=True, slots=True)
class Receipt:
    delivery_id: str
    reference: str
    sent_at: str


class ChannelAdapter(Protocol):
    channel: Channel

    def send(self, delivery_id: str, address: str, content: dict[str, str]) -> Receipt: ...


def refuses(channel: Channel, address: str) -> bool:
    """Whether the simulated provider of ``channel`` always refuses ``address``."""
    return "FAIL" in address or (channel == "sms" and address.startswith(UNREACHABLE_SMS_PREFIX))


class SimulatedProvider:
    """One channel's provider, simulated over its ledger table (see the module doc)."""

    def __init__(self, channel: Channel, client: Any, ledger_table: str) -> None:
        self.channel = channel
        self.db = client
        self.table = ledger_table

    def _attempt(self, delivery_id: str) -> int:
        answer = self.db.update_item(
            TableName=self.table, Key={"key": {"S": f"attempt#{self.channel}#{delivery_id}"}},
            UpdateExpression="ADD attempts :one",
            ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
        return int(answer["Attributes"]["attempts"]["N"])

    def _blocked(self, address: str) -> bool:
        try:
            return "Item" in self.db.get_item(TableName=self.table, ConsistentRead=True, Key={
                "key": {"S": f"blocked#{self.channel}#{address}"}})
        except Exception as error:
            raise ProviderUnavailable(f"{self.channel}: {error}") from error

    def send(self, delivery_id: str, address: str, content: dict[str, str]) -> Receipt:
        try:
            attempt = self._attempt(delivery_id)
        except Exception as error:
            raise ProviderUnavailable(f"{self.channel}: {error}") from error
        if refuses(self.channel, address) or self._blocked(address):
            raise ProviderRejected(f"{self.channel}: address …{address[-4:]} cannot receive "
                                   "messages")
        if "FLAKY" in address and attempt == 1:
            raise ProviderUnavailable(f"{self.channel}: gateway busy, try again")
        sent_at = datetime.now(UTC).isoformat()
        reference = f"{REFERENCE_PREFIX[self.channel]}{uuid.uuid4().hex[:20].upper()}"
        try:
            self.db.put_item(
                TableName=self.table,
                Item={"key": {"S": f"sent#{self.channel}#{delivery_id}"},
                      "reference": {"S": reference}, "address": {"S": address},
                      "content": {"S": "\n".join(f"{k}: {v}" for k, v in content.items())},
                      "sent_at": {"S": sent_at}},
                ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": "key"})
        except self.db.exceptions.ConditionalCheckFailedException:
            item = self.db.get_item(TableName=self.table, ConsistentRead=True, Key={
                "key": {"S": f"sent#{self.channel}#{delivery_id}"}})["Item"]
            return Receipt(delivery_id, item["reference"]["S"], item["sent_at"]["S"])
        except Exception as error:
            raise ProviderUnavailable(f"{self.channel}: {error}") from error
        return Receipt(delivery_id, reference, sent_at)


def simulated_adapter(channel: str, client: Any, ledger_table: str) -> ChannelAdapter:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return SimulatedProvider(channel, client, ledger_table)
