"""The outbound feed's two jobs (:mod:`etax.sharing.feed`): list a fact from the bus on the
feed of every department entitled to it (:class:`FeedLister`), and answer a department's read
with a signed page (:class:`OutboundFeed`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from etax.documents.signing import Signature
from etax.platform.auth import Principal
from etax.sharing.feed import SETTLE, Departments, Entry, instant, page_limit


class Feeds(Protocol):
    def append(self, department: str, entry: Entry) -> bool: ...

    def page(self, department: str, cursor: str | None, before: str,
             limit: int) -> tuple[list[dict[str, Any]], str | None]: ...


class Signer(Protocol):
    def sign(self, document: dict[str, Any]) -> Signature: ...


@dataclass
class FeedLister:
    """Lists the bus's facts on the feeds of the departments entitled to them."""

    feeds: Feeds
    departments: Departments = field(default_factory=Departments.shipped)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def deliver(self, event_id: str, source: str, detail_type: str, time: str,
                detail: Mapping[str, Any]) -> list[str]:
        """List the fact on each entitled department's feed; the departments it was new to."""
        now = self.now()
        entry = Entry(event_id, source, detail_type, time, detail, now)
        return [d.id for d in self.departments.receiving(source, detail_type, now.date())
                if self.feeds.append(d.id, entry)]


@dataclass
class OutboundFeed:
    """Answers a department's read of its feed with a signed page."""

    feeds: Feeds
    signer: Signer
    departments: Departments = field(default_factory=Departments.shipped)
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def read(self, principal: Principal, cursor: str | None,
             limit: str | None) -> dict[str, Any]:
        """A page of the caller's feed after its cursor, signed: ``{"document": {...},
        "signature": {...}}`` (verifiable with ``GET /v1/keys``). ``next`` is the cursor to
        read on from, given even at the end of the feed (the next read waits for new facts).
        Only entries received :data:`~etax.sharing.feed.SETTLE` ago or earlier are shown, so
        none can still appear behind a cursor given."""
        now = self.now()
        department = self.departments.signed(principal.subject, now.date())
        entries, following = self.feeds.page(department.id, cursor or None,
                                             instant(now - SETTLE), page_limit(limit))
        document = {
            "department": department.id, "agreement": department.agreement,
            "issued_at": now.astimezone(UTC).isoformat(timespec="seconds"),
            "cursor": cursor or None,
            "entries": entries,
            "next": following,
        }
        return {"document": document, "signature": self.signer.sign(document).as_dict()}
