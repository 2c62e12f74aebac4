"""The service guide (etax.guide): the steps and this month's deadline from filing's calendar,
figures from the rule versions in force on the day, and the data kept in step with the rules,
routes, pages and sources it cites."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from etax.calculators import departure_refund, vat
from etax.calculators.common import InputError
from etax.calculators.iit.rules import rules as iit_rules
from etax.filing import deadlines as calendar
from etax.guide import navigator
from etax.guide.figures import SOURCES
from etax.supply import rules as supply

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "layers" / "shared" / "python" / "etax" / "platform" / "openapi.json"


def test_a_small_scale_monthly_return_has_its_steps_and_this_month_deadline() -> None:
    guide = navigator.guide("small_scale", "vat-monthly-return", date(2026, 12, 6))
    assert guide.title == "增值税按月申报"
    assert [s.number for s in guide.steps] == [1, 2, 3, 4, 5]
    assert [s.route for s in guide.steps] == [
        "GET /v1/filing/obligations", "POST /v1/tools/vat",
        "POST /v1/filing/obligations/{obligation_id}/return",
        "POST /v1/filing/obligations/{obligation_id}/payments",
        "GET /v1/filing/payments/{payment_id}/receipt"]
    [deadline] = guide.deadlines
    expected = calendar.deadline("vat", "2026-11")
    assert (deadline.period, deadline.due_date) == ("2026-11", expected.due_date.isoformat())
    assert (deadline.this_month, deadline.state, deadline.days_left) == (True, "open", 9)
    assert deadline.opens == "2026-12-01"
    # the relief of 2023 No. 19, in force on the day, quoted and cited
    assert "月销售额不超过100,000元的免征增值税，超过的征收率由3%减按1%计算缴纳" in (
        guide.steps[1].detail)
    assert "0.05%" in guide.steps[0].detail
    assert [r.table for r in guide.rules] == ["vat.small_scale", "filing.surcharge"]
    assert guide.rules[0].effective_from == "2023-08-01"


def test_a_holiday_extends_the_deadline_the_guide_gives() -> None:
    on = date(2026, 10, 9)  # the National Day holiday block is in October's filing period
    [deadline] = navigator.guide("general", "vat-monthly-return", on).deadlines
    expected = calendar.deadline("vat", "2026-09")
    assert expected.how == "holiday_block"
    assert deadline.due_date == expected.due_date.isoformat()
    assert deadline.extended_by_days == expected.extended_by_days > 0
    assert deadline.how == "holiday_block"


def test_after_this_month_deadline_the_next_one_is_given_too() -> None:
    passed, following = navigator.guide("small_scale", "vat-monthly-return",
                                        date(2026, 12, 20)).deadlines
    assert (passed.period, passed.state, passed.this_month, passed.days_left) == (
        "2026-11", "passed", True, -5)
    assert (following.period, following.state, following.this_month) == (
        "2026-12", "not_yet_open", False)
    assert following.opens == "2027-01-01"
    due = navigator.guide("small_scale", "vat-monthly-return", date(2026, 12, 15)).deadlines
    assert [d.state for d in due] == ["due_today"]


def test_quarterly_filers_have_no_deadline_in_a_quarter_middle_month() -> None:
    [next_one] = navigator.guide("small_scale", "vat-quarterly-return",
                                 date(2026, 12, 6)).deadlines
    assert (next_one.period, next_one.this_month, next_one.state) == (
        "2026-Q4", False, "not_yet_open")
    [october] = navigator.guide("small_scale", "vat-quarterly-return",
                                date(2026, 10, 9)).deadlines
    assert (october.period, october.this_month, october.state) == ("2026-Q3", True, "open")
    assert october.due_date == calendar.deadline("vat", "2026-Q3").due_date.isoformat()


def test_the_annual_reconciliation_window_opens_on_1_march() -> None:
    [within] = navigator.guide("natural_person", "iit-annual-reconciliation",
                               date(2026, 4, 1)).deadlines
    assert (within.period, within.opens, within.state) == ("2025", "2026-03-01", "open")
    assert within.due_date == calendar.deadline("iit_annual", "2025").due_date.isoformat()
    [before] = navigator.guide("natural_person", "iit-annual-reconciliation",
                               date(2026, 12, 6)).deadlines
    assert (before.period, before.opens, before.state) == ("2026", "2027-03-01", "not_yet_open")
    assert not before.calendar_known  # 2027's holidays are not in the data yet: said so


def test_a_figure_changes_on_the_day_its_rule_does() -> None:
    before = navigator.guide("overseas_visitor", "departure-refund", date(2025, 4, 26))
    after = navigator.guide("overseas_visitor", "departure-refund", date(2025, 4, 27))
    assert "达到500元" in before.steps[1].detail
    assert "不超过10,000元" in before.steps[3].detail
    assert "达到200元" in after.steps[1].detail
    assert "不超过20,000元" in after.steps[3].detail
    assert [r.effective_from for r in after.rules] == ["2025-04-27"]
    assert before.deadlines == []
    relief_ends = navigator.guide("small_scale", "vat-monthly-return", date(2028, 1, 3))
    assert "按3%征收率计算缴纳，没有免征额" in relief_ends.steps[1].detail
    assert relief_ends.rules[0].effective_from == "2028-01-01"


def _rule_change_days() -> list[date]:
    """Each day a rule the guide cites takes a new version, and the day before."""
    days = {entry.effective_from for entry in vat.rules().small_scale.entries}
    days |= {entry.effective_from for entry in departure_refund.rules().entries}
    days |= {entry.effective_from for entry in iit_rules().annual_settlement_exemption.entries}
    days |= {policy.effective_from for policy in supply.POLICIES}
    return sorted(days | {d - timedelta(days=1) for d in days} | {date(2026, 12, 6)})


@pytest.mark.parametrize("on", _rule_change_days(), ids=str)
def test_every_placeholder_is_filled_on_every_day_a_cited_rule_changes(on: date) -> None:
    refused: list[str | None] = []
    for matter in navigator.content()["matters"]:
        for taxpayer_type in matter["taxpayer_types"]:
            try:
                guide = navigator.guide(taxpayer_type, matter["id"], on)
            except InputError as error:  # a rule the matter cites has no version that day
                refused.append(error.field)
                continue
            texts = [guide.summary] + [s.detail for s in guide.steps]
            assert not [t for t in texts if "{" in t or "}" in t], matter["id"]
    assert set(refused) <= {"on"}


def test_the_data_names_only_known_figures_types_and_channels() -> None:
    data = navigator.content()
    for matter in data["matters"]:
        assert set(matter["figures"]) <= set(SOURCES), matter["id"]
        assert set(matter["taxpayer_types"]) <= set(data["taxpayer_types"]), matter["id"]
        for step in matter["steps"]:
            assert set(step["channels"]) <= set(data["channels"]), matter["id"]
        if matter["deadline"]:
            spec = matter["deadline"]
            rule = calendar.rule_for(spec["tax_type"], calendar.parse_period(
                {"monthly": "2026-11", "quarterly": "2026-Q3", "annual": "2026"}[
                    spec["periodicity"]]))
            assert spec["periodicity"] in rule["periodicity"], matter["id"]
        date.fromisoformat(matter["revised"])
    ids = [m["id"] for m in data["matters"]]
    assert len(ids) == len(set(ids))


def test_every_route_is_one_of_the_api_and_every_page_one_of_the_portal() -> None:
    paths = json.loads(OPENAPI.read_text("utf-8"))["paths"]
    routes = {f"{method.upper()} {path}" for path, operations in paths.items()
              for method in operations}
    pages = {f"/{p.name}" for p in (ROOT / "portal" / "pages").glob("*.html")}
    for matter in navigator.content()["matters"]:
        for step in matter["steps"]:
            assert step["route"] is None or step["route"] in routes, step["route"]
            assert step["page"] is None or step["page"] in pages, step["page"]


def test_every_source_is_an_anchor_of_the_sources_page() -> None:
    text = (ROOT / "docs" / "sources.md").read_text("utf-8")
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', text))
    for matter in navigator.content()["matters"]:
        for source in matter["sources"]:
            page, _, anchor = source.partition("#")
            assert page == "docs/sources.md", source
            assert anchor in anchors, source


def test_the_catalogue_lists_a_type_matters() -> None:
    everything = navigator.catalogue(None)
    assert len(everything.matters) == len(navigator.content()["matters"])
    visitor = navigator.catalogue("overseas_visitor")
    assert [(m.id, m.has_deadline) for m in visitor.matters] == [("departure-refund", False)]
    assert {m.id for m in navigator.catalogue("natural_person").matters} == {
        "iit-annual-reconciliation", "vehicle-vessel-tax"}


@pytest.mark.parametrize(("taxpayer_type", "matter", "field", "says"), [
    ("company", "vat-monthly-return", "taxpayer_type", "one of: small_scale"),
    (None, "vat-monthly-return", "taxpayer_type", "depend on the taxpayer type"),
    ("small_scale", "lunch", "matter", "no such matter; the matters of small_scale: "),
    ("natural_person", "vat-monthly-return", "matter", "not a matter of natural_person"),
])
def test_a_type_or_matter_the_guide_does_not_have_is_named(
        taxpayer_type: str | None, matter: str, field: str, says: str) -> None:
    with pytest.raises(InputError) as refused:
        navigator.guide(taxpayer_type, matter, date(2026, 12, 6))
    assert refused.value.field == field
    assert says in str(refused.value)
    with pytest.raises(InputError):
        navigator.catalogue("company")


@pytest.mark.parametrize("text", ["2026-13-01", "20261206", "tomorrow", "2026-12-6",
                                  "２０２６-12-06", "0001-01-01", "9999-12-31", "1999-12-31"])
def test_a_day_not_written_as_a_date_is_named(text: str) -> None:
    with pytest.raises(InputError) as refused:
        navigator.day(text, date(2026, 12, 6))
    assert refused.value.field == "on"


def test_a_day_before_the_rules_on_record_is_named() -> None:
    assert navigator.day(None, date(2026, 12, 6)) == date(2026, 12, 6)
    with pytest.raises(InputError) as refused:
        navigator.guide("overseas_visitor", "departure-refund", date(2010, 1, 1))
    assert refused.value.field == "on"


@pytest.mark.parametrize("on", [date(2000, 1, 1), date(2099, 12, 31)], ids=str)
def test_the_first_and_last_days_answer_or_name_the_day(on: date) -> None:
    """Every matter on the bounds of ``on``: an answer, or a 422 naming ``on`` (no rule on
    record that day), never an error of the calendar's arithmetic."""
    for matter in navigator.content()["matters"]:
        for taxpayer_type in matter["taxpayer_types"]:
            try:
                navigator.guide(taxpayer_type, matter["id"], on)
            except InputError as error:
                assert error.field == "on"  # noqa: PT017 (the other outcome is an answer)
