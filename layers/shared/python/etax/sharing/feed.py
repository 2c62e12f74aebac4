"""The outbound feed to partner departments (plan action D14, 数据共用; docs/sharing.md#the-
outbound-feed): a department under agreement receives the platform's facts it is entitled to
— the serious violators listed and removed (for joint punishment, 联合惩戒), taxpayers'
registration changes — as an ordered log it reads page by page, each page signed with the
platform's key.

The departments and what each may receive are data (``data/agreements.json``,
``departments``), checked here. Entitlement is by fact type (source and detail type); a fact
type carrying a natural person's identifiers may not be listed (:data:`NOT_SHAREABLE`: the
feed carries registry and public-list facts only).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from etax.errors import Fault, Invalid, Refused
from etax.platform.data import load

KEEP_DAYS: Final = 90  # an entry is kept this long for a department to read it
# A page shows only the entries received at least this long ago. An entry's place is the
# instant it was received, taken just before it is written: without the wait, a write still
# under way when a page is read would land behind the cursor that page gave, and the
# department would never see it. The listing function's timeout (10 s) bounds a write.
SETTLE: Final = timedelta(seconds=15)
PAGE_LIMIT: Final = 100
# fact types that may name a natural person: never on a department's feed
NOT_SHAREABLE: Final = frozenset({("tax.filing", "PaymentConfirmed"),
                                  ("tax.filing", "ReturnFiled"),
                                  ("tax.invoices", "InvoiceIssued"),
                                  ("tax.refunds", "RefundPaid")})


@dataclass(frozen=True, slots=True)
class Department:
    id: str
    name: str
    agreement: str
    facts: frozenset[tuple[str, str]]  # (source, detail type)
    valid_from: date
    valid_to: date

    def in_force(self, today: date) -> bool:
        return self.valid_from <= today <= self.valid_to


@dataclass(frozen=True, slots=True)
class Departments:
    by_id: Mapping[str, Department]

    @classmethod
    def shipped(cls) -> Departments:
        return cls.parse(load("etax.sharing", "agreements"))

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> Departments:
        found: dict[str, Department] = {}
        for index, entry in enumerate(raw.get("departments", [])):
            where = f"departments[{index}]"
            facts = set()
            for fact in entry["facts"]:
                source, _, detail_type = str(fact).partition(":")
                if not source.startswith("tax.") or not detail_type:
                    raise Fault(f"{where}.facts: {fact!r} is not <source>:<detail type>")
                if (source, detail_type) in NOT_SHAREABLE:
                    raise Fault(f"{where}.facts: {fact} may name a natural person")
                facts.add((source, detail_type))
            department = Department(
                entry["id"], entry["name"], entry["agreement"], frozenset(facts),
                date.fromisoformat(entry["valid_from"]), date.fromisoformat(entry["valid_to"]))
            if not facts:
                raise Fault(f"{where}.facts: none")
            if department.id in found:
                raise Fault(f"{where}.id: {department.id} is listed twice")
            if department.valid_to < department.valid_from:
                raise Fault(f"{where}.valid_to: before valid_from")
            found[department.id] = department
        return cls(found)

    def facts(self) -> frozenset[tuple[str, str]]:
        """Every fact type some department receives (the bus rule's pattern)."""
        return frozenset(f for d in self.by_id.values() for f in d.facts)

    def receiving(self, source: str, detail_type: str, today: date) -> list[Department]:
        """The departments in force that receive this fact type."""
        return [d for d in self.by_id.values()
                if d.in_force(today) and (source, detail_type) in d.facts]

    def signed(self, partner_id: str, today: date) -> Department:
        """The caller's own department (a partner's token): Refused unless it has a feed
        agreement in force."""
        found = self.by_id.get(partner_id)
        if found is None or not found.in_force(today):
            raise Refused("your partner id has no data-feed agreement in force")
        return found


@dataclass(frozen=True, slots=True)
class Entry:
    """One fact on a department's feed, as the bus delivered it."""

    event_id: str
    source: str
    detail_type: str
    time: str
    detail: Mapping[str, Any]
    received_at: datetime

    @property
    def position(self) -> str:
        """The entry's place in the feed: the instant it was received, then its event id."""
        return f"{instant(self.received_at)}#{self.event_id}"

    def expires(self) -> int:
        return int((self.received_at + timedelta(days=KEEP_DAYS)).timestamp())

    def shown(self) -> dict[str, Any]:
        return {"id": self.event_id, "source": self.source, "type": self.detail_type,
                "time": self.time, "detail": dict(self.detail),
                "received_at": self.received_at.astimezone(UTC).isoformat(timespec="seconds")}


def instant(moment: datetime) -> str:
    """``moment`` as the feed orders it (UTC, to the microsecond): an entry whose position
    sorts below ``instant(t)`` was received before ``t``."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def page_limit(value: str | None) -> int:
    if value is None:
        return PAGE_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= PAGE_LIMIT:
        raise Invalid(f"a whole number from 1 to {PAGE_LIMIT}", field="limit")
    return int(value)
