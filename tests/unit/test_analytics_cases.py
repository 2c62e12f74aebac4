"""The watch-list's rules (etax.analytics.cases): stable, opaque case ids; the words a
taxpayer is warned in; one verdict a case; the precision; the month a scheduled run takes."""

from __future__ import annotations

from datetime import date

import pytest

from etax.analytics import cases
from etax.analytics.risk import Warning
from etax.errors import StateChanged

TAXPAYER = "91350100MA2Y8KXX1B"


def warning(indicator: str, figures: dict[str, object], office: str | None = "13501000000"
            ) -> Warning:
    return Warning(indicator, TAXPAYER, "2026-10", "零售业", office, figures, {})


def test_a_case_id_is_stable_names_month_and_office_and_hides_the_taxpayer() -> None:
    first = cases.case_id("2026-10", "13501000000", "invoicing-spike", TAXPAYER)
    assert first == cases.case_id("2026-10", "13501000000", "invoicing-spike", TAXPAYER)
    assert first != cases.case_id("2026-10", "13501000000", "burden-below-industry", TAXPAYER)
    assert first.startswith("2026-10.13501000000.")
    assert TAXPAYER not in first
    assert cases.parse_case_id(first) == ("2026-10", "13501000000", first[-16:])
    assert cases.case_id("2026-10", None, "invoicing-spike", TAXPAYER).split(".")[1] == "none"
    for bad in ("", "2026-13.1.0123456789abcdef", "2026-10.1.0123", "2026-10..0123456789abcdef",
                "2026-10.1.0123456789abcdef.x", "2026-10.１.0123456789abcdef"):
        assert cases.parse_case_id(bad) is None
    assert len(cases.warning_id_of(first)) == 32
    assert cases.warning_id_of(first) != cases.warning_id_of(first.replace("2026-10", "2026-09"))


@pytest.mark.parametrize(("fen", "shown"), [(0, "0.00"), (5, "0.05"), (123_456_789, "1,234,567.89"),
                                            (-100, "-1.00")])
def test_amounts_read_in_yuan(fen: int, shown: str) -> None:
    assert cases.yuan(fen) == shown


def test_each_indicator_warns_in_its_own_words_with_its_figures() -> None:
    nil = cases.words(warning("zero-return-while-invoicing", {
        "declared_sales_fen": 0, "tax_due_fen": 0, "invoiced_fen": 226_000, "invoices": 3}))
    assert nil.topic == "filing"
    assert "2026年10月" in nil.title
    assert "发票3张，金额合计2,260.00元" in nil.detail
    spike = cases.words(warning("invoicing-spike", {
        "invoiced_fen": 40_000_000, "invoices": 1, "mean_before_fen": 4_000_000,
        "growth": "10.0000"}))
    assert spike.topic == "invoice"
    assert "月均40,000.00元的10.0000倍" in spike.detail
    low = cases.words(warning("burden-below-industry", {
        "burden": "0.0050", "industry_mean": "0.0250", "peers": 5,
        "declared_sales_fen": 1_000_000, "tax_due_fen": 5_000}))
    assert "税负率为0.50%" in low.detail
    assert "同行业5户纳税人的平均税负率为2.50%" in low.detail
    ring = cases.words(warning("circular-invoicing", {
        "enterprises": 3, "chains": 1, "invoiced_fen": 12_000_000, "received_fen": 10_500_000}))
    assert ring.topic == "invoice"
    assert "与其他2户企业之间的发票开具形成闭环" in ring.detail
    assert "开具发票120,000.00元" in ring.detail
    assert "取得发票105,000.00元" in ring.detail
    top = cases.words(warning("invoicing-at-quota", {
        "invoiced_fen": 9_600_000, "invoices": 2, "quota_fen": 10_000_000, "share": "0.9600"}))
    assert top.topic == "invoice"
    assert "占月度开票额度100,000.00元的96.00%" in top.detail
    quarterly = cases.words(warning("zero-return-while-invoicing", {
        "period": "2026-Q3", "declared_sales_fen": 0, "tax_due_fen": 0, "invoiced_fen": 51_500,
        "invoices": 2}))
    assert quarterly.title == "风险提示：2026年第3季度申报销售额为零，但当季开具了发票"
    assert "当季开具发票2张，金额合计515.00元" in quarterly.detail
    over = cases.words(warning("small-scale-over-threshold", {
        "invoiced_amount_fen": 552_000_000, "standard_fen": 500_000_000,
        "first_month": "2025-11", "months": {}, "taxpayer_type": "small_scale"}))
    assert over.topic == "registration"
    assert "2025年11月至2026年10月连续12个月开具发票金额（不含税）合计5,520,000.00元" in (
        over.detail)
    assert "5,000,000.00元的小规模纳税人标准" in over.detail
    unmatched = cases.words(warning("goods-sold-never-bought", {
        "categories": [{"category": "10701", "sold_fen": 12_000_000},
                       {"category": "10903", "sold_fen": 10_000_000}],
        "sold_fen": 22_000_000, "first_month": "2025-11"}))
    assert unmatched.topic == "invoice"
    assert "2025年11月至2026年10月未取得同类货物的进货发票：10701（120,000.00元）、" \
           "10903（100,000.00元）" in unmatched.detail
    assert "不含税金额合计220,000.00元" in unmatched.detail
    with pytest.raises(ValueError, match="no words"):
        cases.words(warning("an-indicator-unknown", {}))


def test_a_case_carries_its_warning_and_is_announced_without_figures_of_others() -> None:
    found = warning("invoicing-spike", {"invoiced_fen": 1, "invoices": 1, "mean_before_fen": 1,
                                        "growth": "3.0000"})
    case = cases.case_of(found, "2026-11-20T19:00:00Z")
    assert case["warning_id"] == cases.warning_id_of(case["id"])
    said = cases.announcement(case, found)
    assert said["case_id"] == case["id"]
    assert said["taxpayer"] == TAXPAYER
    assert "figures" not in said


def test_a_verdict_is_given_once() -> None:
    cases.ensure_undecided({"id": "c"})
    with pytest.raises(StateChanged) as refused:
        cases.ensure_undecided({"id": "c", "verdict": "confirmed"})
    assert refused.value.field == "verdict"


@pytest.mark.parametrize(("confirmed", "alarms", "shown"), [
    (0, 0, None), (1, 0, "1.0000"), (0, 3, "0.0000"), (2, 1, "0.6667"), (1, 7, "0.1250")])
def test_the_precision_is_the_confirmed_share_of_the_judged(confirmed: int, alarms: int,
                                                             shown: str | None) -> None:
    assert cases.precision(confirmed, alarms) == shown
    assert cases.precision_of("x", {"confirmed": confirmed, "false_alarm": alarms}) == {
        "verdicts": {"confirmed": confirmed, "false_alarm": alarms}, "precision": shown}


@pytest.mark.parametrize(("today", "month"), [
    ("2026-12-06", "2026-10"),  # November's returns are due on 15 December
    ("2026-11-16", "2026-09"),  # October's: 15 November is a Sunday, due on Monday the 16th
    ("2026-11-17", "2026-10"),
    ("2026-10-22", "2026-08"),  # September's: the National Day holidays extend it to the 22nd
    ("2026-10-23", "2026-09"),
    ("2026-01-01", "2025-11"),
])
def test_a_scheduled_run_takes_the_newest_month_whose_returns_fell_due(today: str,
                                                                        month: str) -> None:
    assert cases.due_month(date.fromisoformat(today)) == month


def test_a_case_of_a_pseudonymous_taxpayer_is_opened_but_announced_to_no_one() -> None:
    """The store keeps a natural person as a pseudonym: the case is on the watch-list, and no
    announcement carries an address the outreach board could not use (it would be poisoned)."""
    from datetime import UTC, datetime

    from etax.analytics.watchlist import Watchlist

    class Cases:
        def __init__(self) -> None:
            self.opened: list[str] = []

        def open(self, case: dict[str, object]) -> bool:
            self.opened.append(str(case["taxpayer"]))
            return True

        def announced(self, identifier: str) -> None:
            raise AssertionError("nothing announced")

        def record_run(self, month: str, values: dict[str, object]) -> None:
            pass

    sent: list[object] = []

    class Bus:
        def publish(self, events: list[object]) -> None:
            sent.extend(events)

    stored = Cases()
    person = Warning("invoicing-spike", "p:0123456789abcdef01234567", "2026-10", None,
                     "13501000000", {"invoiced_fen": 1, "invoices": 1, "mean_before_fen": 1,
                                     "growth": "3.0000"}, {})
    done = Watchlist(stored, Bus(), lambda: datetime(2026, 11, 20, tzinfo=UTC)).run(  # type: ignore[arg-type]
        "2026-10", [person])
    assert (done.opened, done.announced, sent) == (1, 0, [])
    assert stored.opened == ["p:0123456789abcdef01234567"]
