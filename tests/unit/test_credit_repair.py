"""Credit repair: the share restored by how soon a fault was corrected (100 / 80 / 60 / 40 % at
3 / 30 / 90 days, in tenths of a point), the waiting periods of whole-record and direct-D repair,
and the repair application's transitions."""

from __future__ import annotations

from datetime import date

import pytest

from etax.credit.catalogue import Catalogue
from etax.credit.repair import (
    APPLIED,
    APPROVED,
    DIRECT_D,
    FAULT,
    REFUSED,
    WHOLE_RECORD,
    RepairApplication,
    RepairPolicy,
    add_months,
    apply_for_direct_d,
    apply_for_fault,
    apply_for_whole_record,
    approve,
    approved_faults,
    direct_d_ends,
    direct_d_repair_from,
    lifted_direct_d,
    policy_from_dict,
    refuse,
    whole_record_approved,
    whole_record_repair_from,
)
from etax.errors import Fault, Invalid, Refused, StateChanged

POLICY = RepairPolicy.shipped()
CATALOGUE = Catalogue.shipped()
LATE = CATALOGUE.by_code("FILING_LATE")
DEADLINE = date(2025, 8, 15)


@pytest.mark.parametrize(("days", "percent"), [
    (0, 100), (3, 100), (4, 80), (30, 80), (31, 60), (90, 60), (91, 40), (400, 40)])
def test_share_by_days_at_each_boundary(days: int, percent: int) -> None:
    assert POLICY.percent_after(days) == percent


@pytest.mark.parametrize(("points", "days", "tenths"), [
    (3, 3, 30), (3, 4, 24), (3, 30, 24), (3, 31, 18), (3, 90, 18), (3, 91, 12),
    (5, 3, 50), (5, 30, 40), (5, 90, 30), (5, 91, 20), (11, 91, 44)])
def test_restored_tenths_are_exact_integers(points: int, days: int, tenths: int) -> None:
    assert POLICY.restored_tenths(points, days) == tenths


def test_a_percentage_off_the_tenths_rounds_down() -> None:
    odd = policy_from_dict({"versions": [{
        "valid_from": "2025-07-01", "automatic_within_days": 3, "whole_record_wait_months": 6,
        "direct_d_lasts_years": 2,
        "shares": [{"within_days": 3, "percent": 100}, {"within_days": None, "percent": 33}]}]})
    assert odd.restored_tenths(1, 10) == 3  # 3.3 tenths → 3


def test_a_correction_before_the_fault_is_refused() -> None:
    with pytest.raises(Invalid) as early:
        POLICY.percent_after(-1)
    assert early.value.field == "corrected_on"


@pytest.mark.parametrize("shares", [
    [{"within_days": 3, "percent": 100}],
    [{"within_days": 30, "percent": 80}, {"within_days": 3, "percent": 100},
     {"within_days": None, "percent": 40}],
    [{"within_days": 3, "percent": 60}, {"within_days": None, "percent": 80}],
    [{"within_days": None, "percent": 100}, {"within_days": None, "percent": 40}],
])
def test_a_broken_policy_is_refused(shares: list[dict[str, object]]) -> None:
    with pytest.raises(Fault) as broken:
        policy_from_dict({"versions": [{
            "valid_from": "2025-07-01", "automatic_within_days": 3,
            "whole_record_wait_months": 6, "direct_d_lasts_years": 2, "shares": shares}]})
    assert broken.value.field == "shares"


def test_months_are_calendar_months() -> None:
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert add_months(date(2025, 1, 15), 12) == date(2026, 1, 15)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_waiting_periods() -> None:
    assert whole_record_repair_from(date(2025, 9, 10), POLICY) == date(2026, 3, 10)
    rated = date(2026, 4, 20)
    waits = {code: direct_d_repair_from(rated, CATALOGUE.by_code(code))
             for code in ("D_DECISION_UNPAID", "D_ABNORMAL_HOUSEHOLD", "D_EVASION")}
    assert waits == {"D_DECISION_UNPAID": date(2026, 7, 20),
                     "D_ABNORMAL_HOUSEHOLD": date(2026, 10, 20),
                     "D_EVASION": date(2027, 4, 20)}
    assert direct_d_ends(rated, POLICY) == date(2028, 4, 20)
    with pytest.raises(Invalid) as not_direct:
        direct_d_repair_from(rated, LATE)
    assert not_direct.value.field == "indicator"


def _fault(corrected: date | None, applied: date) -> RepairApplication:
    return apply_for_fault("r-1", "91350100M000100Y43", indicator=LATE, record="filing:7",
                           fault_on=DEADLINE, corrected_on=corrected, applied_on=applied,
                           policy=POLICY)


def test_a_fault_repair_is_applied_for_after_a_late_correction() -> None:
    application = _fault(date(2025, 9, 1), date(2025, 9, 2))
    assert (application.scope, application.subject, application.state) == (
        FAULT, "filing:7", APPLIED)


@pytest.mark.parametrize(("corrected", "applied", "error", "field"), [
    (None, date(2025, 9, 2), Invalid, "corrected_on"),
    (date(2025, 8, 18), date(2025, 9, 2), StateChanged, "corrected_on"),  # day 3: automatic
    (date(2025, 9, 1), date(2025, 8, 31), Invalid, "applied_on"),
])
def test_a_fault_application_is_refused_naming_the_field(
        corrected: date | None, applied: date, error: type[Exception], field: str) -> None:
    with pytest.raises(error) as refused:
        _fault(corrected, applied)
    assert getattr(refused.value, "field", None) == field


def test_a_fault_of_an_unrepairable_indicator_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        apply_for_fault("r-1", "t", indicator=CATALOGUE.by_code("INVOICE_VOIDED_PATTERN"),
                        record="invoice:1", fault_on=DEADLINE, corrected_on=date(2025, 9, 1),
                        applied_on=date(2025, 9, 1), policy=POLICY)
    assert refused.value.field == "indicator"


def test_whole_record_and_direct_d_wait() -> None:
    with pytest.raises(Invalid) as early:
        apply_for_whole_record("r-2", "t", year=2025, last_violation_on=date(2025, 9, 10),
                               applied_on=date(2026, 3, 9), policy=POLICY)
    assert early.value.field == "kind"
    assert early.value.extra == {"opens_on": "2026-03-10"}
    whole = apply_for_whole_record("r-2", "t", year=2025, last_violation_on=date(2025, 9, 10),
                                   applied_on=date(2026, 3, 10), policy=POLICY)
    assert (whole.scope, whole.subject) == (WHOLE_RECORD, "2025")
    evasion = CATALOGUE.by_code("D_EVASION")
    with pytest.raises(Invalid) as too_soon:
        apply_for_direct_d("r-3", "t", indicator=evasion, rated_on=date(2026, 4, 20),
                           applied_on=date(2027, 4, 19))
    assert too_soon.value.field == "indicator"
    assert too_soon.value.extra == {"opens_on": "2027-04-20"}
    direct = apply_for_direct_d("r-3", "t", indicator=evasion, rated_on=date(2026, 4, 20),
                                applied_on=date(2027, 4, 20))
    assert (direct.scope, direct.subject) == (DIRECT_D, "D_EVASION")


@pytest.mark.parametrize(("application_id", "taxpayer", "field"), [
    ("", "t", "application_id"), ("r-9", " ", "taxpayer")])
def test_an_application_names_itself_and_its_taxpayer(application_id: str, taxpayer: str,
                                                      field: str) -> None:
    with pytest.raises(Invalid) as missing:
        apply_for_whole_record(application_id, taxpayer, year=2025,
                               last_violation_on=date(2025, 1, 1),
                               applied_on=date(2026, 1, 1), policy=POLICY)
    assert missing.value.field == field


def test_an_officer_approves_or_refuses_once() -> None:
    applied = _fault(date(2025, 9, 1), date(2025, 9, 2))
    approved = approve(applied, officer="officer-12", on=date(2025, 9, 5))
    assert (approved.state, approved.decided_by, approved.decided_on) == (
        APPROVED, "officer-12", date(2025, 9, 5))
    refused = refuse(applied, officer="officer-12", on=date(2025, 9, 5),
                     reason="the return filed is incomplete")
    assert (refused.state, refused.reason) == (REFUSED, "the return filed is incomplete")
    assert applied.state == APPLIED  # transitions return new values
    assert approved_faults([approved, refused]) == frozenset({"filing:7"})
    for decided in (approved, refused):
        with pytest.raises(StateChanged) as again:
            approve(decided, officer="officer-13", on=date(2025, 9, 6))
        assert again.value.field == "state"


@pytest.mark.parametrize(("officer", "on", "reason", "field"), [
    ("", date(2025, 9, 5), "why", "officer"),
    ("officer-12", date(2025, 9, 1), "why", "decided_on"),
    ("officer-12", date(2025, 9, 5), "  ", "reason"),
])
def test_a_decision_is_refused_naming_the_field(officer: str, on: date, reason: str,
                                                field: str) -> None:
    applied = _fault(date(2025, 9, 1), date(2025, 9, 2))
    with pytest.raises(Invalid) as refused:
        refuse(applied, officer=officer, on=on, reason=reason)
    assert refused.value.field == field


def test_which_approved_applications_an_evaluation_reads() -> None:
    applied = apply_for_whole_record("w", "t", year=2025, last_violation_on=date(2025, 1, 1),
                                     applied_on=date(2025, 7, 1), policy=POLICY)
    lifted = apply_for_direct_d("d", "t", indicator=CATALOGUE.by_code("D_EVASION"),
                                rated_on=date(2025, 1, 1), applied_on=date(2026, 1, 1))
    assert not whole_record_approved([applied], 2025)
    approved = approve(applied, officer="o", on=date(2025, 7, 2))
    assert whole_record_approved([approved], 2025)
    assert not whole_record_approved([approved], 2024)
    assert lifted_direct_d([lifted]) == frozenset()
    assert lifted_direct_d([approve(lifted, officer="o", on=date(2026, 1, 2))]) == {"D_EVASION"}
    refused = refuse(lifted, officer="o", on=date(2026, 1, 2), reason="未缴清")
    assert lifted_direct_d([refused]) == frozenset()
