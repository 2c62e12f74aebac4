"""Channel providers: one adapter per channel (SMS gateway, WeChat official-account template
messages, e-mail, app push), each behind the same small interface (:class:`ChannelAdapter`).

The real providers are reached from a cloud account with contracts and credentials this
project does not have, so each channel is served by a **simulated provider**
(:mod:`etax.simulations.channels`, chosen by the sender handler):

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

from dataclasses import dataclass
from typing import Protocol

from etax.notifications import Channel
from etax.platform.partners import PartnerError, PartnerRefused, PartnerUnavailable


@dataclass(frozen=True, slots=True)
class Receipt:
    delivery_id: str
    reference: str
    sent_at: str


class ChannelAdapter(Protocol):
    channel: Channel

    def send(self, delivery_id: str, address: str, content: dict[str, str]) -> Receipt: ...


# the provider did not accept the message; the sender retries later
ProviderError = PartnerError
# the provider refused the message (the address cannot receive it)
ProviderRejected = PartnerRefused
# the provider could not be reached or answered an error
ProviderUnavailable = PartnerUnavailable
