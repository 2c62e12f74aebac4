"""Information on demand: a taxpayer's subscription (its segment facts from the registry, never
from the request), an officer's preview and mailing to a segment of its province, and the
mailing's delivery, page by page, through the notification fan-out (ADR 0012) under each
person's weekly cap."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Protocol

from etax.acceptance.offices import RegisteredOffices
from etax.acceptance.registration.records import Status
from etax.errors import AlreadyExists, Invalid, NotFound, StateChanged
from etax.outreach.catalogue import WEEKLY_CAP, province_of_office
from etax.outreach.repository import OutreachRepository
from etax.outreach.requests import (
    CloseRequest,
    MailingRequest,
    PreviewRequest,
    ResponseRequest,
    SegmentRequest,
    SubscribeRequest,
    WarningRequest,
)
from etax.outreach.results import (
    Mailing,
    Preview,
    RiskWarning,
    SegmentShown,
    StepShown,
    Subscription,
    Warnings,
    WarningSummary,
)
from etax.outreach.segments import (
    Profile,
    Segment,
    checked_topics,
    ensure_reach,
    iso_week,
    segment_of,
)
from etax.outreach.warnings import CLOSED, ISSUED, Step, response_step, state_after
from etax.platform.auth import Principal, ensure_can_reach_taxpayer
from etax.platform.events import DomainEvent, Publisher
from etax.rules import resident_id
from etax.rules.dates import business_date, utc_stamp

SOURCE: Final = "tax.outreach"
MAILED: Final = "OutreachMailed"
WARNED: Final = "RiskWarningIssued"
CAP_DAYS: Final = 15  # a week's counter outlives its week, then expires


class Starter(Protocol):
    """Where a mailing's pages are queued (the sender's queue: a WorkQueue)."""

    def send(self, messages: Sequence[dict[str, Any]]) -> None: ...


class _NoMailings:
    """The starter of a service that starts no mailing (the registration changes' consumer)."""

    def send(self, messages: Sequence[dict[str, Any]]) -> None:
        raise RuntimeError("this function starts no mailing")


NO_MAILINGS: Final = _NoMailings()


@dataclass(frozen=True, slots=True)
class Facts:
    province: str
    taxpayer_type: str
    industry: str


class RegisteredFacts(RegisteredOffices):
    """The segment facts of a subscriber: an enterprise's registration (its type, its office's
    province, its industry; none once cancelled), a natural person's real-name registration
    (its office's province)."""

    def of(self, subject: str) -> Facts | None:
        if resident_id.is_valid(subject):
            person = self.people.get(subject)
            province = province_of_office(person.tax_office) if person else None
            return Facts(province, "natural_person", "") if province else None
        record = self.registry.get(subject)
        if record is None or record.status is Status.CANCELLED:
            return None
        province = province_of_office(record.tax_office_code)
        return (Facts(province, record.taxpayer_type.value, record.industry)
                if province else None)


def _shown(segment: Segment) -> SegmentShown:
    return SegmentShown(**segment.to_dict())


def _segment(request: SegmentRequest) -> Segment:
    return segment_of(request.topics, request.provinces, request.taxpayer_types,
                      request.industries)


def _subscription(profile: Profile, updated_at: str) -> Subscription:
    return Subscription(topics=list(profile.topics), province=profile.province,
                        taxpayer_type=profile.taxpayer_type, industry=profile.industry,
                        updated_at=updated_at, weekly_cap=WEEKLY_CAP)


def segment_from(item: dict[str, Any]) -> Segment:
    """The segment a mailing item was made for."""
    return Segment(**{k: tuple(v) for k, v in item["segment"].items()})


def mailing_view(item: dict[str, Any]) -> Mailing:
    segment = segment_from(item)
    return Mailing(id=item["id"], state=item["state"],
                   kind=item["kind"], title=item["title"], segment=_shown(segment),
                   sent=int(item["sent"]),
                   capped=int(item["capped"]), created_at=item["created_at"],
                   created_by=item["created_by"],
                   sent_at=item.get("sent_at"))


class OutreachService:
    def __init__(self, repository: OutreachRepository, facts: RegisteredFacts,
                 starter: Starter, now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 new_id: Callable[[], str] = lambda: uuid.uuid4().hex) -> None:
        self.repository = repository
        self.facts = facts
        self.starter = starter
        self.now = now
        self.new_id = new_id

    # -- subscribers ------------------------------------------------------------------------

    def subscribe(self, principal: Principal, request: SubscribeRequest) -> Subscription:
        topics = checked_topics(request.topics)
        facts = self.facts.of(principal.subject)
        if facts is None:
            raise StateChanged("register with the tax office first: the segments a "
                               "subscription joins come from the registration", field="topics")
        found = self.repository.subscription(principal.subject)
        old, revision = (found[0], int(found[1]["revision"])) if found else (None, 0)
        new = Profile(principal.subject, topics, facts.province, facts.taxpayer_type,
                      facts.industry)
        at = utc_stamp(self.now())
        self.repository.replace(new, old, revision, at, principal.subject)
        return _subscription(new, at)

    def refile(self, subscriber: str) -> str:
        """A subscriber's registration changed (``RegistrationChanged``): its members move to
        the segments its registration now gives (another type, office, industry), and a
        cancelled registration ends the subscription. Idempotent: a redelivered change finds
        the subscription filed already (``same``); a concurrent change of it is
        StateChanged, retried by the queue."""
        found = self.repository.subscription(subscriber)
        if found is None:
            return "none"
        old, revision = found[0], int(found[1]["revision"])
        facts = self.facts.of(subscriber)
        new = None if facts is None else Profile(subscriber, old.topics, facts.province,
                                                 facts.taxpayer_type, facts.industry)
        if new == old:
            return "same"
        self.repository.replace(new, old, revision, utc_stamp(self.now()), subscriber)
        return "moved" if new is not None else "removed"

    def mine(self, principal: Principal) -> Subscription:
        found = self.repository.subscription(principal.subject)
        if found is None:
            raise NotFound("no subscription yet: POST /v1/subscriptions with your topics")
        return _subscription(found[0], found[1]["updated_at"])

    # -- publishers -------------------------------------------------------------------------

    def _reachable(self, principal: Principal, request: SegmentRequest) -> Segment:
        segment = _segment(request)
        ensure_reach(segment, principal.role,
                     province_of_office(principal.tax_office or ""))
        return segment

    def preview(self, principal: Principal, request: PreviewRequest) -> Preview:
        segment = self._reachable(principal, request.segment)
        return Preview(segment=_shown(segment),
                       recipients=self.repository.distinct_members(segment))

    def mail(self, principal: Principal, request: MailingRequest) -> Mailing:
        segment = self._reachable(principal, request.segment)
        mailing_id = self.new_id()
        item: dict[str, Any] = {
            "segment": segment.to_dict(), "kind": request.kind, "title": request.title,
            "body": request.body, "state": "sending",
            "sent": 0, "capped": 0,
            "created_at": utc_stamp(self.now()), "created_by": principal.subject,
            "office": principal.tax_office or "admin"}
        if request.link:
            item["link"] = request.link
        self.repository.create_mailing(mailing_id, item)
        self.starter.send([{"mailing_id": mailing_id, "part": 0, "cursor": None}])
        return mailing_view({"id": mailing_id, **item})

    def mailing(self, principal: Principal, mailing_id: str) -> Mailing:
        item = self.repository.mailing(mailing_id)
        if item is None or (principal.role != "admin"
                            and item["office"] != principal.tax_office):
            raise NotFound(f"no mailing {mailing_id} of your office")
        return mailing_view(item)


class MailingSender:
    """Delivers a mailing one page of one partition per message: each person once (the
    marker), under the weekly cap, as a notification event; then queues the next page, or
    counts the markers and closes the mailing. A message received again redoes nothing twice:
    a marked person is published again at most (the fan-out drops the repeat by its id)."""

    def __init__(self, repository: OutreachRepository, publisher: Publisher, starter: Starter,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 page: int = 100) -> None:
        self.repository = repository
        self.publisher = publisher
        self.starter = starter
        self.now = now
        self.page = page

    def step(self, message: dict[str, Any]) -> str:
        mailing_id = str(message["mailing_id"])
        part = int(message.get("part", 0))
        item = self.repository.mailing(mailing_id)
        if item is None:
            raise LookupError(f"no mailing {mailing_id}")
        if item["state"] == "sent":
            return "already sent"
        segment = segment_from(item)
        queries = [(p, prefix) for p in segment.partitions() for prefix in segment.prefixes()]
        now = self.now()
        at = utc_stamp(now)
        if part < len(queries):
            partition, prefix = queries[part]
            people, cursor = self.repository.members(partition, prefix, message.get("cursor"),
                                                     self.page)
            self._deliver(mailing_id, item, part, people, now, at)
            following = ({"mailing_id": mailing_id, "part": part, "cursor": cursor} if cursor
                         else {"mailing_id": mailing_id, "part": part + 1, "cursor": None})
            self.starter.send([following])
            return f"part {part + 1}/{len(queries)}: {len(people)} people"
        sent, capped = self.repository.tally(mailing_id)
        self.repository.finish(mailing_id, sent, capped, at)
        return f"sent to {sent}, {capped} capped"

    def _deliver(self, mailing_id: str, item: dict[str, Any], part: int,
                 people: Sequence[str], now: datetime, at: str) -> None:
        week = iso_week(business_date(now))
        expires = int((now + timedelta(days=CAP_DAYS)).timestamp())
        events = []
        for person in people:
            outcome = self.repository.deliver_once(mailing_id, person, part, week,
                                                   WEEKLY_CAP, expires, at)
            if outcome in ("sent", "again"):
                events.append(DomainEvent(MAILED, {
                    "mailing_id": mailing_id,
                    "notification": notice(mailing_id, item, person)}))
        if events:
            self.publisher.publish(events)


def notice(mailing_id: str, item: dict[str, Any], person: str) -> dict[str, Any]:
    """The notification of a mailing for one person (the contract of ADR 0012)."""
    shown = {"id": f"outreach:{mailing_id}:{person}", "recipient": person,
             "kind": f"outreach.{item['kind']}", "title": item["title"],
             "body": item["body"]}
    if item.get("link"):
        shown["link"] = item["link"]
    return shown


def _step(step: Step) -> dict[str, Any]:
    return {"at": step.at, "by": step.by, "action": step.action, "text": step.text}


def warning_view(item: dict[str, Any]) -> RiskWarning:
    return RiskWarning(
        id=item["id"], taxpayer=item["warned"],
        tax_office=item["tax_office"], topic=item["topic"], title=item["title"],
        detail=item["detail"], source=item["source"], state=item["state"],
        trail=[StepShown(at=s["at"], by=s["by"], action=s["action"], text=s["text"])
               for s in item["trail"]],
        created_at=item["created_at"], case_id=item.get("case_id"))


class WarningService:
    """Risk warnings: issued by an officer of the taxpayer's office (notified to it through
    the fan-out), answered by the taxpayer, closed by an officer; read by the taxpayer, its
    office's officers and admins (others 403; an unknown id 404)."""

    def __init__(self, repository: OutreachRepository, facts: RegisteredFacts,
                 publisher: Publisher, now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 new_id: Callable[[], str] = lambda: uuid.uuid4().hex) -> None:
        self.repository = repository
        self.facts = facts
        self.publisher = publisher
        self.now = now
        self.new_id = new_id

    def warn(self, principal: Principal, request: WarningRequest) -> RiskWarning:
        office = self.facts.active_office_of(request.taxpayer)
        if office is None:
            raise Invalid("no registered taxpayer with this credit code or resident ID",
                          field="taxpayer")
        ensure_can_reach_taxpayer(principal, request.taxpayer, office)
        warning_id, at = self.new_id(), utc_stamp(self.now())
        first = Step(at=at, by=f"officer:{principal.subject}", action=ISSUED,
                     text=request.detail)
        item = {"warned": request.taxpayer, "tax_office": office, "topic": request.topic,
                "title": request.title, "detail": request.detail, "source": "officer",
                "state": ISSUED, "trail": [_step(first)], "created_at": at}
        self.repository.create_warning(warning_id, item)
        self._notify(warning_id, item)
        return warning_view({"id": warning_id, **item})

    def _notify(self, warning_id: str, item: dict[str, Any]) -> None:
        """The warning's notice to its taxpayer, through the fan-out (its id the warning's:
        sent again, the inbox keeps one)."""
        self.publisher.publish([DomainEvent(WARNED, {
            "warning_id": warning_id,
            "notification": {"id": f"risk:{warning_id}", "recipient": item["warned"],
                             "kind": "risk.warning", "title": item["title"],
                             "body": item["detail"],
                             "link": f"/v1/risk-warnings/{warning_id}"}})])

    def from_indicator(self, case: dict[str, Any]) -> str:
        """The risk warning a case of the indicators' watch-list sends its taxpayer (the
        ``RiskCaseOpened`` detail: its ids, taxpayer, office and words): issued by the
        indicator, answered and closed as an officer's is. Once: the warning's id is the
        case's, so a redelivered case finds it and its notification (whose id is the warning's)
        is sent again at most, which the inbox keeps once. ``warned``, ``known`` (there
        already) or ``no office`` (the registry knows none: the case stays with the
        administrators)."""
        warning_id = case["warning_id"]
        office = case.get("office") or self.facts.active_office_of(case["taxpayer"])
        if office is None:
            return "no office"
        first = Step(at=utc_stamp(self.now()), by=f"indicator:{case['indicator']}", action=ISSUED,
                     text=case["detail"])
        item = {"warned": case["taxpayer"], "tax_office": office,
                "topic": case["topic"], "title": case["title"], "detail": case["detail"],
                "source": "indicator", "case_id": case["case_id"], "state": ISSUED,
                "trail": [_step(first)], "created_at": first.at}
        try:
            self.repository.create_warning(warning_id, item)
            outcome = "warned"
        except AlreadyExists:
            outcome = "known"
        self._notify(warning_id, item)
        return outcome

    def _reachable(self, principal: Principal, warning_id: str) -> dict[str, Any]:
        item = self.repository.warning(warning_id)
        if item is None:
            raise NotFound(f"no warning {warning_id}")
        ensure_can_reach_taxpayer(principal, item["warned"], item["tax_office"])
        return item

    def read(self, principal: Principal, warning_id: str) -> RiskWarning:
        return warning_view(self._reachable(principal, warning_id))

    def respond(self, principal: Principal, warning_id: str,
                request: ResponseRequest) -> RiskWarning:
        item = self._reachable(principal, warning_id)
        step = response_step(request.action, request.text, utc_stamp(self.now()))
        state = item["state"]
        self.repository.step(warning_id, state, state_after(state, step.action), _step(step))
        return self.read(principal, warning_id)

    def close(self, principal: Principal, warning_id: str,
              request: CloseRequest) -> RiskWarning:
        item = self._reachable(principal, warning_id)
        state = item["state"]
        step = Step(at=utc_stamp(self.now()), by=f"officer:{principal.subject}", action=CLOSED,
                    text=request.conclusion)
        self.repository.step(warning_id, state, state_after(state, CLOSED), _step(step))
        return self.read(principal, warning_id)

    def mine(self, principal: Principal) -> Warnings:
        return Warnings(items=[
            WarningSummary(id=i["id"], topic=i["topic"],
                           title=i["title"], state=i["state"],
                           created_at=i["created_at"])
            for i in self.repository.warnings_of(principal.subject)])
