"""Complaints and reports: filing (named or anonymous), following, the office's handling and
the filer's rating. Rights come from the caller's verified principal alone: a named case is
read by its filer, the officers of its responsible office and admins; an anonymous report by
whoever holds its tracking code and secret."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from etax.acceptance.registration.records import RegistrationRecord
from etax.complaints import rules
from etax.complaints.model import Case, shown, summary
from etax.complaints.repository import ComplaintsRepository
from etax.complaints.requests import (
    AcceptRequest,
    AnswerRequest,
    FileRequest,
    RateRequest,
    RefuseRequest,
)
from etax.complaints.results import Cases, CaseShown, ReportFiled
from etax.errors import Invalid, Malformed, NotFound, Refused, StateChanged
from etax.platform.auth import Principal, ensure_can_reach_taxpayer
from etax.rules.dates import business_date

SECRET_MAX = 200  # characters of a secret header worth hashing; longer is wrong anyway
STATE_FILTERS = frozenset({rules.FILED, rules.ACCEPTED, rules.ANSWERED, rules.REFUSED,
                           rules.RATED})


class Registry(Protocol):
    def get(self, credit_code: str) -> RegistrationRecord | None: ...


class NoSuchCase(NotFound):
    def __init__(self, field: str = "id") -> None:
        super().__init__("no case with this id (or none you may see)", field=field)


class NoSuchReport(NotFound):
    def __init__(self) -> None:
        super().__init__("no report with this tracking code and secret", field="tracking_code")


def _now() -> datetime:
    return datetime.now(UTC)


class ComplaintService:
    def __init__(self, repository: ComplaintsRepository, registry: Registry,
                 clock: Callable[[], datetime] = _now) -> None:
        self.repository = repository
        self.registry = registry
        self.clock = clock

    # -- filing ---------------------------------------------------------------------------

    def _office_for(self, kind: rules.Kind, body: FileRequest) -> str:
        if kind.handled_by == "office":
            if body.reported is not None:
                raise Invalid("a complaint about a service names the office, not a taxpayer",
                              field="reported")
            if body.office is None:
                raise Invalid("the tax office whose service is complained about",
                              field="office")
            return body.office
        if body.office is not None:
            raise Invalid("a report goes to the office in charge of the reported taxpayer, "
                          "as the registry records it; it is not chosen", field="office")
        if body.reported is None:
            raise Invalid("the credit code of the taxpayer reported", field="reported")
        record = self.registry.get(body.reported)
        if record is None:
            raise Invalid("no taxpayer is registered under this credit code", field="reported")
        return record.tax_office_code

    def _new_case(self, body: FileRequest, *, filer: str | None,
                  secret: str | None = None) -> Case:
        kind = rules.kind_of(body.kind, anonymous=filer is None)
        office = self._office_for(kind, body)
        now = self.clock()
        salt = digest = None
        if secret is not None:
            salt, digest = rules.hash_secret(secret)
        case = Case(
            id=rules.case_id(), kind=kind.name, state=rules.FILED, title=body.title,
            facts=body.facts, office=office, filed_at=now.isoformat(timespec="seconds"),
            due_on=rules.due_on(kind, business_date(now)).isoformat(), filer=filer,
            reported=body.reported, secret_salt=salt, secret_hash=digest,
            history=({"at": now.isoformat(timespec="seconds"), "event": "filed"},))
        self.repository.create(case)
        return case

    def file(self, principal: Principal, body: FileRequest) -> CaseShown:
        """A named complaint or report by the signed-in filer."""
        return shown(self._new_case(body, filer=principal.subject))

    def file_anonymous(self, body: FileRequest) -> ReportFiled:
        """An anonymous report: its tracking code and secret, shown this once."""
        secret = rules.new_secret()
        case = self._new_case(body, filer=None, secret=secret)
        return ReportFiled(tracking_code=case.id, secret=secret, case=shown(case))

    # -- reading --------------------------------------------------------------------------

    def _readable(self, principal: Principal, case_id: str) -> Case:
        case = self.repository.get(case_id)
        if case is None:
            raise NoSuchCase()
        # the filer as the case's owner (an anonymous report has none: only its office's
        # officers and admins), the responsible office as its office
        ensure_can_reach_taxpayer(principal, case.filer or "", case.office)
        return case

    def read(self, principal: Principal, case_id: str) -> CaseShown:
        return shown(self._readable(principal, case_id))

    def _anonymous(self, code: str, secret: str | None) -> Case:
        case = self.repository.get(code) if len(code) <= 40 else None
        given = secret[:SECRET_MAX] if secret else None
        if not rules.secret_matches(given, case.secret_salt if case else None,
                                    case.secret_hash if case else None) or case is None:
            raise NoSuchReport()
        return case

    def follow(self, code: str, secret: str | None) -> CaseShown:
        return shown(self._anonymous(code, secret))

    def mine(self, principal: Principal, cursor: str | None) -> Cases:
        cases, after = self.repository.of_filer(principal.subject, cursor)
        return Cases(items=[summary(c) for c in cases], cursor=after)

    def queue(self, principal: Principal, cursor: str | None, state: str | None) -> Cases:
        if principal.tax_office is None:
            raise Refused("an officer without a tax office has no queue")
        if state is not None and state not in STATE_FILTERS:
            raise Malformed(f"a state: {', '.join(sorted(STATE_FILTERS))}", field="state")
        cases, after = self.repository.queue(principal.tax_office, cursor, state)
        return Cases(items=[summary(c) for c in cases], cursor=after)

    # -- handling -------------------------------------------------------------------------

    def _act(self, principal: Principal, case_id: str, action: str,
             sets: dict[str, Any] | None = None, note: str | None = None,
             closes: bool = False) -> CaseShown:
        case = self.repository.get(case_id)
        if case is None:
            raise NoSuchCase()
        rules.ensure_handler(case.office, principal.tax_office)
        target = rules.next_state(action, case.state)
        step: dict[str, Any] = {"at": self.clock().isoformat(timespec="seconds"),
                                "event": target}
        if note is not None:
            step["note"] = note
        sources, _ = rules.TRANSITIONS[action]
        changed = self.repository.change(case_id, states=sources, to=target, step=step,
                                         sets=sets, closes=closes)
        if changed is None:  # changed meanwhile: say how it stands now
            now = self.repository.get(case_id)
            rules.next_state(action, now.state if now else case.state)
            raise StateChanged("the case changed meanwhile; read it again", field="state")
        return shown(changed)

    def accept(self, principal: Principal, case_id: str, body: AcceptRequest) -> CaseShown:
        return self._act(principal, case_id, "accept", note=body.note)

    def refuse(self, principal: Principal, case_id: str, body: RefuseRequest) -> CaseShown:
        return self._act(principal, case_id, "refuse", sets={"refusal": body.reason},
                         closes=True)

    def answer(self, principal: Principal, case_id: str, body: AnswerRequest) -> CaseShown:
        return self._act(principal, case_id, "answer", sets={"answer": body.answer},
                         closes=True)

    # -- rating ---------------------------------------------------------------------------

    def _rate(self, case: Case, body: RateRequest) -> CaseShown:
        target = rules.next_state("rate", case.state)
        sets: dict[str, Any] = {"rating": body.rating}
        if body.comment is not None:
            sets["rating_comment"] = body.comment
        sources, _ = rules.TRANSITIONS["rate"]
        changed = self.repository.change(
            case.id, states=sources, to=target, sets=sets, once="rating",
            step={"at": self.clock().isoformat(timespec="seconds"), "event": target})
        if changed is None:
            raise StateChanged("this handling has been rated already", field="rating")
        return shown(changed)

    def rate(self, principal: Principal, case_id: str, body: RateRequest) -> CaseShown:
        case = self._readable(principal, case_id)
        if case.filer != principal.subject:
            raise Refused("only the filer rates how a case was handled")
        return self._rate(case, body)

    def rate_anonymous(self, code: str, secret: str | None, body: RateRequest) -> CaseShown:
        return self._rate(self._anonymous(code, secret), body)
