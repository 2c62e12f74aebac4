"""The risk indicators' rules (etax.analytics.risk): each threshold on both sides, in exact
arithmetic, and the figures and records a warning carries."""

from __future__ import annotations

from fractions import Fraction

import pytest

from etax.analytics.risk import (
    CIRCLE_FLOOR_FEN,
    INDICATORS,
    MIN_PEERS,
    SMALL_SCALE_STANDARD_FEN,
    SOLD_FLOOR_FEN,
    SPIKE_FLOOR_FEN,
    Filed,
    Invoicing,
    Link,
    Registered,
    Traded,
    assess,
    circles,
    months_before,
    quarter_ending,
    ratio,
)
from etax.analytics.risk_store import links_of, registrations_query, rows_to_inputs, traded_of
from etax.rules import uscc

MONTH = "2026-11"
A, B = "91350100MA00000011", "91350100MA00000022"
FUZHOU = "13501000000"
RETAIL = Registered("零售业", FUZHOU)


def kinds(found: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(w.indicator, w.taxpayer) for w in found]


def test_months_before_cross_a_year() -> None:
    assert months_before("2026-02", 3) == ["2025-11", "2025-12", "2026-01"]
    assert months_before(MONTH, 3) == ["2026-08", "2026-09", "2026-10"]


def test_a_nil_return_while_invoicing_is_warned_with_its_figures_and_returns() -> None:
    invoiced = [Invoicing(A, MONTH, 4, 452_000), Invoicing(B, MONTH, 1, 0)]
    returns = [Filed(A, "ob-a", 0, 0), Filed(B, "ob-b", 0, 0)]
    [warning] = assess(MONTH, invoiced, returns, {A: RETAIL})
    assert (warning.indicator, warning.taxpayer) == ("zero-return-while-invoicing", A)
    assert dict(warning.figures) == {"period": MONTH, "declared_sales_fen": 0, "tax_due_fen": 0,
                                     "invoiced_fen": 452_000, "invoices": 4}
    assert dict(warning.records) == {"returns": ["ob-a"]}
    assert (warning.industry, warning.office, warning.month) == ("零售业", FUZHOU, MONTH)
    # B's invoices were all credited by red-letter ones: nothing invoiced, nothing to warn


@pytest.mark.parametrize(("sales", "warned"), [(0, True), (-100, True), (1, False),
                                               (None, False)])
def test_declared_sales_at_zero_or_below_alone_are_a_nil_return(sales: int | None,
                                                                 warned: bool) -> None:
    found = assess(MONTH, [Invoicing(A, MONTH, 1, 100)], [Filed(A, "ob", sales, 0)], {})
    assert kinds(found) == ([("zero-return-while-invoicing", A)] if warned else [])


def history(*amounts: int) -> list[Invoicing]:
    months = [*months_before(MONTH, 3), MONTH]
    return [Invoicing(A, m, 1, fen) for m, fen in zip(months, amounts, strict=True) if fen]


@pytest.mark.parametrize(("amounts", "warned"), [
    ((4_000_000, 4_000_000, 4_000_000, 12_000_000), True),  # three times the mean exactly
    ((4_000_000, 4_000_000, 4_000_000, 11_999_999), False),  # a fen short
    ((0, 0, 4_000_000, 12_000_000), True),  # months without invoices count as zero
    ((0, 0, 0, 50_000_000), False),  # no history: a new business is not a spike
    ((1_000_000, 1_000_000, 1_000_000, SPIKE_FLOOR_FEN - 1), False),  # under the floor
    ((1_000_000, 1_000_000, 1_000_000, SPIKE_FLOOR_FEN), True),
])
def test_a_spike_is_three_times_the_mean_of_the_months_before_above_a_floor(
        amounts: tuple[int, ...], warned: bool) -> None:
    found = assess(MONTH, history(*amounts), [], {A: RETAIL})
    assert kinds(found) == ([("invoicing-spike", A)] if warned else [])
    if warned:
        figures = found[0].figures
        assert figures["months_before"] == dict(zip(months_before(MONTH, 3), amounts[:3],
                                                    strict=True))
        assert figures["mean_before_fen"] == sum(amounts[:3]) // 3
        assert Fraction(figures["growth"]) >= 3


def peers(burdens: list[tuple[int, int]], industry: str = "零售业"
          ) -> tuple[list[Filed], dict[str, Registered]]:
    returns, registry = [], {}
    for n, (due, sales) in enumerate(burdens):
        code = f"91350100MA{n:08d}"
        returns.append(Filed(code, f"ob-{n}", sales, due))
        registry[code] = Registered(industry, FUZHOU)
    return returns, registry


def test_a_burden_more_than_a_fifth_below_the_industry_mean_is_warned() -> None:
    # burdens 3 %, 3 %, 3 %, 3 % and x: the mean is (12 % + x) / 5; the floor is 80 % of it
    # x = 2 %: mean 2.8 %, floor 2.24 % -> warned; x = 2.4 %: mean 2.88 %, floor 2.304 % -> not
    for due, warned in ((2_000, True), (2_400, False)):
        returns, registry = peers([(3_000, 100_000)] * 4 + [(due, 100_000)])
        found = assess(MONTH, [], returns, registry)
        assert kinds(found) == ([("burden-below-industry", "91350100MA00000004")]
                                if warned else [])
    returns, registry = peers([(3_000, 100_000)] * 4 + [(2_000, 100_000)])
    [warning] = assess(MONTH, [], returns, registry)
    assert warning.figures == {"burden": "0.0200", "industry_mean": "0.0280",
                               "peers": 5, "declared_sales_fen": 100_000, "tax_due_fen": 2_000}
    assert warning.records == {"returns": ["ob-4"]}


def test_an_industry_of_fewer_than_five_taxpayers_has_no_mean_to_compare() -> None:
    returns, registry = peers([(3_000, 100_000)] * (MIN_PEERS - 2) + [(0, 100_000)])
    assert assess(MONTH, [], returns, registry) == []
    # no sales, no burden: a nil return is not a peer (and not a low burden)
    returns, registry = peers([(3_000, 100_000)] * (MIN_PEERS - 1) + [(0, 0)])
    assert assess(MONTH, [], returns, registry) == []


def test_ratios_are_shown_to_four_places_half_to_even() -> None:
    assert ratio(Fraction(1, 3)) == "0.3333"
    assert ratio(Fraction(5, 100_000)) == "0.0000"  # 0.00005 -> even
    assert ratio(Fraction(15, 100_000)) == "0.0002"
    assert ratio(Fraction(3)) == "3.0000"


def test_the_rows_of_the_store_become_the_inputs() -> None:
    invoicing, returns, registry = rows_to_inputs(
        [(A, MONTH, 2, 1_130, 1_000), (B, MONTH, 1, 500, None)],
        [(A, "ob", None, 0, FUZHOU, MONTH), (B, "ob2", 5, 1, FUZHOU, "2026-Q4")],
        [(A, "批发业", "13502000000", "small_scale")])
    assert invoicing == [Invoicing(A, MONTH, 2, 1_130, 1_000), Invoicing(B, MONTH, 1, 500)]
    assert returns == [Filed(A, "ob", None, 0, MONTH), Filed(B, "ob2", 5, 1, "2026-Q4")]
    # the registration's office wins; a filer never registered keeps its return's office
    assert registry == {A: Registered("批发业", "13502000000", "small_scale"),
                        B: Registered(None, FUZHOU)}


def test_a_quarterly_nil_return_is_read_in_the_quarters_last_month_against_its_invoicing(
        ) -> None:
    invoiced = [Invoicing(A, "2026-10", 2, 30_000), Invoicing(A, "2026-11", 1, 20_000)]
    returns = [Filed(A, "ob-q", 0, 0, "2026-Q4")]
    [warning] = assess("2026-12", invoiced, returns, {A: RETAIL})
    assert warning.figures == {"period": "2026-Q4", "declared_sales_fen": 0,
                               "tax_due_fen": 0, "invoiced_fen": 50_000, "invoices": 3}
    assert warning.records == {"returns": ["ob-q"]}
    # a month that ends no quarter reads no quarterly return; sales declared: no warning
    assert assess("2026-11", invoiced, returns, {A: RETAIL}) == []
    assert assess("2026-12", invoiced, [Filed(A, "ob-q", 1, 0, "2026-Q4")], {}) == []
    assert quarter_ending("2026-03") == "2026-Q1"
    assert [quarter_ending(f"2026-{m:02d}") for m in (1, 2, 4, 11)] == [None] * 4


def test_a_quarterly_return_is_no_peer_of_the_monthly_burdens() -> None:
    returns, registry = peers([(130_000, 1_000_000)] * MIN_PEERS)
    registry[A] = RETAIL
    monthly = Filed(A, "ob-a", 1_000_000, 10_000, "2026-12")
    assert kinds(assess("2026-12", [], [*returns, monthly], registry)) == [
        ("burden-below-industry", A)]
    quarterly = Filed(A, "ob-q", 1_000_000, 10_000, "2026-Q4")
    assert assess("2026-12", [], [*returns, quarterly], registry) == []


def year_of(amount_fen: int, months: int = 12) -> list[Invoicing]:
    """``amount_fen`` (without tax) a month over the ``months`` to MONTH."""
    spread = [*months_before(MONTH, months - 1), MONTH]
    return [Invoicing(A, m, 10, amount_fen * 113 // 100, amount_fen) for m in spread]


@pytest.mark.parametrize(("invoicing", "kind", "warned"), [
    (year_of(41_666_667), "small_scale", True),  # 12 × ¥416,666.67 = ¥5,000,000.04
    (year_of(41_666_666), "small_scale", False),  # ¥4,999,999.92: within the standard
    (year_of(41_666_667), "general", False),
    ([*year_of(41_666_667, 11)[:-1], Invoicing(A, "2025-11", 1, 10**9, 10**9)],
     "small_scale", False),  # a thirteenth month back counts for nothing
])
def test_a_small_scale_taxpayer_invoicing_beyond_the_standard_in_twelve_months_is_warned(
        invoicing: list[Invoicing], kind: str, warned: bool) -> None:
    registry = {A: Registered("零售业", FUZHOU, kind)}
    found = [w for w in assess(MONTH, invoicing, [], registry)
             if w.indicator == "small-scale-over-threshold"]
    assert bool(found) is warned
    if warned:
        assert found[0].figures["invoiced_amount_fen"] == 500_000_004
        assert found[0].figures["standard_fen"] == SMALL_SCALE_STANDARD_FEN
        assert found[0].figures["first_month"] == "2025-12"
        assert len(found[0].figures["months"]) == 12


def test_the_registrations_are_asked_for_one_code_at_least() -> None:
    assert registrations_query(2).endswith("IN (?, ?)")
    with pytest.raises(ValueError, match="at least one"):
        registrations_query(0)


def test_every_indicator_says_its_formula_threshold_and_source() -> None:
    for indicator in INDICATORS.values():
        shown = indicator.as_dict()
        assert all(shown[k] for k in ("id", "title", "formula", "threshold", "source"))
        assert shown["source"].startswith("docs/sources.md#risk-indicators")


C, D, E = "91350100MA00000033", "91350100MA00000044", "91350100MA00000055"


def link(seller: str, buyer: str, fen: int = CIRCLE_FLOOR_FEN) -> Link:
    return Link(seller, buyer, 1, fen)


def test_circles_are_closed_chains_of_two_to_four_found_once_shortest_first() -> None:
    links = [link(A, B), link(B, A),                       # invoicing each other (对开)
             link(C, D), link(D, E), link(E, C),           # a ring of three (环开)
             link(B, C)]                                   # a link into it closes nothing
    assert circles(links) == [(A, B), (C, D, E)]
    five = [link(a, b) for a, b in ((A, B), (B, C), (C, D), (D, E), (E, A))]
    assert circles(five) == []  # longer than four: not a small group
    assert circles([link(A, B), link(B, A, CIRCLE_FLOOR_FEN - 1)]) == []  # a link below
    assert circles([link(A, A)]) == []  # a seller to itself
    both_ways = [link(C, D), link(D, E), link(E, C), link(C, E), link(E, D), link(D, C)]
    assert circles(both_ways) == [(C, D), (C, E), (D, E), (C, D, E), (C, E, D)]


def test_each_enterprise_of_a_chain_is_warned_with_its_own_two_links() -> None:
    found = assess(MONTH, [], [], {C: RETAIL},
                   [link(C, D, 12_000_000), link(D, E, 11_000_000), link(E, C, 10_500_000)])
    assert kinds(found) == [("circular-invoicing", C), ("circular-invoicing", D),
                            ("circular-invoicing", E)]
    mine = found[0]
    assert dict(mine.figures) == {"enterprises": 3, "chains": 1, "invoiced_fen": 12_000_000,
                                  "received_fen": 10_500_000}
    assert dict(mine.records) == {"chains": [[C, D, E]]}
    assert (mine.industry, mine.office) == ("零售业", FUZHOU)


def test_links_to_natural_persons_are_left_out() -> None:
    seller, buyer = uscc.complete("91350100MA0000001"), uscc.complete("91350100MA0000002")
    rows = [(seller, buyer, 2, 20_000_000), (buyer, "pseudonym-0f3a", 1, 20_000_000)]
    assert links_of(rows) == [Link(seller, buyer, 2, 20_000_000)]


@pytest.mark.parametrize(("invoiced", "quota", "warned"), [
    (9_500_000, 10_000_000, True),    # 95 % of the quota: at the top
    (10_000_000, 10_000_000, True),
    (9_499_999, 10_000_000, False),   # just below
    (9_500_000, None, False),         # no quota
    (9_500_000, 0, False),
])
def test_invoicing_at_the_top_of_the_monthly_quota_is_warned(invoiced: int, quota: int | None,
                                                             warned: bool) -> None:
    found = assess(MONTH, [Invoicing(A, MONTH, 12, invoiced)], [], {A: RETAIL},
                   quotas={} if quota is None else {A: quota})
    assert kinds(found) == ([("invoicing-at-quota", A)] if warned else [])
    if warned:
        assert found[0].figures["quota_fen"] == quota
        assert found[0].figures["share"] == ratio(Fraction(invoiced, quota or 1))


WHOLESALE = Registered("批发业", FUZHOU)


@pytest.mark.parametrize(("registered", "sold", "bought", "warned"), [
    (WHOLESALE, SOLD_FLOOR_FEN, 0, True),  # the floor exactly, nothing bought
    (RETAIL, 20_000_000, -100, True),  # what was bought was credited back
    (WHOLESALE, SOLD_FLOOR_FEN - 1, 0, False),  # below the floor
    (WHOLESALE, 20_000_000, 1, False),  # some of it bought
    (Registered("金属制品业", FUZHOU), 20_000_000, 0, False),  # a maker transforms its inputs
    (Registered(None, FUZHOU), 20_000_000, 0, False),  # no industry known
])
def test_goods_a_trader_sold_but_never_bought_are_warned(
        registered: Registered, sold: int, bought: int, warned: bool) -> None:
    traded = [Traded(A, "10701", sold, bought), Traded(A, "10903", 50_000_000, 9_000)]
    found = [w for w in assess(MONTH, [], [], {A: registered}, traded=traded)
             if w.indicator == "goods-sold-never-bought"]
    assert bool(found) is warned
    if warned:
        assert found[0].figures == {"categories": [{"category": "10701", "sold_fen": sold}],
                                    "sold_fen": sold, "first_month": "2025-12"}


def test_unmatched_categories_are_listed_largest_first() -> None:
    traded = [Traded(A, "10701", 12_000_000, 0), Traded(A, "10903", 30_000_000, 0)]
    [warning] = assess(MONTH, [], [], {A: WHOLESALE}, traded=traded)
    assert [c["category"] for c in warning.figures["categories"]] == ["10903", "10701"]
    assert warning.figures["sold_fen"] == 42_000_000
    assert traded_of([(A, "10701", 5, None)]) == [Traded(A, "10701", 5, 0)]
