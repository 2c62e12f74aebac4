"""THE NOTIFICATION CONTRACT: what an event carries in ``detail.notification``.

::

    "notification": {
      "id": "<stable, unique per notification, e.g. refund:<case_id>:paid>",
      "recipient": "<the person's principal subject: credit code or resident ID>",
      "kind": "<topic, dotted, e.g. refund.paid, application.approved, filing.reminder>",
      "title": "<short text>",
      "body": "<text>",
      "link": "<optional API path, e.g. /v1/refunds/<id>>"
    }

The id is the deduplication key of the whole fan-out: the same id reaches a recipient's
inbox and each of their channels at most once, however often the event is published.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9:._#/@+\-]{0,199}$"
RECIPIENT_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,63}$"
KIND_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$"
LINK_PATTERN = r"^/v1/[^\s]{0,300}$"


class Notification(BaseModel):
    """One notification, validated (a malformed one is refused with the failing field)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    id: Annotated[str, StringConstraints(pattern=ID_PATTERN)]
    recipient: Annotated[str, StringConstraints(pattern=RECIPIENT_PATTERN)]
    kind: Annotated[str, StringConstraints(pattern=KIND_PATTERN, max_length=64)]
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                            max_length=100)]
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           max_length=2000)]
    link: Annotated[str, StringConstraints(pattern=LINK_PATTERN)] | None = None

    def as_detail(self) -> dict[str, Any]:
        """The ``notification`` object as the contract writes it (no empty link)."""
        return self.model_dump(exclude_none=True)


class NotificationRequest(Notification):
    """A notification an admin sends over the API: unknown fields are refused there (the bus
    contract above ignores them, so producers may add fields before consumers read them)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class EventNotification(BaseModel):
    """A notification with where it came from (the EventBridge envelope)."""

    model_config = ConfigDict(frozen=True)

    notification: Notification
    source: str
    detail_type: str


def from_event(event: dict[str, Any]) -> EventNotification:
    """The notification an EventBridge event (as the rule's SQS target delivers it) carries.

    Raises ``pydantic.ValidationError`` (``notification.<field>``) or ``KeyError``."""
    detail = event["detail"]
    return EventNotification(
        notification=Notification.model_validate(detail["notification"]),
        source=str(event.get("source", "")),
        detail_type=str(event.get("detail-type", "")),
    )
