"""The violators list's workflow: an officer records a case, a second officer of the same
office approves it and it is published, officers remove it early on an approved application,
the daily run removes what reached the end of its period; the public reads the list.

The office is the taxpayer's (the registry's), never the request's; the days are the platform's
business days (Asia/Shanghai), never the request's, but for the day the decision was served.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Protocol

from etax.acceptance.registration.records import RegistrationRecord
from etax.errors import Invalid, Malformed, NotFound, Refused, StateChanged
from etax.platform.auth import Principal
from etax.rules.dates import business_date
from etax.violators import criteria as listing
from etax.violators import publication
from etax.violators.model import PENDING, PUBLISHED, Case
from etax.violators.repository import ViolatorRepository
from etax.violators.requests import AnnouncementRequest, CaseRequest, RemovalRequest
from etax.violators.results import (
    Announcement,
    Announcements,
    Cases,
    CaseShown,
    Entries,
    Expired,
    PublishedEntry,
)

EXPIRED = "period_ended"  # the removal reason of the daily run


class Registry(Protocol):
    def get(self, credit_code: str) -> RegistrationRecord | None: ...


def _today() -> date:
    return business_date(datetime.now(UTC))


class ViolatorService:
    def __init__(self, repository: ViolatorRepository, registry: Registry,
                 today: Callable[[], date] = _today) -> None:
        self.repository = repository
        self.registry = registry
        self.today = today

    # -- officers ------------------------------------------------------------------------------

    def record(self, officer: Principal, body: CaseRequest) -> CaseShown:
        today = self.today()
        if body.served_on > today:
            raise Invalid("a decision is recorded once served, not before", field="served_on")
        criteria = listing.in_force(body.served_on)
        grounds = criteria.require_listed(body.facts.facts())
        taxpayer = self.registry.get(body.credit_code)
        if taxpayer is None:
            raise Invalid("no taxpayer of this credit code is registered", field="credit_code")
        if officer.tax_office != taxpayer.tax_office_code:
            raise Refused("only an officer of the taxpayer's tax office records its case",
                          field="credit_code")
        facts = body.facts.facts()
        case = Case(
            id=uuid.uuid4().hex[:20], state=PENDING, credit_code=taxpayer.credit_code,
            name=taxpayer.name, address=taxpayer.address,
            tax_office=taxpayer.tax_office_code, office_name=taxpayer.tax_office_name,
            decision_number=body.decision_number, served_on=body.served_on.isoformat(),
            deadline=publication.deadline(body.served_on).isoformat(),
            responsible_name=body.responsible.name,
            responsible_id=publication.masked_id(body.responsible.resident_id),
            facts={name: getattr(facts, name) for name in sorted(listing.FACT_NAMES)},
            grounds=grounds, summary=body.summary, legal_basis=body.legal_basis,
            penalty=body.penalty, recorded_by=officer.subject, recorded_on=today.isoformat())
        self.repository.create(case)
        return case.shown(criteria)

    def _case_of_office(self, officer: Principal, case_id: str) -> Case:
        case = self.repository.get(case_id)
        if case is None:
            raise NotFound(f"no case {case_id}", field="case_id")
        if officer.tax_office != case.tax_office:
            raise Refused("only the officers of the case's tax office reach it", field="case_id")
        return case

    def pending(self, officer: Principal, cursor: str | None) -> Cases:
        """The cases of the officer's office waiting for approval, soonest deadline first (a
        second officer's work list)."""
        if officer.tax_office is None:
            raise Refused("only an officer of a tax office has cases waiting", field="role")
        cases, after = self.repository.pending(officer.tax_office, cursor)
        return Cases(items=[c.shown(listing.in_force(date.fromisoformat(c.served_on)))
                            for c in cases], cursor=after)

    def case(self, officer: Principal, case_id: str) -> CaseShown:
        case = self._case_of_office(officer, case_id)
        return case.shown(listing.in_force(date.fromisoformat(case.served_on)))

    def approve(self, officer: Principal, case_id: str) -> CaseShown:
        """The second officer's approval publishes the case today (late if after the
        deadline: published at once all the same, and said so)."""
        case = self._case_of_office(officer, case_id)
        if case.recorded_by == officer.subject:
            raise Refused("the officer who recorded a case cannot approve it: a second officer "
                          "of the office approves", field="approved_by")
        if case.state != PENDING:
            raise StateChanged(f"case {case_id} is {case.state}, not waiting for approval",
                               field="state")
        served = date.fromisoformat(case.served_on)
        listed_on, late = publication.publication_day(self.today(), served)
        published = replace(
            case, state=PUBLISHED, approved_by=officer.subject, listed_on=listed_on.isoformat(),
            late=late, period_ends_on=publication.period_end(listed_on).isoformat())
        self.repository.publish(published, officer.subject)
        return published.shown(listing.in_force(served))

    def remove(self, officer: Principal, case_id: str, body: RemovalRequest) -> CaseShown:
        """Early removal, on an approved application (everything paid, the decision revoked)."""
        case = self._case_of_office(officer, case_id)
        if case.state != PUBLISHED:
            raise StateChanged(f"case {case_id} is {case.state}, not on the list", field="state")
        publication.removal_reason(body.reason)
        removed = replace(case, state="removed", removed_on=self.today().isoformat(),
                          removal_reason=body.reason, removal_note=body.note,
                          removed_by=officer.subject)
        self.repository.remove(removed)
        return removed.shown(listing.in_force(date.fromisoformat(case.served_on)))

    def expire(self, day: date) -> Expired:
        """The daily run: every entry whose period ends by ``day`` removed (a replayed run, or
        one racing an early removal, skips what is already off the list)."""
        removed = 0
        for case in self.repository.ending(day.isoformat()):
            try:
                self.repository.remove(replace(
                    case, state="removed", removed_on=day.isoformat(), removal_reason=EXPIRED,
                    removed_by="schedule"))
            except StateChanged:
                continue
            removed += 1
        return Expired(day=day.isoformat(), removed=removed)

    # -- the public list -----------------------------------------------------------------------

    def entries(self, office: str | None, cursor: str | None) -> Entries:
        if office is not None and not (office.isdigit() and len(office) <= 20):
            raise Malformed("an office is its code, digits", field="office")
        cases, after = self.repository.published(office, cursor)
        return Entries(items=[self._entry(c) for c in cases], cursor=after)

    def entry(self, case_id: str) -> PublishedEntry:
        case = self.repository.get(case_id)
        if case is None or case.state != PUBLISHED:
            raise NotFound(f"no published entry {case_id}", field="id")
        return self._entry(case)

    @staticmethod
    def _entry(case: Case) -> PublishedEntry:
        return case.entry(listing.in_force(date.fromisoformat(case.served_on)))

    # -- audit-case announcements --------------------------------------------------------------

    def announce(self, officer: Principal, body: AnnouncementRequest) -> Announcement:
        case = self._case_of_office(officer, body.case_id)
        if case.state == PENDING:
            raise StateChanged("a case is announced once approved", field="case_id")
        announcement = Announcement(
            id=uuid.uuid4().hex[:20], case_id=case.id, title=body.title, body=body.body,
            tax_office=case.office_name, published_on=self.today().isoformat())
        self.repository.announce(announcement)
        return announcement

    def announcements(self, cursor: str | None) -> Announcements:
        items, after = self.repository.announcements(cursor)
        return Announcements(items=items, cursor=after)
