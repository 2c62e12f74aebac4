"""The fan-out's services: the notifier, the channel sender, and the inbox people read.

Delivery states of one (notification, channel), on the inbox entry::

    queued --sent--> sent          (terminal)
    queued --last receive failed--> failed --redriven, sent--> sent

Each move is a conditional update; the provider is asked with the delivery id as its
idempotency key. A repeated event finds the inbox entry taken and re-queues only the
channels still ``queued`` (the sender's conditions make that harmless), so a crash between
the entry and the channel messages loses nothing, and nothing is sent twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from etax.notifications import QUEUED, SENT, Channel
from etax.notifications.contract import EventNotification, Notification
from etax.notifications.messages import ChannelMessage, channel_message, mask
from etax.notifications.preferences import Preferences, from_stored, resolve
from etax.notifications.providers import ChannelAdapter, ProviderError
from etax.notifications.repository import NotificationsRepository, encode_cursor
from etax.notifications.results import (
    Accepted,
    Delivery,
    InboxItem,
    InboxPage,
    PreferencesView,
    ReadOutcome,
)
from etax.platform.events import DomainEvent, Publisher
from etax.platform.observability import logger
from etax.platform.queues import OutgoingMessage, SendFailure


def utc_now() -> datetime:
    return datetime.now(UTC)


class Sender(Protocol):
    def send(self, messages: Sequence[OutgoingMessage]) -> list[SendFailure]: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the notifier did with one notification."""

    notification_id: str
    created: bool
    queued: tuple[Channel, ...]


class Notifier:
    """Turns notifications into inbox entries and channel messages, a batch at a time."""

    def __init__(self, repository: NotificationsRepository, sender: Sender,
                 queues: Mapping[str, str], *, now: Callable[[], datetime] = utc_now) -> None:
        self.repository = repository
        self.sender = sender
        self.queues = queues
        self.now = now

    def process(self, batch: Sequence[tuple[str, EventNotification]]
                ) -> tuple[list[Outcome], list[str]]:
        """Handle a batch of (message id, notification); return the outcomes and the message
        ids that must be retried (their channel messages could not all be queued)."""
        preferences = self.repository.preferences_of(
            item.notification.recipient for _, item in batch)
        outgoing: list[OutgoingMessage] = []
        outcomes: list[Outcome] = []
        failed: set[str] = set()
        for message_id, item in batch:
            prefs = from_stored(preferences.get(item.notification.recipient))
            try:
                outcome, messages = self._one(item, prefs)
            except Exception:  # this one is retried; the rest of the batch goes on
                logger.exception("notification not recorded",
                                 extra={"notification_id": item.notification.id})
                failed.add(message_id)
                continue
            outcomes.append(outcome)
            outgoing += [OutgoingMessage(self.queues[m.channel], m.as_body(), message_id)
                         for m in messages]
        for failure in self.sender.send(outgoing):
            logger.warning("channel message not queued", extra={
                "message_key": failure.message.key, "code": failure.code,
                "reason": failure.reason})
            failed.add(failure.message.key)
        return outcomes, sorted(failed)

    def _one(self, item: EventNotification, preferences: Preferences
             ) -> tuple[Outcome, list[ChannelMessage]]:
        notification = item.notification
        routes = resolve(preferences, notification.recipient, notification.kind)
        at = self.now().astimezone(UTC).isoformat()
        created = self.repository.create_entry(
            notification, source=item.source, detail_type=item.detail_type, received_at=at,
            deliveries={r.channel: {"state": QUEUED, "address": mask(r.channel, r.address),
                                    "attempts": 0} for r in routes})
        if created:
            todo = routes
        else:  # seen before: only the channels not yet delivered, to the addresses then chosen
            entry = self.repository.get_entry(notification.recipient, notification.id) or {}
            pending = {c for c, d in (entry.get("deliveries") or {}).items()
                       if d.get("state") == QUEUED}
            todo = [r for r in routes if r.channel in pending]
        messages = [channel_message(notification, r.channel, r.address) for r in todo]
        return Outcome(notification.id, created, tuple(m.channel for m in messages)), messages


class ChannelSender:
    """Delivers channel messages of one channel through its adapter, once each."""

    def __init__(self, repository: NotificationsRepository, adapter: ChannelAdapter, *,
                 max_receives: int, now: Callable[[], datetime] = utc_now) -> None:
        self.repository = repository
        self.adapter = adapter
        self.max_receives = max_receives
        self.now = now

    def deliver(self, message: ChannelMessage, receive_count: int) -> str:
        """Send ``message`` unless it was sent; return the delivery's state.

        Raises :class:`ProviderError` when the provider did not accept it, after counting
        the attempt (on the last receive before the dead-letter queue: ``failed``)."""
        if message.channel != self.adapter.channel:
            raise ValueError(f"a {message.channel} message on the {self.adapter.channel} queue")
        entry = self.repository.get_entry(message.recipient, message.notification_id)
        delivery = ((entry or {}).get("deliveries") or {}).get(message.channel)
        if delivery is None:
            raise LookupError(f"no {message.channel} delivery of {message.notification_id} "
                              f"for {message.recipient}")
        if delivery.get("state") == SENT:
            return SENT
        at = self.now().astimezone(UTC).isoformat()
        try:
            receipt = self.adapter.send(message.delivery_id, message.address, message.content)
        except ProviderError as error:
            self.repository.record_failure(message.recipient, message.notification_id,
                                           message.channel, error=str(error), at=at,
                                           final=receive_count >= self.max_receives)
            raise
        self.repository.mark_sent(message.recipient, message.notification_id, message.channel,
                                  reference=receipt.reference, at=receipt.sent_at)
        return SENT


def entry_view(entry: dict[str, Any]) -> InboxItem:
    """An inbox entry as ``GET /v1/me/inbox`` shows it."""
    notification = entry["notification"]
    deliveries = {}
    for channel, d in sorted((entry.get("deliveries") or {}).items()):
        deliveries[channel] = Delivery(**{k: d.get(k) for k in (
            "state", "address", "attempts", "sent_at", "reference", "last_error")})
    return InboxItem(id=notification["id"], kind=notification["kind"],
                     title=notification["title"], body=notification["body"],
                     link=notification.get("link"), source=entry.get("source"),
                     received_at=entry["received_at"], read_at=entry.get("read_at"),
                     deliveries=deliveries)


class Inbox:
    """What a signed-in person reads and sets, and the admin's send."""

    def __init__(self, repository: NotificationsRepository, publisher: Publisher | None = None,
                 *, now: Callable[[], datetime] = utc_now) -> None:
        self.repository = repository
        self.publisher = publisher
        self.now = now

    def page(self, recipient: str, *, limit: int, cursor: dict[str, Any] | None) -> InboxPage:
        items, last = self.repository.page(recipient, limit=limit, cursor=cursor)
        return InboxPage([entry_view(i) for i in items],
                         encode_cursor(last) if last else None)

    def mark_read(self, recipient: str, ids: Sequence[str]) -> ReadOutcome:
        at = self.now().astimezone(UTC).isoformat()
        outcome = ReadOutcome(read=[], already_read=[], unknown=[])
        for notification_id in dict.fromkeys(ids):
            marked = self.repository.mark_read(recipient, notification_id, at)
            (outcome.read if marked else outcome.unknown if marked is None
             else outcome.already_read).append(notification_id)
        return outcome

    def preferences(self, recipient: str) -> PreferencesView:
        return from_stored(self.repository.get_preferences(recipient)).view()

    def set_preferences(self, recipient: str, preferences: Preferences) -> PreferencesView:
        document = preferences.as_dict()
        document.pop("default")
        self.repository.put_preferences(recipient, document)
        return preferences.view()

    def send(self, notification: Notification, *, sent_by: str) -> Accepted:
        """Publish a notification on the bus: the fan-out delivers it like any other."""
        if self.publisher is None:
            raise RuntimeError("this service has no publisher")
        self.publisher.publish([DomainEvent(
            detail_type="NotificationRequested",
            detail={"requested_by": sent_by, "notification": notification.as_detail()})])
        return Accepted(id=notification.id, recipient=notification.recipient, status="accepted")
