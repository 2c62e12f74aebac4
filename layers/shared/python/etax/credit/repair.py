"""Credit repair (信用修复): what a corrected fault gets back, when whole-record and direct-D
repair may be asked for, and the repair application an officer decides. Pure.

**Share restored** (``data/repair.json``, sources.md#credit-repair): a fault corrected within
3 days of it gets 100 % of its points back, within 30 days 80 %, within 90 days 60 %, later
40 % (a 3-point deduction → 3 / 2.4 / 1.8 / 1.2). Days count from the fault's day (the
deadline missed) to the day it was corrected: corrected on day 3 is within 3, day 4 is not.
Points are integers and a restored share is kept in **tenths of a point**, computed as
``points × 10 × percent // 100`` in integers: with the shipped percentages (multiples of 10)
this is exact; a percentage that were not would round **down**, so a repair never gives back
more than its share. A correction within 3 days is repaired without application (免申请); a
later one when an officer approves the application (the measures' text, secondary copy:
sources.md#credit-repair).

**Waiting periods**: whole-record repair may be asked for 6 months after the last violation;
a direct D after the months its indicator names (3, 6 or 12 by cause: which cause waits how
long is a choice, sources.md#credit-choices), and a direct D lasts 2 years. Asked for too
soon, an application is invalid (422) naming what was asked (``kind``, ``indicator``) and
the first day it may be asked (``opens_on``), computed from the platform's records only.

**What an approval gives** (choices, sources.md#credit-choices): a whole-record repair of a
year gives back every corrected repairable deduction of that year its share for the days to
its correction, as approved fault repairs of each would; a direct-D repair lifts that D, and
the level is computed from the score again.

**Applications**: ``applied`` → ``approved`` or ``refused`` by an officer, with who and when
(and why, for a refusal). A refusal of the rules is a domain error naming the field.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Final

from etax.credit.catalogue import Indicator
from etax.errors import Fault, Invalid, Refused, StateChanged
from etax.platform.data import load

APPLIED: Final = "applied"
APPROVED: Final = "approved"
REFUSED: Final = "refused"
FAULT: Final = "fault"
WHOLE_RECORD: Final = "whole_record"
DIRECT_D: Final = "direct_d"


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months; the 31st becomes the month's last day when it has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class Share:
    within_days: int | None
    """``None``: any later correction"""
    percent: int


@dataclass(frozen=True, slots=True)
class RepairPolicy:
    valid_from: date
    shares: tuple[Share, ...]
    automatic_within_days: int
    whole_record_wait_months: int
    direct_d_lasts_years: int

    @classmethod
    def shipped(cls) -> RepairPolicy:
        """The policy in ``data/repair.json`` (its latest version)."""
        return policy_from_dict(load("etax.credit", "repair"))

    def percent_after(self, days: int) -> int:
        """The share (in %) restored for a fault corrected ``days`` after it."""
        if days < 0:
            raise Invalid("a fault cannot be corrected before it happened", field="corrected_on")
        for share in self.shares:
            if share.within_days is None or days <= share.within_days:
                return share.percent
        raise Fault("the repair shares end without a share for any later day", field="shares")

    def restored_tenths(self, points: int, days: int) -> int:
        """Tenths of a point restored of ``points`` corrected ``days`` after the fault."""
        return points * 10 * self.percent_after(days) // 100

    def automatic(self, days: int) -> bool:
        """Corrected soon enough to be repaired without application."""
        return 0 <= days <= self.automatic_within_days


def policy_from_dict(data: Mapping[str, Any]) -> RepairPolicy:
    versions = data.get("versions") or []
    if not versions:
        raise Fault("the repair policy has no version", field="versions")
    raw = max(versions, key=lambda v: str(v["valid_from"]))
    shares = tuple(Share(s["within_days"], int(s["percent"])) for s in raw["shares"])
    bounded = [s.within_days for s in shares[:-1] if s.within_days is not None]
    if (not shares or shares[-1].within_days is not None or len(bounded) != len(shares) - 1
            or bounded != sorted(set(bounded))
            or any(not 0 < s.percent <= 100 for s in shares)
            or [s.percent for s in shares] != sorted((s.percent for s in shares), reverse=True)):
        raise Fault("repair shares must rise in days, fall in percent, and end open",
                    field="shares")
    return RepairPolicy(date.fromisoformat(raw["valid_from"]), shares,
                        int(raw["automatic_within_days"]), int(raw["whole_record_wait_months"]),
                        int(raw["direct_d_lasts_years"]))


def whole_record_repair_from(last_violation_on: date, policy: RepairPolicy) -> date:
    """The first day whole-record repair may be asked for."""
    return add_months(last_violation_on, policy.whole_record_wait_months)


def direct_d_repair_from(rated_on: date, indicator: Indicator) -> date:
    """The first day repair of a direct D for ``indicator`` may be asked for."""
    if not indicator.direct:
        raise Invalid(f"{indicator.code} does not rate D directly", field="indicator")
    return add_months(rated_on, indicator.d_repair_wait_months)


def direct_d_ends(rated_on: date, policy: RepairPolicy) -> date:
    """The day a direct D rated on ``rated_on`` stops applying, unrepaired."""
    return add_months(rated_on, 12 * policy.direct_d_lasts_years)


# -- the application ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RepairApplication:
    """A taxpayer's repair application: of one fault (``subject`` = the record reference its
    deduction is dated by), of the whole record (``subject`` = the year), or of a direct D
    (``subject`` = the indicator code)."""

    application_id: str
    taxpayer: str
    scope: str
    subject: str
    applied_on: date
    state: str = APPLIED
    decided_by: str | None = None
    decided_on: date | None = None
    reason: str | None = None


def _check_ids(application_id: str, taxpayer: str) -> None:
    if not application_id.strip():
        raise Invalid("an application needs an id", field="application_id")
    if not taxpayer.strip():
        raise Invalid("an application names its taxpayer", field="taxpayer")


def apply_for_fault(application_id: str, taxpayer: str, *, indicator: Indicator,
                    record: str, fault_on: date, corrected_on: date | None, applied_on: date,
                    policy: RepairPolicy) -> RepairApplication:
    """An application to repair one corrected fault (its deduction's ``record``)."""
    _check_ids(application_id, taxpayer)
    if not indicator.repairable:
        raise Refused(f"{indicator.code} cannot be repaired", field="indicator")
    if corrected_on is None:
        raise Invalid("the fault has not been corrected", field="corrected_on")
    days = (corrected_on - fault_on).days
    if policy.automatic(days):
        raise StateChanged(f"corrected within {policy.automatic_within_days} days: repaired "
                           "without application", field="corrected_on")
    if days < 0:
        raise Invalid("a fault cannot be corrected before it happened", field="corrected_on")
    if applied_on < corrected_on:
        raise Invalid("a repair is applied for after the correction", field="applied_on")
    return RepairApplication(application_id, taxpayer, FAULT, record, applied_on)


def apply_for_whole_record(application_id: str, taxpayer: str, *, year: int,
                           last_violation_on: date, applied_on: date,
                           policy: RepairPolicy) -> RepairApplication:
    """An application to repair a year's whole record, refused before its waiting period."""
    _check_ids(application_id, taxpayer)
    opens = whole_record_repair_from(last_violation_on, policy)
    if applied_on < opens:
        raise Invalid(f"whole-record repair may be asked for from {opens.isoformat()}, "
                      f"{policy.whole_record_wait_months} months after the last violation "
                      f"({last_violation_on.isoformat()})", field="kind",
                      extra={"opens_on": opens.isoformat()})
    return RepairApplication(application_id, taxpayer, WHOLE_RECORD, str(year), applied_on)


def apply_for_direct_d(application_id: str, taxpayer: str, *, indicator: Indicator,
                       rated_on: date, applied_on: date) -> RepairApplication:
    """An application to repair a direct D, refused before its cause's waiting period."""
    _check_ids(application_id, taxpayer)
    opens = direct_d_repair_from(rated_on, indicator)
    if applied_on < opens:
        raise Invalid(f"repair of a direct D for {indicator.code} may be asked for from "
                      f"{opens.isoformat()}, {indicator.d_repair_wait_months} months after "
                      f"the day rated D ({rated_on.isoformat()})", field="indicator",
                      extra={"opens_on": opens.isoformat()})
    return RepairApplication(application_id, taxpayer, DIRECT_D, indicator.code, applied_on)


def _decide(application: RepairApplication, officer: str, on: date) -> None:
    if application.state != APPLIED:
        raise StateChanged(f"application {application.application_id} is "
                           f"{application.state} already", field="state")
    if not officer.strip():
        raise Invalid("a decision names its officer", field="officer")
    if on < application.applied_on:
        raise Invalid("a decision cannot precede the application", field="decided_on")


def approve(application: RepairApplication, *, officer: str, on: date) -> RepairApplication:
    """The application approved by ``officer`` on ``on``."""
    _decide(application, officer, on)
    return replace(application, state=APPROVED, decided_by=officer, decided_on=on)


def refuse(application: RepairApplication, *, officer: str, on: date,
           reason: str) -> RepairApplication:
    """The application refused by ``officer`` on ``on``, saying why."""
    _decide(application, officer, on)
    if not reason.strip():
        raise Invalid("a refusal says why", field="reason")
    return replace(application, state=REFUSED, decided_by=officer, decided_on=on,
                   reason=reason)


def approved_faults(applications: Iterable[RepairApplication]) -> frozenset[str]:
    """The records whose fault repair an officer approved (what an evaluation reads)."""
    return frozenset(a.subject for a in applications if a.scope == FAULT and a.state == APPROVED)


def whole_record_approved(applications: Iterable[RepairApplication], year: int) -> bool:
    """Whether an officer approved a whole-record repair of ``year``."""
    return any(a.scope == WHOLE_RECORD and a.state == APPROVED and a.subject == str(year)
               for a in applications)


def lifted_direct_d(applications: Iterable[RepairApplication]) -> frozenset[str]:
    """The indicators whose direct D an approved repair lifted."""
    return frozenset(a.subject for a in applications
                     if a.scope == DIRECT_D and a.state == APPROVED)
