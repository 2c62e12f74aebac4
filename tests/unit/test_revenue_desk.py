"""The revenue desk's pure parts: a plan's progress in basis points against the time
progress (序时进度), and the SVG charts (docs/analytics.md#the-revenue-desk)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from etax.analytics import charts, plans, queries
from etax.analytics.desk import checked_office, checked_year, percent
from etax.errors import Invalid

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(("part", "whole", "bp"), [
    (1, 3, 3333), (2, 3, 6667), (1, 8, 1250), (479_000, 1_100_000, 4355),
    (0, 5, 0), (7, 7, 10_000), (3, 2, 15_000), (-1, 4, -2500), (5, 0, None),
])
def test_basis_points_round_half_up_and_none_of_nothing(part: int, whole: int,
                                                        bp: int | None) -> None:
    assert plans.basis_points(part, whole) == bp


@pytest.mark.parametrize(("year", "day", "gone"), [
    (2026, date(2026, 1, 1), (1, 365)), (2026, date(2026, 12, 31), (365, 365)),
    (2028, date(2028, 3, 1), (61, 366)),  # a leap year: 31 + 29 + 1
    (2026, date(2025, 12, 31), (0, 365)), (2026, date(2027, 1, 5), (365, 365)),
])
def test_the_time_progress_counts_the_day_asked(year: int, day: date,
                                                gone: tuple[int, int]) -> None:
    assert plans.time_progress(year, day) == gone


def test_an_office_behind_its_time_progress_has_a_negative_gap() -> None:
    shown = plans.progress("13501000000", {"vat": 1_000_000, "iit_annual": 100_000},
                           {"vat": 470_000, "iit_annual": 9_000, "vehicle_vessel": 500},
                           335, 365, revision=2, set_at="2026-02-01T00:00:00Z")
    assert (shown.plan_fen, shown.collected_fen) == (1_100_000, 479_500)
    assert shown.progress_bp == 4359
    assert shown.expected_fen == 1_100_000 * 335 // 365 == 1_009_589
    assert shown.gap_fen == 479_500 - 1_009_589
    by_tax = {t.tax: t for t in shown.taxes}
    assert (by_tax["vat"].plan_fen, by_tax["vat"].progress_bp) == (1_000_000, 4700)
    # collected in a tax the plan does not name: shown, with no plan and no progress
    assert (by_tax["vehicle_vessel"].plan_fen, by_tax["vehicle_vessel"].progress_bp) == (None,
                                                                                        None)


def test_an_office_without_a_plan_shows_what_it_collected() -> None:
    shown = plans.progress("13502000000", None, {"vat": 70_000}, 100, 365)
    assert (shown.plan_fen, shown.progress_bp, shown.gap_fen, shown.collected_fen) == (
        None, None, None, 70_000)


def test_the_collected_rows_sum_by_office_and_tax() -> None:
    rows = [("a", "vat", 2, 100), ("a", "iit_annual", 1, 5), ("b", "vat", 1, None)]
    assert plans.by_office(rows) == {"a": {"vat": 100, "iit_annual": 5}, "b": {"vat": 0}}


@pytest.mark.parametrize(("bp", "text"), [(4355, "43.55%"), (0, "0.00%"), (10_000, "100.00%"),
                                          (-250, "-2.50%"), (None, "—")])
def test_percentages_are_written_from_basis_points(bp: int | None, text: str) -> None:
    assert percent(bp) == text


@pytest.mark.parametrize("year", ["1999", "2100", "26", "２０２６", "2026 ", ""])
def test_a_year_out_of_range_is_refused_naming_it(year: str) -> None:
    with pytest.raises(Invalid) as refused:
        checked_year(year)
    assert refused.value.field == "year"


@pytest.mark.parametrize("office", ["1350100000", "135010000001", "1350100000x", "１3501000000"])
def test_an_office_code_is_eleven_digits(office: str) -> None:
    with pytest.raises(Invalid) as refused:
        checked_office(office)
    assert refused.value.field == "office"


def _parsed(document: str) -> ET.Element:
    return ET.fromstring(document)  # noqa: S314 (our own document, in a test)


def test_a_chart_is_svg_with_a_bar_a_row_and_its_value() -> None:
    drawn = charts.bar_chart("税收收入", "office 13501000000", [
        charts.Bar("增值税", 470_000, "4700.00"), charts.Bar("车船税", 500, "5.00")])
    root = _parsed(drawn)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    bars = root.findall(f"{SVG}rect")[1:]  # the first is the background
    assert len(bars) == 2
    widths = [float(b.get("width", "0")) for b in bars]
    assert widths[0] > widths[1] * 100  # proportional, the smallest still visible (1 px)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "增值税" in texts
    assert "4700.00" in texts


def test_a_chart_escapes_what_comes_from_data() -> None:
    drawn = charts.bar_chart('<script>alert("x")</script>', "a & b",
                             [charts.Bar("</text><script>", 1, '"quoted" & <b>')])
    assert "<script>" not in drawn
    root = _parsed(drawn)  # still well-formed
    assert root.find(f"{SVG}title") is not None
    assert any("&" in (t.text or "") for t in root.iter(f"{SVG}text"))


def test_a_negative_bar_grows_left_of_zero_and_the_marker_is_drawn() -> None:
    drawn = charts.bar_chart("movements", "", [charts.Bar("a", 200, "+2.00"),
                                               charts.Bar("b", -100, "-1.00")],
                             marker=(50, "序时进度 50.00%"))
    root = _parsed(drawn)
    up, down = root.findall(f"{SVG}rect")[1:]
    assert float(down.get("x", "0")) < float(up.get("x", "0"))  # starts left of the axis
    assert down.get("fill") == charts.NEGATIVE
    lines = root.findall(f"{SVG}line")
    assert len(lines) == 2  # the zero axis and the marker
    assert "序时进度 50.00%" in [t.text for t in root.iter(f"{SVG}text")]


def test_an_empty_chart_says_so_and_a_long_one_says_what_is_not_drawn() -> None:
    assert "no revenue" in charts.bar_chart("t", "s", [], empty="no revenue")
    many = [charts.Bar(f"k{n}", n, str(n)) for n in range(charts.MAX_BARS + 5)]
    root = _parsed(charts.bar_chart("t", "s", many))
    assert len(root.findall(f"{SVG}rect")) == 1 + charts.MAX_BARS
    assert "5 more not drawn" in [t.text for t in root.iter(f"{SVG}text")]


def test_the_industry_grouping_joins_each_payer_s_newest_registration() -> None:
    text = queries.revenue("industry", office=True)
    assert "LEFT JOIN" in text
    assert "ORDER BY revision DESC" in text
    assert "FROM taxpayers" not in queries.revenue("tax", office=False)


def test_a_long_label_is_cut_by_its_width_not_its_length() -> None:
    root = _parsed(charts.bar_chart("t", "s", [
        charts.Bar("软件和信息技术服务业", 1, "x"), charts.Bar("零售业", 1, "y"),
        charts.Bar("a" * 40, 1, "z")]))
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    assert labels == ["软件和信息技术服…", "零售业", "a" * 17 + "…"]
    # the whole label stays in the bar's tooltip
    assert "软件和信息技术服务业: x" in [t.text for t in root.iter(f"{SVG}title")]


def test_an_instant_is_written_in_utc_with_a_z() -> None:
    from datetime import datetime, timedelta, timezone

    from etax.rules.dates import utc_stamp

    moment = datetime(2026, 12, 6, 22, 57, 3, 456789, tzinfo=timezone(timedelta(hours=8)))
    assert utc_stamp(moment) == "2026-12-06T14:57:03Z"
    assert utc_stamp(moment, "milliseconds") == "2026-12-06T14:57:03.456Z"
