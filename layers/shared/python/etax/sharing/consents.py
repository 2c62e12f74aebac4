"""Bank–tax consents (银税互动): the partners under agreement, and the consent's rules. Pure.

A partner (a bank) reads a taxpayer's data only under a consent the taxpayer gave: named
``scopes`` (what it may read), a ``purpose`` (why) and an expiry, within what the partner's
agreement allows (``data/agreements.json``). The lifecycle is the open-banking consent's
(sources.md#sharing)::

    AwaitingAuthorisation ──authorise──▶ Authorised ──revoke──▶ Revoked
            │  └──────reject──▶ Rejected        │
            └──revoke (withdrawn)──▶ Revoked     └──(expires_at passes)──▶ Expired

A consent the taxpayer grants itself starts Authorised; one a partner asks for starts
AwaitingAuthorisation. ``Expired`` is never written: a consent is expired from the instant
its ``expires_at`` passes, as the platform's clock says, so nothing has to run for a read to
stop. A consent lasts at most :data:`MAX_DAYS` (open banking's reconfirmation period): a
longer relationship is a new consent, given again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Final

from etax.errors import Fault, Invalid, Refused, StateChanged
from etax.platform.data import load

AWAITING: Final = "AwaitingAuthorisation"
AUTHORISED: Final = "Authorised"
REJECTED: Final = "Rejected"
REVOKED: Final = "Revoked"
EXPIRED: Final = "Expired"
STORED_STATUSES: Final = (AWAITING, AUTHORISED, REJECTED, REVOKED)
MAX_DAYS: Final = 90
"""The longest a consent lasts (open banking asks the customer to reconfirm every 90 days)."""
MIN_MINUTES: Final = 5
"""The shortest: a consent that expires sooner could not be used."""


@dataclass(frozen=True, slots=True)
class Partner:
    id: str
    name: str
    kind: str
    agreement: str
    scopes: tuple[str, ...]
    purposes: tuple[str, ...]
    valid_from: date
    valid_to: date

    def in_force(self, today: date) -> bool:
        return self.valid_from <= today <= self.valid_to


@dataclass(frozen=True, slots=True)
class Agreements:
    scopes: dict[str, str]
    labels: dict[str, str]
    """each scope's name in Chinese, as the taxpayer's notices say it"""
    purposes: dict[str, str]
    partners: dict[str, Partner]

    @classmethod
    def shipped(cls) -> Agreements:
        return cls.parse(load("etax.sharing", "agreements"))

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Agreements:
        scopes: dict[str, str] = dict(raw["scopes"])
        labels: dict[str, str] = dict(raw["scope_labels"])
        if set(labels) != set(scopes):
            raise Fault("scope_labels: one label a scope")
        purposes: dict[str, str] = dict(raw["purposes"])
        partners: dict[str, Partner] = {}
        for index, entry in enumerate(raw["partners"]):
            where = f"partners[{index}]"
            partner = Partner(
                id=entry["id"], name=entry["name"], kind=entry["kind"],
                agreement=entry["agreement"], scopes=tuple(entry["scopes"]),
                purposes=tuple(entry["purposes"]),
                valid_from=date.fromisoformat(entry["valid_from"]),
                valid_to=date.fromisoformat(entry["valid_to"]))
            if partner.id in partners:
                raise Fault(f"{where}.id: {partner.id} is listed twice")
            if not partner.scopes or set(partner.scopes) - set(scopes):
                raise Fault(f"{where}.scopes: unknown or none")
            if not partner.purposes or set(partner.purposes) - set(purposes):
                raise Fault(f"{where}.purposes: unknown or none")
            if partner.valid_to < partner.valid_from:
                raise Fault(f"{where}.valid_to: before valid_from")
            partners[partner.id] = partner
        return cls(scopes, labels, purposes, partners)

    def partner(self, partner_id: str, today: date) -> Partner:
        """The partner named in a request, under an agreement in force; else Invalid naming
        ``partner``."""
        found = self._in_force(partner_id, today)
        if found is None:
            raise Invalid("no data-sharing agreement in force with this partner",
                          field="partner")
        return found

    def signed_partner(self, partner_id: str, today: date) -> Partner:
        """The caller's own agreement (a partner's token): Refused when it has none."""
        found = self._in_force(partner_id, today)
        if found is None:
            raise Refused("your partner id has no data-sharing agreement in force")
        return found

    def _in_force(self, partner_id: str, today: date) -> Partner | None:
        found = self.partners.get(partner_id)
        return found if found is not None and found.in_force(today) else None


@dataclass(frozen=True, slots=True)
class Consent:
    consent_id: str
    taxpayer: str
    partner: str
    scopes: tuple[str, ...]
    purpose: str
    status: str
    """one of :data:`STORED_STATUSES`; :meth:`status_at` says whether it has expired"""
    created_at: datetime
    created_by: str
    """``taxpayer`` (granted) or ``partner`` (asked for)"""
    expires_at: datetime
    updated_at: datetime
    authorised_at: datetime | None = None
    ended_at: datetime | None = None
    """when it was rejected or revoked"""
    reads: int = 0
    last_read_at: datetime | None = None

    def status_at(self, now: datetime) -> str:
        if self.status in (AWAITING, AUTHORISED) and now >= self.expires_at:
            return EXPIRED
        return self.status

    def permits(self, scope: str, now: datetime) -> bool:
        return self.status_at(now) == AUTHORISED and scope in self.scopes


def check_terms(partner: Partner, scopes: Sequence[str], purpose: str, expires_at: datetime,
                now: datetime) -> tuple[str, ...]:
    """The scopes, in the order given, once the terms are within the partner's agreement and
    the expiry is between :data:`MIN_MINUTES` and :data:`MAX_DAYS` ahead; Invalid naming the
    field otherwise."""
    if len(set(scopes)) != len(scopes):
        raise Invalid("a scope is named twice", field="scopes")
    beyond = [s for s in scopes if s not in partner.scopes]
    if beyond:
        raise Invalid(f"{partner.id}'s agreement does not cover {', '.join(beyond)} "
                      f"(it covers {', '.join(partner.scopes)})", field="scopes")
    if purpose not in partner.purposes:
        raise Invalid(f"{partner.id}'s agreement does not cover the purpose {purpose!r} "
                      f"(it covers {', '.join(partner.purposes)})", field="purpose")
    if expires_at < now + timedelta(minutes=MIN_MINUTES):
        raise Invalid(f"expires_at must be at least {MIN_MINUTES} minutes ahead",
                      field="expires_at")
    if expires_at > now + timedelta(days=MAX_DAYS):
        raise Invalid(f"a consent lasts at most {MAX_DAYS} days; give it again to go on",
                      field="expires_at")
    return tuple(scopes)


def decide(consent: Consent, authorise: bool, now: datetime) -> Consent:
    """The taxpayer's answer to a partner's request."""
    if consent.status_at(now) != AWAITING:
        raise StateChanged(f"consent {consent.consent_id} is {consent.status_at(now)}, "
                           f"not {AWAITING}", field="decision")
    if authorise:
        return replace(consent, status=AUTHORISED, authorised_at=now, updated_at=now)
    return replace(consent, status=REJECTED, ended_at=now, updated_at=now)


def revoke(consent: Consent, now: datetime) -> Consent:
    """The taxpayer withdraws a consent (authorised, or still awaiting its answer)."""
    if consent.status_at(now) not in (AWAITING, AUTHORISED):
        raise StateChanged(f"consent {consent.consent_id} is {consent.status_at(now)}: "
                           "nothing to revoke")
    return replace(consent, status=REVOKED, ended_at=now, updated_at=now)
