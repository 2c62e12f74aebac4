"""What the notification routes answer (etax.platform.results): a page of the inbox with each
entry's delivery per channel, the outcome of marking entries read, a person's preferences, and
the admin's accepted send. Addresses in a delivery are the masked ones the entry keeps."""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional


@dataclass(frozen=True)
class Delivery:
    """One channel's delivery: only the keys known so far."""

    state: str | None = optional()
    address: str | None = optional()
    attempts: int | None = optional()
    sent_at: str | None = optional()
    reference: str | None = optional()
    last_error: str | None = optional()


@dataclass(frozen=True)
class InboxItem:
    id: str
    kind: str
    title: str
    body: str
    link: str | None
    source: str | None
    received_at: str
    read_at: str | None
    deliveries: dict[str, Delivery]  # by channel, in channel name order


@dataclass(frozen=True)
class InboxPage:
    """Newest first; ``next_cursor`` while there may be more."""

    items: list[InboxItem]
    next_cursor: str | None


@dataclass(frozen=True)
class ReadOutcome:
    read: list[str]
    already_read: list[str]
    unknown: list[str]


@dataclass(frozen=True)
class ChannelView:
    enabled: bool
    address: str | None
    kinds: list[str] | None = optional()


@dataclass(frozen=True)
class PreferencesView:
    channels: dict[str, ChannelView]  # by channel, in channel order
    updated_at: str | None
    default: bool  # nothing set: the default preferences


@dataclass(frozen=True)
class Accepted:
    """A notification the admin sent, published on the bus."""

    id: str
    recipient: str
    status: str
