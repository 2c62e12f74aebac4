"""A person's notification preferences, and which channels a notification goes to.

The inbox always receives every notification (it is the record of what was sent); the
channels are the person's choice::

    {"channels": {
        "sms":    {"address": "+8613800138000"},
        "wechat": {"address": "<openid of the tax bureau's official account>"},
        "email":  {"address": "zhang@example.cn", "kinds": ["refund", "filing.reminder"]},
        "app":    {"enabled": false}
    }}

A channel absent from ``channels`` is off; ``enabled`` defaults to true; ``kinds`` (optional)
limits a channel to those topics — ``refund`` covers ``refund.paid`` and any ``refund.…``.
The app push goes to the devices signed in to the person's account, so its address is the
account (the principal subject) unless a device token is given.

Whoever has set nothing gets :data:`DEFAULT` : the inbox and the app push to their account.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from etax.notifications import CHANNELS, Channel
from etax.notifications.results import ChannelView, PreferencesView
from etax.platform.results import as_json

KIND_PREFIX = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$",
                                               max_length=64)]
MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")


class _ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    kinds: Annotated[list[KIND_PREFIX], Field(max_length=20)] | None = None


class SmsIn(_ChannelIn):
    """A mainland mobile number (``13800138000``, ``+86 138 0013 8000``); stored as +86…"""

    address: Annotated[str, StringConstraints(max_length=32)]

    @field_validator("address")
    @classmethod
    def _mobile(cls, value: str) -> str:
        match = MOBILE.match(re.sub(r"[\s\-]", "", value))
        if match is None:
            raise ValueError("a mainland mobile number: 11 digits starting with 13-19")
        return f"+86{match.group(1)}"


class WechatIn(_ChannelIn):
    """The openid of the person in the tax bureau's official account."""

    address: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-]{6,64}$")]


class EmailIn(_ChannelIn):
    address: Annotated[str, StringConstraints(
        strip_whitespace=True, max_length=254,
        pattern=r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
                r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+$")]


class AppIn(_ChannelIn):
    """A device token; without one, the push goes to every device of the account."""

    address: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9:_.\-]{8,256}$")] | None = None


class ChannelsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sms: SmsIn | None = None
    wechat: WechatIn | None = None
    email: EmailIn | None = None
    app: AppIn | None = None


class PreferencesIn(BaseModel):
    """The body of ``PUT /v1/me/notification-preferences`` (422 names the failing field)."""

    model_config = ConfigDict(extra="forbid")

    channels: ChannelsIn


@dataclass(frozen=True, slots=True)
class ChannelPreference:
    channel: Channel
    enabled: bool
    address: str | None
    kinds: tuple[str, ...] | None = None

    def wants(self, kind: str) -> bool:
        if not self.enabled:
            return False
        if self.kinds is None:
            return True
        return any(kind == prefix or kind.startswith(prefix + ".") for prefix in self.kinds)


@dataclass(frozen=True, slots=True)
class Preferences:
    channels: tuple[ChannelPreference, ...]
    updated_at: str | None = None

    def view(self) -> PreferencesView:
        """The preferences as the routes answer them."""
        return PreferencesView(
            channels={c.channel: ChannelView(enabled=c.enabled, address=c.address,
                                             kinds=list(c.kinds) if c.kinds is not None
                                             else None)
                      for c in self.channels},
            updated_at=self.updated_at, default=self.updated_at is None)

    def as_dict(self) -> dict[str, Any]:
        """The stored form (:func:`from_stored` reads it): the answer's keys."""
        answer: dict[str, Any] = as_json(self.view())
        return answer


DEFAULT = Preferences(channels=(ChannelPreference("app", True, None),))


def from_request(body: PreferencesIn, *, updated_at: str) -> Preferences:
    chosen = []
    for channel in CHANNELS:
        given: _ChannelIn | None = getattr(body.channels, channel)
        if given is None:
            continue
        chosen.append(ChannelPreference(
            channel=channel, enabled=given.enabled,
            address=getattr(given, "address", None),
            kinds=tuple(given.kinds) if given.kinds is not None else None))
    return Preferences(channels=tuple(chosen), updated_at=updated_at)


def from_stored(document: Mapping[str, Any] | None) -> Preferences:
    """Preferences as stored (``as_dict`` form); :data:`DEFAULT` when there are none."""
    if not document:
        return DEFAULT
    channels = []
    for channel in CHANNELS:
        entry = (document.get("channels") or {}).get(channel)
        if entry is None:
            continue
        kinds = entry.get("kinds")
        channels.append(ChannelPreference(channel=channel, enabled=bool(entry.get("enabled")),
                                          address=entry.get("address"),
                                          kinds=tuple(kinds) if kinds is not None else None))
    return Preferences(channels=tuple(channels), updated_at=document.get("updated_at"))


@dataclass(frozen=True, slots=True)
class Route:
    """Where one notification goes on one channel."""

    channel: Channel
    address: str


def resolve(preferences: Preferences, recipient: str, kind: str) -> list[Route]:
    """The channels (with addresses) a notification of ``kind`` goes to, in channel order."""
    routes = []
    for preference in preferences.channels:
        if not preference.wants(kind):
            continue
        address = preference.address
        if address is None and preference.channel == "app":
            address = recipient
        if address:
            routes.append(Route(preference.channel, address))
    return sorted(routes, key=lambda r: CHANNELS.index(r.channel))
