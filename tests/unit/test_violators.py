"""The violators list's pure rules: the listing criteria as data, the refusal naming the
nearest criterion, the publication deadline and period, the published fields, the events."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from decimal import Decimal

import pytest

from etax.errors import Invalid
from etax.platform.outbox import Change
from etax.violators import criteria as listing
from etax.violators import publication
from etax.violators.criteria import Facts
from etax.violators.outbox import LISTED, REMOVED, event_for
from etax.violators.requests import FactsIn
from etax.violators.results import PublishedEntry, ResponsibleShown

YUAN = 100  # fen
CRITERIA = listing.in_force(date(2026, 11, 1))


@pytest.mark.parametrize(("facts", "met"), [
    (Facts(evaded=1_000_000 * YUAN, tax_due=10_000_000 * YUAN), ("EVASION",)),  # exactly 10 %
    (Facts(evaded=1_000_000 * YUAN, tax_due=10_000_001 * YUAN), ()),  # under 10 %
    (Facts(evaded=999_999 * YUAN, tax_due=2_000_000 * YUAN), ()),  # under 1,000,000
    (Facts(evaded=2_000_000 * YUAN), ()),  # no year's tax: no share
    (Facts(withheld_not_remitted=1_000_000 * YUAN), ("WITHHELD_NOT_REMITTED",)),
    (Facts(arrears_hidden=1_000_000 * YUAN), ("ARREARS_ASSETS_HIDDEN",)),
    (Facts(export_refund_fraud=True), ("EXPORT_REFUND_FRAUD",)),
    (Facts(violent_refusal=True), ("VIOLENT_REFUSAL",)),
    (Facts(false_special_invoices=1), ("FALSE_SPECIAL_INVOICES",)),
    (Facts(false_ordinary_invoices=100), ("FALSE_ORDINARY_INVOICES",)),
    (Facts(false_ordinary_invoices=99), ()),
    (Facts(false_ordinary_amount=4_000_000 * YUAN), ("FALSE_ORDINARY_INVOICES",)),
    (Facts(false_ordinary_amount=4_000_000 * YUAN - 1), ()),
    (Facts(forged_invoices=True), ("FORGED_INVOICES",)),
    (Facts(absconded=True), ("ABSCONDED",)),
    (Facts(assisted_loss=1_000_000 * YUAN), ("ASSISTED_LOSS",)),
    (Facts(agent_loss=1_000_000 * YUAN), ("AGENT_LOSS",)),
    (Facts(false_special_invoices=3, violent_refusal=True),
     ("VIOLENT_REFUSAL", "FALSE_SPECIAL_INVOICES")),
])
def test_the_criteria_are_checked_as_data(facts: Facts, met: tuple[str, ...]) -> None:
    assert CRITERIA.check(facts) == met


def test_a_case_under_every_threshold_is_refused_naming_the_nearest_criterion() -> None:
    facts = Facts(evaded=900_000 * YUAN, tax_due=1_000_000 * YUAN, false_ordinary_invoices=20)
    with pytest.raises(Invalid) as refused:
        CRITERIA.require_listed(facts)
    assert refused.value.field == "facts.evaded"
    assert refused.value.extra["criterion"] == "EVASION"
    assert "EVASION" in refused.value.detail
    assert "1000000.00 yuan" in refused.value.detail

    with pytest.raises(Invalid) as ordinary:
        CRITERIA.require_listed(Facts(false_ordinary_invoices=90,
                                      false_ordinary_amount=100 * YUAN))
    assert ordinary.value.field == "facts.false_ordinary_invoices"
    assert ordinary.value.extra["criterion"] == "FALSE_ORDINARY_INVOICES"


def test_the_share_condition_is_named_when_the_amount_is_reached() -> None:
    with pytest.raises(Invalid) as refused:
        CRITERIA.require_listed(Facts(evaded=1_500_000 * YUAN, tax_due=30_000_000 * YUAN))
    assert refused.value.field == "facts.evaded"
    assert "evaded / tax_due ≥ 0.10" in refused.value.detail


def test_decisions_before_the_order_are_refused() -> None:
    with pytest.raises(Invalid) as refused:
        listing.in_force(date(2022, 1, 31))
    assert refused.value.field == "served_on"


def test_the_request_facts_are_fen() -> None:
    facts = FactsIn.model_validate({"evaded": "1000000.01", "false_ordinary_invoices": 3}).facts()
    assert facts.evaded == 100_000_001
    assert facts.false_ordinary_invoices == 3
    assert isinstance(facts.evaded, int)


@pytest.mark.parametrize(("served", "due"), [
    (date(2026, 1, 1), date(2026, 2, 15)),
    (date(2026, 1, 31), date(2026, 2, 15)),
    (date(2026, 2, 28), date(2026, 3, 15)),
    (date(2024, 2, 29), date(2024, 3, 15)),
    (date(2026, 11, 30), date(2026, 12, 15)),
    (date(2026, 12, 1), date(2027, 1, 15)),
    (date(2026, 12, 31), date(2027, 1, 15)),
])
def test_the_deadline_is_the_fifteenth_of_the_next_month(served: date, due: date) -> None:
    assert publication.deadline(served) == due


def test_the_publication_day_is_the_approval_day_late_or_not() -> None:
    served = date(2026, 10, 20)
    assert publication.publication_day(date(2026, 11, 15), served) == (date(2026, 11, 15), False)
    assert publication.publication_day(date(2026, 11, 16), served) == (date(2026, 11, 16), True)
    with pytest.raises(Invalid):
        publication.publication_day(date(2026, 10, 19), served)


@pytest.mark.parametrize(("listed", "end"), [
    (date(2026, 12, 4), date(2029, 12, 4)),
    (date(2024, 2, 29), date(2027, 2, 28)),
    (date(2026, 12, 31), date(2029, 12, 31)),
])
def test_the_period_is_three_years(listed: date, end: date) -> None:
    assert publication.period_end(listed) == end


def test_the_published_id_hides_the_birth_date() -> None:
    assert publication.masked_id("350102199003071234") == "350102********1234"
    assert publication.masked_id("short") == "*****"


def test_removal_reasons_are_data() -> None:
    assert "缴清" in publication.removal_reason("paid_in_full")
    with pytest.raises(Invalid) as unknown:
        publication.removal_reason("asked_nicely")
    assert unknown.value.field == "reason"


def test_the_published_fields_are_a_whitelist() -> None:
    assert [f.name for f in fields(PublishedEntry)] == [
        "id", "name", "credit_code", "address", "responsible", "facts", "grounds",
        "legal_basis", "penalty", "inspecting_office", "listed_on", "period_ends_on"]
    assert [f.name for f in fields(ResponsibleShown)] == ["name", "id_number"]


def _case(state: str, **more: object) -> dict[str, object]:
    return {"id": "c1", "kind": "case", "state": state, "credit_code": "91350100MA2R7M8X1X",
            "listed_on": "2026-12-04", **more}


def test_a_listing_and_a_removal_are_announced_once() -> None:
    listed = event_for(Change("MODIFY", _case("published"), _case("pending")))
    assert listed is not None
    assert listed.detail_type == LISTED
    assert listed.detail == {"case_id": "c1", "credit_code": "91350100MA2R7M8X1X",
                             "listed_on": "2026-12-04"}
    removed = event_for(Change("MODIFY", _case("removed", removed_on="2029-12-04"),
                               _case("published")))
    assert removed is not None
    assert removed.detail_type == REMOVED
    assert removed.detail == {"case_id": "c1", "credit_code": "91350100MA2R7M8X1X",
                              "removed_on": "2029-12-04"}
    assert event_for(Change("INSERT", _case("pending"))) is None
    assert event_for(Change("MODIFY", _case("published"), _case("published"))) is None
    assert event_for(Change("INSERT", {"id": "a1", "kind": "announcement"})) is None


def test_shares_are_decimal() -> None:
    condition = CRITERIA.criteria[0].any_of[0][1]
    assert condition.share_at_least == Decimal("0.10")
