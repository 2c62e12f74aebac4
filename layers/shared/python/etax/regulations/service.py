"""The regulations library's routes' logic: public reading (the list, a work as of a day) and
the officers' drafts, four-eyes review and publication (ADR 0021)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from etax.errors import Malformed, NotFound, StateChanged
from etax.platform.auth import Principal
from etax.regulations import drafts
from etax.regulations.codec import change_json
from etax.regulations.drafts import Draft
from etax.regulations.model import (
    KINDS,
    STATUSES,
    Act,
    Change,
    Version,
    Work,
    amended,
    parse_date,
    read,
)
from etax.regulations.render import announcement
from etax.regulations.repository import RegulationRepository
from etax.regulations.requests import DraftRequest, PublishRequest
from etax.regulations.results import (
    ActShown,
    DraftShown,
    NoteShown,
    ProvisionShown,
    VersionShown,
    WorkReading,
    Works,
    WorkShown,
)
from etax.rules.dates import business_date, utc_stamp


def _act(act: Act) -> ActShown:
    return ActShown(act.title, act.document_number, act.issued.isoformat())


def _version(work: Work, version: Version) -> VersionShown:
    valid_to = work.valid_to(version)
    previous = work.versions[version.number - 2] if version.number > 1 else None
    return VersionShown(version.number, version.valid_from.isoformat(),
                        valid_to.isoformat() if valid_to else None, _act(version.act),
                        announcement(version, previous) if previous is not None else None)


def _shown(draft: Draft) -> DraftShown:
    return DraftShown(
        draft.id, draft.work_id, draft.state, draft.base_version, _act(draft.act),
        [change_json(c) for c in draft.changes], draft.drafter, draft.drafted_at,
        draft.submitted_at, draft.approver, draft.approved_at, draft.publisher,
        draft.published_at, draft.version,
        draft.valid_from.isoformat() if draft.valid_from else None)


class RegulationService:
    def __init__(self, repository: RegulationRepository,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repository = repository
        self.now = now

    def _day(self, as_of: str | None) -> date:
        """``as_of`` (a calendar day, China time) or today in China."""
        return business_date(self.now()) if as_of is None else parse_date(as_of, "as_of")

    def _work(self, work_id: str) -> Work:
        work = self.repository.work(work_id)
        if work is None:
            raise NotFound(f"no work {work_id} in the library", field="work_id")
        return work

    # public reading
    def list(self, kind: str | None, status: str | None, as_of: str | None) -> Works:
        if kind is not None and kind not in KINDS:
            raise Malformed(f"kind is one of {', '.join(KINDS)}", field="kind")
        if status is not None and status not in STATUSES:
            raise Malformed(f"status is one of {'、'.join(STATUSES)}", field="status")
        day = self._day(as_of)
        items = []
        for work in self.repository.works():
            shown = WorkShown(
                work.id, work.title, work.kind, KINDS[work.kind], work.document_number,
                list(work.issuers), work.issued.isoformat(),
                work.in_force.isoformat() if work.in_force else None, work.status_on(day),
                len(work.versions), work.expires.isoformat() if work.expires else None)
            if (kind is None or work.kind == kind) and (status is None or shown.status == status):
                items.append(shown)
        return Works(day.isoformat(), items)

    def read(self, work_id: str, as_of: str | None) -> WorkReading:
        day = self._day(as_of)
        work = self._work(work_id)
        reading = read(work, day)
        return WorkReading(
            work.id, work.title, work.kind, KINDS[work.kind], work.document_number,
            list(work.issuers), work.issued.isoformat(), day.isoformat(), reading.status,
            _version(work, reading.version) if reading.version else None,
            [ProvisionShown(p.label, p.article, p.text, p.status, p.summary, p.paragraph)
             for p in reading.provisions],
            [NoteShown(n.provision, n.note) for n in reading.notes],
            [_version(work, v) for v in work.versions])

    # officers
    def draft(self, principal: Principal, work_id: str, request: DraftRequest) -> DraftShown:
        work = self._work(work_id)
        current = work.versions[-1]
        changes = tuple(Change(c.action, c.article, c.text, c.paragraph, c.summary)
                        for c in request.changes)
        act = Act(request.act.title, request.act.document_number, request.act.issued)
        # the changes must apply to the current version (checked again when published)
        amended(current, changes, act, current.valid_from + timedelta(days=1))
        draft = Draft(f"d-{uuid.uuid4().hex[:12]}", work.id, current.number, act, changes,
                      principal.subject, utc_stamp(self.now()))
        self.repository.add_draft(draft)
        return _shown(draft)

    def _draft(self, work_id: str, draft_id: str) -> Draft:
        draft = self.repository.draft(work_id, draft_id)
        if draft is None:
            raise NotFound(f"no draft {draft_id} of work {work_id}", field="draft_id")
        return draft

    def view_draft(self, work_id: str, draft_id: str) -> DraftShown:
        return _shown(self._draft(work_id, draft_id))

    def submit(self, principal: Principal, work_id: str, draft_id: str) -> DraftShown:
        draft = self._draft(work_id, draft_id)
        moved = drafts.submit(draft, utc_stamp(self.now()))
        self.repository.move_draft(moved, draft.state)
        return _shown(moved)

    def approve(self, principal: Principal, work_id: str, draft_id: str) -> DraftShown:
        draft = self._draft(work_id, draft_id)
        moved = drafts.approve(draft, principal.subject, utc_stamp(self.now()))
        self.repository.move_draft(moved, draft.state)
        return _shown(moved)

    def publish(self, principal: Principal, work_id: str, draft_id: str,
                request: PublishRequest) -> DraftShown:
        draft = self._draft(work_id, draft_id)
        work = self._work(work_id)
        current = work.versions[-1]
        # refuses a draft that is not approved
        published = drafts.publish(draft, principal.subject, utc_stamp(self.now()),
                                   current.number + 1, request.valid_from)
        if current.number != draft.base_version:
            raise StateChanged("the work has a newer version than the draft amends: draft "
                               "the amendment again", field="base_version")
        version = amended(current, draft.changes, draft.act, request.valid_from)
        replace(work, versions=(*work.versions, version)).check()
        self.repository.publish(published, version, leaving=draft.state)
        return _shown(published)
