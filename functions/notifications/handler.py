"""The inbox and notification preferences of the signed-in person, and the admin's send:

- ``GET /v1/me/inbox`` — the caller's notifications, newest first (``limit`` 1-100, default
  20; ``cursor`` from the previous page's ``next_cursor``), each with its delivery per channel;
- ``POST /v1/me/inbox/read`` — ``{"ids": [...]}`` marks those notifications read;
- ``GET`` / ``PUT /v1/me/notification-preferences`` — channels and addresses;
- ``POST /v1/notifications`` (admin) — a notification in the contract's form, published on
  the bus as ``NotificationRequested``: it reaches the person through the same fan-out as
  every other (and, by its id, only once)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.logging import correlation_paths
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from etax.notifications.contract import ID_PATTERN, NotificationRequest
from etax.notifications.preferences import PreferencesIn, from_request
from etax.notifications.repository import BadCursor, NotificationsRepository, decode_cursor
from etax.notifications.results import Accepted, InboxPage, PreferencesView, ReadOutcome
from etax.notifications.service import Inbox
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import require_principal
from etax.platform.aws import lazy
from etax.platform.errors import Unprocessable
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.settings import required

app = make_resolver()
inbox = Inbox(NotificationsRepository(),
              EventPublisher(lazy("events"), required("EVENT_BUS_NAME"),
                             "tax.notifications"))
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class ReadRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: Annotated[list[Annotated[str, StringConstraints(pattern=ID_PATTERN)]],
                   Field(min_length=1, max_length=25)]


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise Unprocessable(f"limit: a whole number from 1 to {MAX_LIMIT}", field="limit")
    return int(raw)


@app.get("/v1/me/inbox")
@declares(query={"limit": f"how many notifications, 1 to {MAX_LIMIT} ({DEFAULT_LIMIT} if absent)",
                 "cursor": "the previous page's next cursor"})
def my_inbox() -> InboxPage:
    principal = require_principal(app.current_event.raw_event)
    params = app.current_event.query_string_parameters or {}
    limit = _limit(params.get("limit"))
    cursor = None
    if params.get("cursor"):
        try:
            cursor = decode_cursor(params["cursor"], principal.subject)
        except BadCursor as error:
            raise Unprocessable(f"cursor: {error}", field="cursor") from None
    return inbox.page(principal.subject, limit=limit, cursor=cursor)


@app.post("/v1/me/inbox/read")
def mark_read() -> ReadOutcome:
    principal = require_principal(app.current_event.raw_event)
    request = parse_body(app, ReadRequest)
    return inbox.mark_read(principal.subject, request.ids)


@app.get("/v1/me/notification-preferences")
def preferences() -> PreferencesView:
    principal = require_principal(app.current_event.raw_event)
    return inbox.preferences(principal.subject)


@app.put("/v1/me/notification-preferences")
def set_preferences() -> PreferencesView:
    principal = require_principal(app.current_event.raw_event)
    request = parse_body(app, PreferencesIn)
    return inbox.set_preferences(principal.subject, from_request(
        request, updated_at=inbox.now().isoformat()))


@app.post("/v1/notifications")
def send() -> tuple[Accepted, int]:
    principal = require_principal(app.current_event.raw_event, "admin")
    notification = parse_body(app, NotificationRequest)
    return inbox.send(notification, sent_by=principal.subject), 202


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
