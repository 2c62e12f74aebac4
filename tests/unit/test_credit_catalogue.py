"""The credit indicator catalogue (etax/credit/data/indicators.json): every entry checked when
loaded, and the shipped one valid — unique codes, known kinds, dates ordered, points positive,
a source for each."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from etax.credit.catalogue import COUNTINGS, DIRECT, KINDS, Catalogue, catalogue_from_dict
from etax.errors import Fault
from etax.platform.data import load

SHIPPED = Catalogue.shipped()
REQUIRED = {"FILING_LATE", "PAYMENT_LATE", "SURCHARGE_UNPAID", "INVOICE_RED_LETTER_PATTERN",
            "INVOICE_VOIDED_PATTERN", "REFUND_REFUSED", "D_SERIOUS_VIOLATOR", "D_EVASION",
            "D_DECISION_UNPAID", "D_VIOLENT_REFUSAL", "D_INVOICE_VIOLATION",
            "D_FALSE_INCENTIVE_CLAIM", "D_ABNORMAL_HOUSEHOLD"}


def test_the_shipped_catalogue_is_valid() -> None:
    codes = [i.code for i in SHIPPED.indicators]
    assert len(codes) == len(set(codes))
    assert set(codes) >= REQUIRED
    for indicator in SHIPPED.indicators:
        assert indicator.kind in KINDS
        assert indicator.counting in COUNTINGS
        assert indicator.valid_to is None or indicator.valid_from <= indicator.valid_to
        assert indicator.source.strip()
        assert indicator.description.strip()
        if indicator.direct:
            assert indicator.points == 0
            assert indicator.d_repair_wait_months in (3, 6, 12)
        elif indicator.counting == "per_amount_band":
            assert indicator.bands
            assert all(b.points > 0 for b in indicator.bands)
        else:
            assert indicator.points > 0
    assert {i.kind for i in SHIPPED.indicators} == set(KINDS)


def test_choices_are_marked_and_every_source_cites_an_entry() -> None:
    for indicator in SHIPPED.indicators:
        assert "sources.md#credit" in indicator.source, indicator.code
    assert "choice" in SHIPPED.by_code("INVOICE_RED_LETTER_PATTERN").source
    assert "choice" in SHIPPED.by_code("SURCHARGE_UNPAID").source


def test_late_filing_is_per_return_to_june_2025_then_per_month() -> None:
    old, new = SHIPPED.by_code("FILING_LATE_2014"), SHIPPED.by_code("FILING_LATE")
    assert (old.counting, new.counting) == ("per_occurrence", "per_month")
    assert old.valid_on(date(2025, 6, 30))
    assert not old.valid_on(date(2025, 7, 1))
    assert new.valid_on(date(2025, 7, 1))
    assert not new.valid_on(date(2025, 6, 30))


def test_starting_scores_by_date() -> None:
    scores = SHIPPED.starting_on(date(2025, 12, 31))
    assert scores is not None
    assert (scores.complete, scores.recurring_complete, scores.otherwise) == (100, 93, 90)
    assert SHIPPED.starting_on(date(2024, 12, 31)) is None


def test_amount_bands() -> None:
    surcharge = SHIPPED.by_code("SURCHARGE_UNPAID")
    assert [surcharge.band_points(f) for f in (0, 1, 999_999, 1_000_000, 9_999_999,
                                               10_000_000)] == [0, 3, 3, 5, 5, 11]


def _broken(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(load("etax.credit", "indicators"))
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(("path", "value", "field"), [
    (("indicators", 1, "code"), "FILING_LATE_2014", "indicators[1].code"),
    (("indicators", 2, "kind"), "lottery", "indicators[2].kind"),
    (("indicators", 2, "counting"), "per_fortnight", "indicators[2].counting"),
    (("indicators", 0, "valid_to"), "2014-09-30", "indicators[0].valid_to"),
    (("indicators", 0, "valid_from"), "someday", "indicators[0].valid_from"),
    (("indicators", 2, "points"), 0, "indicators[2].points"),
    (("indicators", 2, "points"), -5, "indicators[2].points"),
    (("indicators", 2, "points"), 2.5, "indicators[2].points"),
    (("indicators", 2, "source"), " ", "indicators[2].source"),
    (("indicators", 2, "source"), KeyError, "indicators[2].source"),
    (("indicators", 2, "repairable"), "yes", "indicators[2].repairable"),
    (("indicators", 3, "bands", 1, "from_fen"), 1, "indicators[3].bands"),
    (("indicators", 4, "threshold"), 0, "indicators[4].threshold"),
    (("indicators", 7, "points"), 5, "indicators[7].points"),
    (("indicators", 7, "d_repair_wait_months"), KeyError,
     "indicators[7].d_repair_wait_months"),
    (("indicators",), [], "indicators"),
    (("starting_scores",), [], "starting_scores"),
    (("starting_scores", 0, "complete"), 101, "starting_scores[0]"),
    (("starting_scores", 0, "otherwise"), 95, "starting_scores[0]"),
])
def test_a_broken_entry_is_refused_naming_it(path: tuple[Any, ...], value: Any,
                                             field: str) -> None:
    with pytest.raises(Fault) as refused:
        catalogue_from_dict(_broken(path, value))
    assert refused.value.field == field


def test_direct_countings_are_the_direct_ones() -> None:
    assert {i.code for i in SHIPPED.indicators if i.counting in DIRECT} == {
        c for c in REQUIRED if c.startswith("D_")}
    with pytest.raises(Fault) as unknown:
        SHIPPED.by_code("NO_SUCH")
    assert unknown.value.field == "code"
