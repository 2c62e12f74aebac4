"""The knowledge base's routes' logic: an article for anyone with its citations read from the
library as of today; the officers' review queue and review; a taxpayer's subscriptions to works
of the library."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime

from etax.errors import Invalid, Malformed, NotFound, StateChanged
from etax.knowledge.articles import ARTICLE_ID, TOPICS, Article, Citation
from etax.knowledge.repository import KnowledgeRepository
from etax.knowledge.requests import ReviewRequest, SubscriptionsRequest
from etax.knowledge.results import (
    ArticleShown,
    CitationShown,
    ReasonShown,
    Reviewed,
    ReviewItem,
    ReviewNotice,
    ReviewQueue,
    SubscribedWork,
    Subscriptions,
)
from etax.knowledge.review import (
    CURRENT,
    EXPIRED_NOTICE,
    NOTICE,
    REPLACE,
    UNDER_REVIEW,
    Entry,
    Reason,
)
from etax.knowledge.subscriptions import MAX_WORKS, SubscriptionRepository, checked_works
from etax.platform.auth import Principal
from etax.regulations.model import Work, read
from etax.regulations.repository import RegulationRepository
from etax.regulations.seeds import corpus
from etax.rules.dates import business_date, utc_stamp


def check_id(article_id: str) -> str:
    if len(article_id) > 64 or not ARTICLE_ID.match(article_id):
        raise Malformed("id: an article id is lower-case words joined by '-'", field="id")
    return article_id


def _reason(r: Reason) -> ReasonShown:
    return ReasonShown(r.work_id, r.provision, r.label, r.change, r.version, r.valid_from,
                       r.act_title, r.document_number, r.flagged_at)


def cite(work: Work | None, citation: Citation, day: date) -> CitationShown:
    """One citation resolved against the library as of ``day``."""
    as_of = day.isoformat()
    if work is None:
        return CitationShown(citation.work_id, "", "", citation.provision, citation.provision,
                             as_of, False, note="该文件不在法规库中")
    label = next((p.label for v in work.versions for p in v.provisions
                  if p.key == citation.provision), citation.provision)
    reading = read(work, day)
    shown = next((p for p in reading.provisions if p.key == citation.provision), None)
    if shown is not None:
        return CitationShown(work.id, work.title, work.document_number, citation.provision,
                             label, as_of, True, shown.text, shown.summary)
    note = next((n.note for n in reading.notes if n.provision in (label, "*")),
                f"{label}在{as_of}不在施行中")
    return CitationShown(work.id, work.title, work.document_number, citation.provision,
                         label, as_of, False, note=note)


class KnowledgeService:
    def __init__(self, repository: KnowledgeRepository, regulations: RegulationRepository,
                 subscriptions: SubscriptionRepository,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repository = repository
        self.regulations = regulations
        self.subscriptions = subscriptions
        self.now = now

    def _entry(self, article_id: str) -> Entry:
        entry = self.repository.entry(check_id(article_id))
        if entry is None:
            raise NotFound(f"no article {article_id} in the knowledge base", field="id")
        return entry

    # public
    def article(self, article_id: str) -> ArticleShown:
        entry = self._entry(article_id)
        a, day = entry.article, business_date(self.now())
        works: dict[str, Work | None] = {}
        citations = []
        for c in a.citations:
            if c.work_id not in works:
                works[c.work_id] = self.regulations.work(c.work_id)
            citations.append(cite(works[c.work_id], c, day))
        served = entry.served_on(day)
        review = (ReviewNotice(NOTICE, entry.flagged_at, [_reason(r) for r in entry.reasons])
                  if entry.state == UNDER_REVIEW else None)
        return ArticleShown(
            a.id, a.topic, TOPICS[a.topic], a.question, list(a.also_asked), list(a.tags),
            list(a.taxpayer_types), a.valid_from.isoformat(),
            a.valid_to.isoformat() if a.valid_to else None, day.isoformat(), entry.state,
            served, citations, a.answer if served else None, review,
            EXPIRED_NOTICE if review is None and not served else None, entry.reviewed_at)

    # officers
    def reviews(self, limit: int, cursor: str | None) -> ReviewQueue:
        entries, next_cursor = self.repository.reviews(limit, cursor)
        return ReviewQueue([ReviewItem(e.article.id, e.article.question, e.article.answer,
                                       e.revision, e.flagged_at,
                                       [_reason(r) for r in e.reasons]) for e in entries],
                           next_cursor)

    def review(self, principal: Principal, article_id: str,
               request: ReviewRequest) -> Reviewed:
        entry = self._entry(article_id)
        if request.decision == REPLACE and request.answer is None:
            raise Invalid("replace needs the new answer", field="answer")
        if request.decision != REPLACE and request.answer is not None:
            raise Invalid("confirm keeps the answer: send no answer", field="answer")
        if entry.state != UNDER_REVIEW:
            raise StateChanged(f"article {article_id} is not under review", field="state")
        if entry.revision != request.revision:
            raise StateChanged(f"article {article_id} is at revision {entry.revision}, not "
                               f"{request.revision}: read it again", field="revision")
        article: Article = (replace(entry.article, answer=request.answer)
                            if request.answer is not None else entry.article)
        at = utc_stamp(self.now())
        self.repository.reviewed(entry, principal.subject, at, article)
        return Reviewed(article.id, CURRENT, entry.revision + 1, request.decision,
                        article.answer, principal.subject, at)

    # subscribers
    def subscribed(self, principal: Principal) -> Subscriptions:
        known = {w.id: w for w in corpus()}
        return Subscriptions([SubscribedWork(w, known[w].title, known[w].document_number)
                              for w in self.subscriptions.works_of(principal.subject)
                              if w in known], MAX_WORKS)

    def subscribe(self, principal: Principal, request: SubscriptionsRequest) -> Subscriptions:
        known = {w.id: w for w in corpus()}
        works = checked_works(request.works, known)
        self.subscriptions.replace(principal.subject, works, utc_stamp(self.now()))
        return Subscriptions([SubscribedWork(w, known[w].title, known[w].document_number)
                              for w in sorted(works)], MAX_WORKS)
