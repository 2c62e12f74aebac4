"""The two reactions to ``RegulationVersionPublished`` (each behind its own queue):

- :class:`Keeper` flags the articles citing a provision the version amended or repealed
  (:func:`etax.knowledge.review.flags`; one conditional write per article and version);
- :class:`Fanout` notifies every subscriber of the work (:mod:`etax.knowledge.subscriptions`),
  page by page, in the notification contract (one id per subscriber and version).

Only a version an officer published does either: the versions the seeding of the library
writes are announced too, and they are history, not news
(:func:`etax.regulations.render.published_by_officer`). The version is read from the event's
canonical text; the version before it (to tell a provision repealed now from one repealed
long ago) and the work's title from the library.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

from etax.errors import NotFound
from etax.knowledge.repository import KnowledgeRepository
from etax.knowledge.review import flags
from etax.knowledge.subscriptions import SubscriptionRepository, notice
from etax.platform.events import DomainEvent, Publisher
from etax.regulations.model import Version, Work
from etax.regulations.render import published_by_officer, version_of_event
from etax.regulations.repository import RegulationRepository
from etax.rules.dates import utc_stamp

SOURCE: Final = "tax.knowledge"
NOTIFIED: Final = "RegulationChangeNotified"


def _published(regulations: RegulationRepository,
               detail: dict[str, Any]) -> tuple[Work, Version, Version | None]:
    version = version_of_event(detail)
    work_id = str(detail["work_id"])
    work = regulations.work(work_id)
    if work is None:
        raise NotFound(f"no work {work_id} in the library", field="work_id")
    previous = next((v for v in work.versions if v.number == version.number - 1), None)
    return work, version, previous


class Keeper:
    def __init__(self, repository: KnowledgeRepository, regulations: RegulationRepository,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repository = repository
        self.regulations = regulations
        self.now = now

    def on_published(self, detail: dict[str, Any]) -> str:
        if not published_by_officer(detail):
            return "seeded: nothing to flag"
        work, version, previous = _published(self.regulations, detail)
        flagged = flags(work.id, version, previous, utc_stamp(self.now()), self.repository.citing)
        written = sum(self.repository.flag(article_id, work.id, version.number, reasons)
                      for article_id, reasons in flagged.items())
        return f"{written} of {len(flagged)} citing articles flagged"


class Fanout:
    def __init__(self, subscriptions: SubscriptionRepository,
                 regulations: RegulationRepository, publisher: Publisher,
                 page_size: int = 100) -> None:
        self.subscriptions = subscriptions
        self.regulations = regulations
        self.publisher = publisher
        self.page_size = page_size

    def on_published(self, detail: dict[str, Any]) -> str:
        if not published_by_officer(detail):
            return "seeded: nobody to notify"
        work, version, previous = _published(self.regulations, detail)
        sent = 0
        for page in self.subscriptions.subscribers(work.id, self.page_size):
            self.publisher.publish([DomainEvent(
                NOTIFIED, {"work_id": work.id, "version": version.number,
                           "notification": notice(work, version, previous, subscriber)})
                for subscriber in page])
            sent += len(page)
        return f"{sent} subscribers notified"
