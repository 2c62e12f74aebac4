"""The push fan-out and the inbox: every notification a domain event carries reaches the
recipient's inbox and the channels the person chose, once.

The contract (shared by every part that notifies): an event on the platform bus whose
``detail`` has a ``notification`` object (``id``, ``recipient``, ``kind``, ``title``,
``body``, optional ``link``; :mod:`etax.notifications.contract`). The path::

    bus ── rule: detail.notification.id exists ──▶ notifier queue ──▶ notifier
        notifier: the recipient's preferences, the inbox entry (conditional on the id),
                  one message per chosen channel (SendMessageBatch, ten per call)
    ──▶ sms / wechat / email / app queues ──▶ one sender per channel ──▶ its provider
        sender: the delivery of (id, channel) moves queued → sent once (conditional),
                the provider is asked with the delivery id as its idempotency key

Tables, keys and access patterns:

``NOTIFICATIONS_TABLE`` — partition key ``recipient`` (credit code or resident ID),
sort key ``sk``; global secondary index ``inbox`` (partition ``inbox_of``, sort ``listed``):

================  =====================  ===================================================
recipient         sk                     holds, and who reads it how
================  =====================  ===================================================
``<subject>``     ``n#<notification id>``  the inbox entry: the notification, ``received_at``,
                                         ``read_at``, and ``deliveries`` (channel → state,
                                         masked address, attempts, last error, provider
                                         reference). Written once: ``attribute_not_exists``.
                                         Carries ``inbox_of`` and ``listed``
                                         (``<received_at>#<id>``) for the index.
``<subject>``     ``preferences``        the person's channels and addresses (GetItem; the
                                         notifier reads a batch's recipients with one
                                         BatchGetItem)
================  =====================  ===================================================

The inbox page is ONE Query on the ``inbox`` index (``inbox_of = subject``, newest first,
``Limit`` + ``ExclusiveStartKey`` as the cursor). No Scan anywhere.

``NOTIFICATION_LEDGER_TABLE`` — partition key ``key``: the simulated providers' books
(``sent#<channel>#<delivery id>`` once per delivery, ``attempt#…`` counters).
"""

from __future__ import annotations

from typing import Final, Literal

Channel = Literal["sms", "wechat", "email", "app"]
CHANNELS: Final[tuple[Channel, ...]] = ("sms", "wechat", "email", "app")

# delivery states of one (notification, channel)
QUEUED: Final = "queued"
SENT: Final = "sent"
FAILED: Final = "failed"
