"""Credit ratings on the platform: a taxpayer's year gathered from the records the platform
keeps (filing and payment, serious-violator listings, approved repairs) and its registration,
evaluated (:mod:`etax.credit.evaluation`), stored and shown; repair applications an officer
decides; the annual run over the register in segments (one queue message a page).

Time is the platform's clock (``now``), never the request's. A year not yet over is rated as
of today and marked provisional; a year over as of its last day.

Registration facts (choices, sources.md#credit-choices): the registration day is the
registry's; the recurring indicators' data (filing and payment) are complete, the platform
holding them; the non-recurring ones are not (no data of them here), so the starting score is
93; operating income is assumed (no income data here); the previous level is the stored
rating of the year before.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol

from etax.acceptance.registration.records import RegistrationRecord
from etax.acceptance.registration.registry import signed_in_enterprise
from etax.credit import repair as repairs
from etax.credit.catalogue import Catalogue, Indicator
from etax.credit.evaluation import Registration, YearFacts, evaluate, preview
from etax.credit.records import Listing, year_records
from etax.credit.repository import Partition, repair_id
from etax.credit.requests import DecisionRequest, RepairRequest, RunRequest
from etax.credit.results import AList, Rating, Repair, Run
from etax.credit.views import rating_of, repair_key
from etax.errors import Invalid, NotFound, Refused
from etax.filing.repository import Obligation
from etax.platform.auth import Principal, ensure_can_reach_taxpayer
from etax.rules.dates import business_date

PAGE = 100
"""taxpayers a run's message evaluates before passing the rest of its segment on"""


class Store(Protocol):
    def partition(self, code: str) -> Partition: ...

    def put_rating(self, rating: Rating, tax_office: str | None, *,
                   run_id: str | None = None) -> bool: ...

    def rating(self, code: str, year: int) -> tuple[Rating, str | None] | None: ...

    def latest_rating(self, code: str) -> tuple[Rating, str | None] | None: ...

    def a_list(self, year: int, cursor: str | None, limit: int) -> AList: ...

    def put_listing(self, listing: Listing) -> None: ...

    def create_repair(self, repair: Repair, tax_office: str | None) -> None: ...

    def repair(self, application_id: str) -> tuple[Repair, str | None] | None: ...

    def decide_repair(self, repair: Repair) -> None: ...

    def create_run(self, run: Run) -> bool: ...

    def run(self, run_id: str) -> Run | None: ...

    def progress(self, run_id: str, evaluated: int, *,
                 segment_done: int | None = None) -> None: ...


class Filings(Protocol):
    def obligations_of(self, taxpayer: str) -> list[Obligation]: ...


class Registry(Protocol):
    def get(self, credit_code: str) -> RegistrationRecord | None: ...

    def segment(self, segment: int, segments: int, start: dict[str, Any] | None,
                limit: int) -> tuple[list[RegistrationRecord], dict[str, Any] | None]: ...


class Fanout(Protocol):
    def send(self, messages: Sequence[dict[str, Any]]) -> None: ...


ANNUAL_STARTER = "schedule:annual-credit-run"
"""who ``started_by`` names for the scheduled annual run"""


def _subject(repair: Repair) -> str:
    """What a stored application is of, as :class:`repairs.RepairApplication` has it."""
    if repair.kind == repairs.WHOLE_RECORD:
        return str(repair.year)
    if repair.kind == repairs.DIRECT_D:
        return repair.indicator or ""
    return repair.record or ""


def _points(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1")))


def _officer_or_admin(principal: Principal) -> None:
    if principal.role not in ("officer", "admin"):
        raise Refused(f"this route is for officers and admins; you are signed in as "
                        f"{principal.role}")


@dataclass
class CreditService:
    store: Store
    filings: Filings
    registry: Registry
    fanout: Fanout | None = None
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    catalogue: Catalogue = field(default_factory=Catalogue.shipped)
    policy: repairs.RepairPolicy = field(default_factory=repairs.RepairPolicy.shipped)

    def today(self) -> date:
        return business_date(self.now())

    # -- evaluating ---------------------------------------------------------------------------

    def _rate(self, record: RegistrationRecord, year: int, *,
              partition: Partition | None = None,
              obligations: list[Obligation] | None = None,
              whole_record: bool = False) -> Rating:
        """The year's rating from the platform's records (``whole_record``: as if a
        whole-record repair of the year were approved, to show what one would give)."""
        today = self.today()
        if year > today.year:
            raise Invalid(f"{year} has not begun", field="year")
        as_of = min(today, date(year, 12, 31))
        partition = partition or self.store.partition(record.credit_code)
        if obligations is None:
            obligations = self.filings.obligations_of(record.credit_code)
        records = year_records(obligations, partition.listings, year, as_of)
        applications = [repairs.RepairApplication(
            r.id, r.credit_code, r.kind, _subject(r), date.fromisoformat(r.applied_on), r.state)
            for r in partition.repairs if r.year == year]
        previous = partition.ratings.get(year - 1)
        registration = Registration(
            registered_on=record.registration_date, recurring_complete=True,
            nonrecurring_complete=False, operating_income=True,
            previous_level=None if previous is None or previous.provisional else previous.level)
        facts = YearFacts(year, records, repairs.approved_faults(applications),
                          whole_record or repairs.whole_record_approved(applications, year),
                          repairs.lifted_direct_d(applications))
        evaluation = (preview(facts, registration, as_of, catalogue=self.catalogue,
                              policy=self.policy) if today.year == year else
                      evaluate(facts, registration, catalogue=self.catalogue,
                               policy=self.policy))
        named = {repair_key(a.scope, a.subject): a.application_id for a in applications
                 if a.state == repairs.APPROVED}
        return rating_of(evaluation, credit_code=record.credit_code, name=record.name,
                         catalogue=self.catalogue, evaluated_at=self.now().isoformat(),
                         repairs=named)

    def _registered(self, code: str) -> RegistrationRecord:
        record = self.registry.get(code)
        if record is None:
            raise NotFound(f"{code} is not in the registry", field="credit_code")
        return record

    def reevaluate(self, code: str, year: int) -> Rating | None:
        """Rate ``year`` of ``code`` again and store it (after a repair or a listing); None
        when the taxpayer is not in the registry."""
        record = self.registry.get(code)
        if record is None:
            return None
        rating = self._rate(record, year)
        self.store.put_rating(rating, record.tax_office_code)
        return rating

    # -- the routes ---------------------------------------------------------------------------

    def rating(self, principal: Principal, code: str, year: int | None) -> Rating:
        """The stored rating of ``year`` (the latest stored if None; the year so far, not
        stored, for a taxpayer never rated)."""
        record = self.registry.get(code)
        ensure_can_reach_taxpayer(principal, code, record.tax_office_code if record else None)
        if year is None:
            found = self.store.latest_rating(code)
            if found is None:  # never rated: the year so far, as the preview shows it
                return self._rate(self._registered(code), self.today().year)
            return found[0]
        stored = self.store.rating(code, year)
        if stored is None:
            raise NotFound(f"no rating of {code} for {year}", field="year")
        return stored[0]

    def a_list(self, year: int | None, cursor: str | None, limit: int) -> AList:
        if year is None:
            raise Invalid("name the year of the list", field="year")
        return self.store.a_list(year, cursor, limit)

    def _enterprise(self, principal: Principal) -> RegistrationRecord:
        return signed_in_enterprise(self.registry, principal,
                                    "credit ratings are of registered enterprise taxpayers "
                                    "signed in with their credit code")

    def preview_me(self, principal: Principal) -> Rating:
        return self._rate(self._enterprise(principal), self.today().year)

    # -- repairs ------------------------------------------------------------------------------

    def apply_repair(self, principal: Principal, request: RepairRequest) -> Repair:
        record = self._enterprise(principal)
        if request.kind == repairs.WHOLE_RECORD:
            if request.indicator is not None or request.record is not None:
                raise Invalid("a whole-record repair names no indicator or record",
                              field="indicator" if request.indicator is not None else "record")
            repair = self._whole_record(record, request.year)
        elif request.kind == repairs.DIRECT_D:
            if request.record is not None:
                raise Invalid("a direct-D repair names the indicator only", field="record")
            repair = self._direct_d(record, request)
        else:
            repair = self._fault(record, request)
        self.store.create_repair(repair, record.tax_office_code)
        return repair

    def _indicator(self, code: str | None) -> Indicator:
        if code is None:
            raise Invalid("name the indicator (as the rating lists it)", field="indicator")
        indicator = next((i for i in self.catalogue.indicators if i.code == code), None)
        if indicator is None:
            raise Invalid(f"no credit indicator {code}", field="indicator")
        return indicator

    def _fault(self, record: RegistrationRecord, request: RepairRequest) -> Repair:
        code = record.credit_code
        indicator = self._indicator(request.indicator)
        if request.record is None:
            raise Invalid("name the record that dates the deduction", field="record")
        rating = self._rate(record, request.year)
        deduction = next((d for d in rating.deductions if d.indicator == indicator.code
                          and d.records[0].reference == request.record), None)
        if deduction is None:
            raise Invalid(f"your {request.year} rating has no {indicator.code} deduction "
                          f"dated by {request.record}", field="record")
        fault_on = date.fromisoformat(deduction.on)
        corrected = date.fromisoformat(deduction.corrected_on) if deduction.corrected_on \
            else None
        today = self.today()
        application = repairs.apply_for_fault(
            repair_id(code, request.record), code, indicator=indicator,
            record=request.record, fault_on=fault_on, corrected_on=corrected,
            applied_on=today, policy=self.policy)
        assert corrected is not None  # apply_for_fault refuses an uncorrected fault
        tenths = self.policy.restored_tenths(deduction.points, (corrected - fault_on).days)
        return Repair(id=application.application_id, credit_code=code, year=request.year,
                      indicator=indicator.code, record=request.record,
                      state=application.state, applied_on=today.isoformat(),
                      fault_on=deduction.on, corrected_on=corrected.isoformat(),
                      restores=_points(Decimal(tenths) / 10))

    def _whole_record(self, record: RegistrationRecord, year: int) -> Repair:
        """Whole-record repair of ``year``: 6 months after the taxpayer's last violation (the
        latest deduction or direct D of that year and of every year since, as the platform's
        records show), when it gives something back."""
        code = record.credit_code
        partition = self.store.partition(code)
        obligations = self.filings.obligations_of(code)
        rating = self._rate(record, year, partition=partition, obligations=obligations)
        ratings = [rating] + [self._rate(record, y, partition=partition,
                                         obligations=obligations)
                              for y in range(year + 1, self.today().year + 1)]
        violations = [date.fromisoformat(d.on) for r in ratings for d in r.deductions]
        violations += [date.fromisoformat(d.on) for r in ratings for d in r.direct_d]
        if not violations:
            raise Invalid(f"your {year} rating has no deduction to repair", field="kind")
        last = max(violations)
        today = self.today()
        application = repairs.apply_for_whole_record(
            repair_id(code, f"whole_record:{year}"), code, year=year, last_violation_on=last,
            applied_on=today, policy=self.policy)
        repaired = self._rate(record, year, partition=partition, obligations=obligations,
                              whole_record=True)
        gives = Decimal(repaired.score) - Decimal(rating.score)
        if gives <= 0:
            raise Invalid(f"your {year} rating has no corrected, repairable deduction left "
                          "to repair", field="kind")
        return Repair(id=application.application_id, credit_code=code, year=year,
                      kind=repairs.WHOLE_RECORD, state=application.state,
                      applied_on=today.isoformat(), last_violation_on=last.isoformat(),
                      restores=_points(gives))

    def _direct_d(self, record: RegistrationRecord, request: RepairRequest) -> Repair:
        """Repair of a direct D the year's rating lists, after its cause's waiting period
        from the day rated D (the direct D's day); a listing still standing is not repaired
        (its removal ends it)."""
        code = record.credit_code
        indicator = self._indicator(request.indicator)
        partition = self.store.partition(code)
        rating = self._rate(record, request.year, partition=partition)
        found = next((d for d in rating.direct_d
                      if d.indicator == indicator.code and d.lifted_by is None), None)
        if found is None:
            raise Invalid(f"your {request.year} rating lists no direct D {indicator.code}",
                          field="indicator")
        today = self.today()
        case = found.record.reference.removeprefix("violator:")
        if any(listing.case_id == case and listing.standing(today)
               for listing in partition.listings):
            raise Invalid("the serious-violator listing still stands: its removal comes "
                          "before a repair", field="indicator")
        rated_on = date.fromisoformat(found.on)
        application = repairs.apply_for_direct_d(
            repair_id(code, f"direct_d:{request.year}:{indicator.code}"), code,
            indicator=indicator, rated_on=rated_on, applied_on=today)
        return Repair(id=application.application_id, credit_code=code, year=request.year,
                      kind=repairs.DIRECT_D, indicator=indicator.code,
                      record=found.record.reference, state=application.state,
                      applied_on=today.isoformat(), rated_d_on=found.on)

    def _repair(self, principal: Principal, application_id: str) -> tuple[Repair, str | None]:
        found = self.store.repair(application_id)
        if found is None:
            raise NotFound(f"no repair application {application_id}", field="repair_id")
        ensure_can_reach_taxpayer(principal, found[0].credit_code, found[1])
        return found

    def repair_view(self, principal: Principal, application_id: str) -> Repair:
        return self._repair(principal, application_id)[0]

    def decide(self, principal: Principal, application_id: str,
               request: DecisionRequest) -> Repair:
        if principal.role != "officer":
            raise Refused("an officer of the taxpayer's tax office decides repairs")
        repair, _office = self._repair(principal, application_id)
        application = repairs.RepairApplication(
            repair.id, repair.credit_code, repair.kind, _subject(repair),
            date.fromisoformat(repair.applied_on), repair.state)
        today = self.today()
        if request.decision == "approve":
            decided = repairs.approve(application, officer=principal.subject, on=today)
        else:
            decided = repairs.refuse(application, officer=principal.subject, on=today,
                                     reason=request.reason or "")
        repair = replace(repair, state=decided.state, decided_by=decided.decided_by,
                         decided_on=today.isoformat(), reason=decided.reason)
        self.store.decide_repair(repair)
        if decided.state == repairs.APPROVED:
            self.reevaluate(repair.credit_code, repair.year)
        return repair

    # -- the annual run -----------------------------------------------------------------------

    def start_run(self, principal: Principal, request: RunRequest) -> Run:
        # the whole register's run: the platform's administrators start it, not an office
        if principal.role != "admin":
            raise Refused("an administrator starts the annual evaluation of the register")
        return self._start(uuid.uuid4().hex, request.year, request.segments,
                           principal.subject)

    def start_annual(self, year: int | None = None, *, segments: int = 4) -> Run:
        """The scheduled run of ``year`` (the previous year by the platform's clock): one run
        a year, ``annual-<year>``; a second start (a retried schedule) finds it and sends
        nothing again."""
        return self._start(f"annual-{year or self.today().year - 1}",
                           year or self.today().year - 1, segments, ANNUAL_STARTER)

    def _start(self, run_id: str, year: int, segments: int, started_by: str) -> Run:
        if year > self.today().year:
            raise Invalid(f"{year} has not begun", field="year")
        assert self.fanout is not None, "a run is started where its queue is wired"
        run = Run(id=run_id, year=year, state="running", segments=segments, segments_done=0,
                  evaluated=0, started_by=started_by, started_at=self.now().isoformat())
        if not self.store.create_run(run):
            existing = self.store.run(run_id)
            assert existing is not None
            return existing
        self.fanout.send([{"run_id": run.id, "year": run.year, "segment": i,
                           "segments": run.segments} for i in range(run.segments)])
        return run

    def run_view(self, principal: Principal, run_id: str) -> Run:
        _officer_or_admin(principal)
        run = self.store.run(run_id)
        if run is None:
            raise NotFound(f"no evaluation run {run_id}", field="run_id")
        return run

    def run_page(self, message: dict[str, Any], *, limit: int | None = None) -> int:
        """One page of a run's segment: each taxpayer rated and stored once for the run, the
        progress counted, the rest of the segment passed on; the taxpayers newly rated."""
        run_id, year = str(message["run_id"]), int(message["year"])
        segment, segments = int(message["segment"]), int(message["segments"])
        page, after = self.registry.segment(segment, segments, message.get("start"),
                                            limit or PAGE)
        written = 0
        for record in page:
            if record.registration_date > date(year, 12, 31):
                continue  # registered after the year: not rated for it
            rating = self._rate(record, year)
            written += self.store.put_rating(rating, record.tax_office_code, run_id=run_id)
        if after is not None:
            assert self.fanout is not None
            self.fanout.send([{**message, "start": after}])
        self.store.progress(run_id, written, segment_done=None if after else segment)
        return written

    # -- listings -----------------------------------------------------------------------------

    def listing(self, listing: Listing) -> Rating | None:
        """A listing or its removal recorded, and the taxpayer's current year rated again."""
        self.store.put_listing(listing)
        return self.reevaluate(listing.credit_code, self.today().year)
