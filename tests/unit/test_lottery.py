"""Instant invoice lottery: Yantai's table (sources.md#lottery), checks, draw, fairness, replay."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import random
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from etax.lottery import audit, campaign_codec, campaigns, draw, errors
from etax.lottery import records as record_codec
from etax.lottery.campaigns import CHINA_TZ, Campaign, Period, Tier
from etax.lottery.errors import CampaignError, NotEligible, RecordError
from etax.lottery.records import NO_PRIZE, SOLD_OUT, WON, DrawRecord
from etax.lottery.yantai import YANTAI_2026

SEED = bytes(range(32))
OTHER_SEED = bytes(range(1, 33))


# --- helpers ---------------------------------------------------------------------------------


def small_period(index: int = 1, opens: date = date(2026, 3, 1)) -> Period:
    """Odds 3/200, 10/200, 40/200: 400 draws sell every tier out."""
    return Period(
        index=index,
        opens=opens,
        closes=opens + timedelta(days=14),
        tiers=(Tier("800-yuan", 800_00, 3), Tier("300-yuan", 300_00, 10),
               Tier("50-yuan", 50_00, 40)),
        expected_entries=200,
    )


def ningbo_like(**changes: object) -> Campaign:
    """A campaign with Ningbo's limits (sources.md#lottery: 数电普票 ≥ 100, 2 a day, 20 a month)."""
    fields: dict[str, object] = {
        "id": "test-city-2026",
        "name": "Test city",
        "region": "Test region",
        "min_amount_fen": 100_00,
        "eligible_types": frozenset({"32"}),
        "per_person_daily": 2,
        "per_person_monthly": 20,
        "periods": (small_period(1, date(2026, 3, 1)), small_period(2, date(2026, 3, 16))),
    }
    fields.update(changes)
    return Campaign(**fields)  # type: ignore[arg-type]


def invoice_numbers(count: int, rng_seed: int = 2026) -> list[str]:
    """Distinct 20-digit 数电票 numbers (sources.md#invoices: year, region, channel, sequence)."""
    rng = random.Random(rng_seed)
    return [f"26370{n:015d}" for n in rng.sample(range(10**15), count)]


def simulate(
    period: Period,
    numbers: list[str],
    *,
    seed: bytes = SEED,
    campaign_id: str = "test-city-2026",
    inventory: dict[str, int] | None = None,
) -> list[DrawRecord]:
    """The service in miniature: draw in scan order, decrement inventory, sell out at zero."""
    left = {t.name: t.count for t in period.tiers} if inventory is None else dict(inventory)
    start = datetime(period.opens.year, period.opens.month, period.opens.day, 9, tzinfo=CHINA_TZ)
    records = []
    for i, number in enumerate(numbers):
        sold_out = {name for name, n in left.items() if n <= 0}
        outcome = draw.draw(seed, campaign_id, period, number, sold_out)
        if outcome.result == WON and outcome.tier is not None:
            left[outcome.tier.name] -= 1
        records.append(outcome.to_record(start + timedelta(seconds=i)))
    return records


def replay(records: list[DrawRecord], period: Period, seed: bytes = SEED) -> audit.ReplayReport:
    return audit.replay(seed, draw.commitment(SEED), period, "test-city-2026", records)


# --- Yantai (sources.md#lottery) ------------------------------------------------------------


def test_yantai_grand_total_is_exactly_170_million_yuan() -> None:
    assert YANTAI_2026.budget_fen() == 170_000_000 * 100


def test_yantai_prize_counts_are_exactly_the_published_ones() -> None:
    totals: Counter[int] = Counter()
    for period in YANTAI_2026.periods:
        for tier in period.tiers:
            totals[tier.amount_fen // 100] += tier.count
    assert totals == {800: 25_500, 300: 102_000, 50: 2_380_000}
    assert sum(totals.values()) == 2_507_500


def test_yantai_periods_40_million_then_13_million() -> None:
    budgets = [p.budget_fen() // 100 for p in YANTAI_2026.periods]
    assert budgets == [40_000_000] + [13_000_000] * 10


def test_yantai_eleven_half_month_periods_cover_the_campaign() -> None:
    periods = YANTAI_2026.periods
    assert len(periods) == 11
    assert periods[0].opens == date(2026, 2, 13)
    assert periods[-1].closes == date(2026, 7, 31)
    for before, after in itertools.pairwise(periods):
        assert after.opens == before.closes + timedelta(days=1)
    assert [p.closes.day for p in periods] == [28, 15, 31, 15, 30, 15, 31, 15, 30, 15, 31]


def test_yantai_odds_are_the_same_every_period() -> None:
    for period in YANTAI_2026.periods:
        assert [period.odds(t) for t in period.tiers] == [
            Fraction(6_000, 2_950_000), Fraction(24_000, 2_950_000), Fraction(560_000, 2_950_000)
        ]
        assert period.total_odds == Fraction(1, 5)


def test_yantai_rules() -> None:
    assert YANTAI_2026.min_amount_fen == 100_00
    assert YANTAI_2026.eligible_types == {"32"}
    assert YANTAI_2026.per_person_monthly == 30
    assert max(t.amount_fen for p in YANTAI_2026.periods for t in p.tiers) == 800_00


@pytest.mark.parametrize(
    ("day", "index"),
    [
        (date(2026, 2, 12), None),
        (date(2026, 2, 13), 1),
        (date(2026, 2, 28), 1),
        (date(2026, 3, 1), 2),
        (date(2026, 3, 16), 3),
        (date(2026, 7, 31), 11),
        (date(2026, 8, 1), None),
    ],
)
def test_period_on(day: date, index: int | None) -> None:
    period = YANTAI_2026.period_on(day)
    assert (period.index if period else None) == index


def test_period_by_index() -> None:
    assert YANTAI_2026.period(11).closes == date(2026, 7, 31)
    with pytest.raises(CampaignError, match="has no period 12"):
        YANTAI_2026.period(12)


def test_campaign_round_trips_through_json() -> None:
    data = campaign_codec.campaign_to_dict(YANTAI_2026)
    text = json.dumps(data, ensure_ascii=False)
    assert campaign_codec.campaign_from_dict(json.loads(text)) == YANTAI_2026
    first = data["periods"][0]  # type: ignore[index]
    assert first["tiers"][0] == {"name": "800-yuan", "amount_yuan": "800.00", "count": 6000}
    assert first["opens"] == "2026-02-13"
    assert data["min_amount_yuan"] == "100.00"


# --- validation ------------------------------------------------------------------------------


def test_a_valid_campaign() -> None:
    campaign = ningbo_like()
    assert campaign.budget_fen() == 2 * (3 * 800_00 + 10 * 300_00 + 40 * 50_00)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"min_amount_fen": 99_99}, "the minimum invoice amount 99.99 yuan is below the national"),
        ({"periods": (Period(1, date(2026, 3, 1), date(2026, 3, 2),
                             (Tier("big", 800_01, 1),), 10),)},
         "period 1: tier 'big' pays 800.01 yuan, above the national cap of 800.00"),
        ({"periods": (small_period(1, date(2026, 3, 1)), small_period(2, date(2026, 3, 15)))},
         "period 2 opens on 2026-03-15, but period 1 is open until 2026-03-15"),
        ({"periods": (small_period(2, date(2026, 3, 1)), small_period(1, date(2026, 3, 16)))},
         "periods must be numbered 1, 2, 3 … in order; period 2 is in position 1"),
        ({"periods": (small_period(1, date(2026, 3, 16)), small_period(2, date(2026, 3, 1)))},
         "period 2 opens on 2026-03-01, but period 1 is open until 2026-03-30"),
        ({"periods": ()}, "the campaign has no periods"),
        ({"eligible_types": frozenset()}, "the campaign accepts no invoice type"),
        ({"eligible_types": frozenset({"032"})}, "invoice type '032' is not a two-digit type code"),
        ({"per_person_daily": 0}, "the daily limit per person must be at least 1"),
        ({"per_person_daily": 3, "per_person_monthly": 2},
         "the monthly limit per person (2) is below the daily one (3)"),
        ({"id": "bad id"}, "campaign id 'bad id' must be 1-64 ASCII letters"),
        ({"name": " "}, "the campaign needs a name"),
    ],
)
def test_campaign_errors_say_why(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(CampaignError) as caught:
        ningbo_like(**changes)
    assert caught.value.reason.startswith(reason)


def period_with(**changes: object) -> Period:
    fields: dict[str, object] = {
        "index": 1, "opens": date(2026, 3, 1), "closes": date(2026, 3, 15),
        "tiers": (Tier("a", 800_00, 1), Tier("b", 50_00, 2)), "expected_entries": 10,
    }
    fields.update(changes)
    return Period(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("build", "reason"),
    [
        (lambda: Tier("a", 800_00, 0), "tier 'a': the number of prizes must be positive"),
        (lambda: Tier("a", 800_00, -5), "tier 'a': the number of prizes must be positive"),
        (lambda: Tier("a", 0, 5), "tier 'a': the prize must be a positive amount"),
        (lambda: Tier("", 800_00, 5), "tier name '' must be non-empty"),
        (lambda: period_with(expected_entries=3),
         "period 1: 3 prizes for 3 expected entries would make the odds of winning 1 or more"),
        (lambda: period_with(expected_entries=0), "period 1: expected entries must be positive"),
        (lambda: period_with(tiers=(Tier("b", 50_00, 2), Tier("a", 800_00, 1))),
         "period 1: tiers must be listed largest prize first, but 'a' (800.00) follows 'b'"),
        (lambda: period_with(tiers=(Tier("a", 800_00, 1), Tier("a", 50_00, 2))),
         "period 1 repeats a tier name"),
        (lambda: period_with(tiers=()), "period 1 has no prize tiers"),
        (lambda: period_with(closes=date(2026, 2, 28)),
         "period 1 closes on 2026-02-28 before it opens on 2026-03-01"),
        (lambda: period_with(index=0), "period index 0 must be 1 or more"),
    ],
)
def test_period_and_tier_errors_say_why(build: object, reason: str) -> None:
    with pytest.raises(CampaignError) as caught:
        build()  # type: ignore[operator]
    assert caught.value.reason.startswith(reason)


def test_odds_just_below_one_are_allowed() -> None:
    assert period_with(expected_entries=4).total_odds == Fraction(3, 4)


def yantai_dict() -> dict[str, object]:
    return json.loads(json.dumps(campaign_codec.campaign_to_dict(YANTAI_2026)))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("edit", "reason", "field"),
    [
        (lambda d: d.pop("region"), "the campaign lacks region", "region"),
        (lambda d: d.update(colour="red"), "the campaign has unknown keys: colour", "colour"),
        (lambda d: d.update(min_amount_yuan=100.0), "min_amount_yuan must be a str",
         "min_amount_yuan"),
        (lambda d: d.update(min_amount_yuan="1e2"),
         "min_amount_yuan: '1e2' is not an amount in yuan", "min_amount_yuan"),
        (lambda d: d.update(min_amount_yuan="99.999"), "min_amount_yuan: '99.999'",
         "min_amount_yuan"),
        (lambda d: d.update(min_amount_yuan="50.00"), "the minimum invoice amount 50.00 yuan",
         "min_amount_yuan"),
        (lambda d: d.update(per_person_daily=True), "per_person_daily must be a whole",
         "per_person_daily"),
        (lambda d: d.update(per_person_daily=40), "the monthly limit per person (30) is below",
         "per_person_monthly"),
        (lambda d: d.update(eligible_types=["32", 32]), "eligible_types must be strings",
         "eligible_types[1]"),
        (lambda d: d.update(id="bad id"), "campaign id 'bad id' must be", "id"),
        (lambda d: d["periods"][0].update(opens="13/02/2026"),
         "periods[0].opens '13/02/2026' is not a date", "periods[0].opens"),
        (lambda d: d["periods"][1].update(opens="2026-02-20"),
         "period 2 opens on 2026-02-20, but period 1", "periods[1].opens"),
        (lambda d: d["periods"][0]["tiers"][0].update(count="6000"),
         "periods[0].tiers[0].count must be a whole number", "periods[0].tiers[0].count"),
        (lambda d: d["periods"][2]["tiers"][1].update(count=0),
         "tier '300-yuan': the number of prizes must be positive", "periods[2].tiers[1].count"),
        (lambda d: d["periods"][0]["tiers"][2].update(amount_yuan="300.00"),
         "period 1: tiers must be listed largest prize first",
         "periods[0].tiers[2].amount_yuan"),
        (lambda d: d["periods"][0]["tiers"][1].update(name="800-yuan"),
         "period 1 repeats a tier name: '800-yuan'", "periods[0].tiers[1].name"),
        (lambda d: d["periods"][0]["tiers"][0].update(amount_yuan="800.01"),
         "period 1: tier '800-yuan' pays 800.01 yuan, above the national cap",
         "periods[0].tiers[0].amount_yuan"),
        (lambda d: d["periods"][3].update(expected_entries=10),
         "period 4: ", "periods[3].expected_entries"),
        (lambda d: d["periods"][0]["tiers"][0].update(prize="x"),
         "periods[0].tiers[0] has unknown keys: prize", "periods[0].tiers[0].prize"),
        (lambda d: d.update(periods={}), "periods must be a list", "periods"),
    ],
)
def test_campaign_data_errors_say_why_and_where(edit: object, reason: str, field: str) -> None:
    data = yantai_dict()
    edit(data)  # type: ignore[operator]
    with pytest.raises(CampaignError) as caught:
        campaign_codec.campaign_from_dict(data)
    assert caught.value.reason.startswith(reason)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (lambda d, v: d.update(name=v), "name"),
        (lambda d, v: d.update(id=v), "id"),
        (lambda d, v: d.update(region=v), "region"),
        (lambda d, v: d.update(min_amount_yuan=v), "min_amount_yuan"),
        (lambda d, v: d.update(eligible_types=[v]), "eligible_types[0]"),
        (lambda d, v: d["periods"][0].update(opens=v), "periods[0].opens"),
        (lambda d, v: d["periods"][4].update(closes=v), "periods[4].closes"),
        (lambda d, v: d["periods"][0]["tiers"][1].update(name=v), "periods[0].tiers[1].name"),
        (lambda d, v: d["periods"][0]["tiers"][1].update(amount_yuan=v),
         "periods[0].tiers[1].amount_yuan"),
        (lambda d, v: d.update({v: 1}), "x" * 40 + "…"),
        (lambda d, v: d["periods"][0].update({v: 1}), "periods[0]." + "x" * 40 + "…"),
    ],
)
def test_long_campaign_strings_are_refused_without_being_repeated(edit: object,
                                                                  field: str) -> None:
    data = yantai_dict()
    edit(data, "x" * 100_000)  # type: ignore[operator]
    with pytest.raises(CampaignError) as caught:
        campaign_codec.campaign_from_dict(data)
    assert caught.value.field == field
    assert len(caught.value.reason) < 200


def test_long_campaign_lists_are_refused() -> None:
    data = yantai_dict()
    data["periods"][0]["tiers"] = data["periods"][0]["tiers"] * 7  # type: ignore[index]
    with pytest.raises(CampaignError) as caught:
        campaign_codec.campaign_from_dict(data)
    assert (caught.value.field, caught.value.reason) == (
        "periods[0].tiers", "periods[0].tiers has 21 items; at most 20")


def test_yuan_strings() -> None:
    assert campaigns.yuan(80_000) == "800.00"
    assert campaigns.yuan(5) == "0.05"
    assert campaigns.parse_yuan("800") == 80_000
    assert campaigns.parse_yuan("0.5") == 50
    assert campaigns.parse_yuan("123.45") == 12_345
    for bad in ("", "-1", "+1", "1.", ".5", "1.234", "1,000", " 1"):
        with pytest.raises(CampaignError):
            campaigns.parse_yuan(bad)


# --- eligibility -----------------------------------------------------------------------------

NUMBER = "26372000000000000001"


def entry(**changes: object) -> Period:
    arguments: dict[str, object] = {
        "invoice_type": "32", "invoice_number": NUMBER, "amount_fen": 100_00,
        "issued_on": date(2026, 3, 1), "scanned_on": date(2026, 3, 2),
        "draws_today": 1, "draws_this_month": 19,
    }
    arguments.update(changes)
    return campaigns.check_entry(ningbo_like(), **arguments)  # type: ignore[arg-type]


def test_an_eligible_entry_gets_the_period_of_its_scan_day() -> None:
    assert entry().index == 1
    assert entry(scanned_on=date(2026, 3, 16), draws_this_month=0).index == 2


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"invoice_type": "31"},
         "invoice type '31' is not eligible in this campaign (eligible: 32)"),
        ({"invoice_number": "2637200000000000001"},
         "a fully digitalized invoice has a 20-digit number, this one has 19 digits"),
        ({"invoice_number": "2637200000000000000X"}, "an invoice number is made of digits only"),
        ({"amount_fen": 99_99},
         "the invoice total 99.99 yuan is below the campaign minimum of 100"),
        ({"scanned_on": date(2026, 4, 1)}, "no draw period of this campaign is open on 2026-04-01"),
        ({"issued_on": date(2026, 3, 3)}, "the invoice is dated 2026-03-03, after the day it is"),
        ({"issued_on": date(2026, 2, 28)},
         "the invoice is dated 2026-02-28, before the campaign opened on 2026-03-01"),
        ({"draws_today": 2}, "you have drawn 2 invoices today; the limit is 2 a day"),
        ({"draws_this_month": 20},
         "you have drawn 20 invoices in 2026-03; the limit is 20 a month"),
    ],
)
def test_ineligible_entries_say_why(changes: dict[str, object], reason: str) -> None:
    with pytest.raises(NotEligible) as caught:
        entry(**changes)
    assert caught.value.reason.startswith(reason)


# --- seeds -----------------------------------------------------------------------------------


def test_new_seeds_are_32_random_bytes() -> None:
    seeds = {draw.new_seed() for _ in range(10)}
    assert len(seeds) == 10
    assert all(len(s) == 32 for s in seeds)


def test_commitment_is_the_sha256_of_the_seed() -> None:
    committed = draw.commitment(SEED)
    assert committed == hashlib.sha256(SEED).hexdigest()
    assert len(committed) == 64
    assert draw.verify_reveal(SEED, committed)
    assert draw.verify_reveal(SEED, committed.upper())
    assert not draw.verify_reveal(OTHER_SEED, committed)
    assert not draw.verify_reveal(SEED, "")


# --- the draw --------------------------------------------------------------------------------


def test_the_message_is_compact_json() -> None:
    message = draw.draw_message("yantai-2026", 1, "23442000000014209621")
    assert message == b'["etax-lottery-draw/1","yantai-2026",1,"23442000000014209621"]'
    assert message == json.dumps(
        ["etax-lottery-draw/1", "yantai-2026", 1, "23442000000014209621"], separators=(",", ":")
    ).encode()


def test_draw_value_is_the_hmac_of_the_message() -> None:
    value = draw.draw_value(SEED, "yantai-2026", 1, "23442000000014209621")
    expected = hmac.new(SEED, draw.draw_message("yantai-2026", 1, "23442000000014209621"),
                        hashlib.sha256).digest()
    assert value == int.from_bytes(expected, "big")
    # A fixed vector for auditors writing their own replay.
    assert draw.value_hex(value) == (
        "90b153c581b8e6844c4ff5acc03429e12d4d55c9ee79ae1a33a122f94f91f6de"
    )


def test_draw_is_deterministic_and_depends_on_every_input() -> None:
    base = draw.draw_value(SEED, "yantai-2026", 1, NUMBER)
    assert draw.draw_value(SEED, "yantai-2026", 1, NUMBER) == base
    others = {
        draw.draw_value(SEED, "yantai-2026", 1, "26372000000000000002"),
        draw.draw_value(SEED, "yantai-2026", 2, NUMBER),
        draw.draw_value(SEED, "yantai-2027", 1, NUMBER),
        draw.draw_value(OTHER_SEED, "yantai-2026", 1, NUMBER),
    }
    assert base not in others
    assert len(others) == 4


@pytest.mark.parametrize(
    ("seed", "campaign_id", "index", "number", "reason"),
    [
        (b"short", "c", 1, NUMBER, "a seed has 32 bytes, this one has 5"),
        (SEED, "c", 0, NUMBER, "period index 0 must be 1 or more"),
        (SEED, 'c"', 1, NUMBER, "campaign id 'c\"' is not a valid campaign id"),
        (SEED, "c", 1, " 26372000000000000001", "invoice number"),
        (SEED, "c", 1, "", "invoice number '' must be digits only"),
        (SEED, "c", 1, "２６", "invoice number '２６' must be digits only"),
    ],
)
def test_draw_inputs_are_canonical(
    seed: bytes, campaign_id: str, index: int, number: str, reason: str
) -> None:
    with pytest.raises(errors.LotteryError) as caught:
        draw.draw_value(seed, campaign_id, index, number)
    assert caught.value.reason.startswith(reason)


@settings(max_examples=300)
@given(st.integers(0, 2**256 - 1))
def test_tier_for_is_exactly_the_cumulative_odds(value: int) -> None:
    period = YANTAI_2026.periods[1]
    point = Fraction(value, 2**256)
    cumulative = Fraction(0)
    expected = None
    for tier in period.tiers:
        if cumulative <= point < cumulative + period.odds(tier):
            expected = tier
        cumulative += period.odds(tier)
    assert draw.tier_for(value, period) == expected


def test_tier_intervals_are_consecutive_largest_prize_first() -> None:
    period = small_period()
    bounds = draw.tier_bounds(period)
    assert [t.name for t, _, _ in bounds] == ["800-yuan", "300-yuan", "50-yuan"]
    assert bounds[0][1] == 0
    for (_, _, high), (_, low, _) in itertools.pairwise(bounds):
        assert high == low
    for tier, low, high in bounds:
        exact = Fraction(tier.count * 2**256, period.expected_entries)
        assert abs((high - low) - exact) < 1
        assert draw.tier_for(low, period) == tier
        assert draw.tier_for(high - 1, period) == tier
    assert draw.tier_for(bounds[-1][2], period) is None
    assert draw.tier_for(2**256 - 1, period) is None
    for bad in (-1, 2**256):
        with pytest.raises(errors.LotteryError):
            draw.tier_for(bad, period)


# --- fairness --------------------------------------------------------------------------------

SAMPLE = 200_000
CHI_SQUARE_DF3_P001 = 16.266  # the 0.999 quantile of chi-square with 3 degrees of freedom


@pytest.fixture(scope="module")
def sample_values() -> list[int]:
    """200,000 distinct synthetic invoices drawn under one fixed seed (about a second)."""
    return [draw.draw_value(SEED, "yantai-2026", 2, n) for n in invoice_numbers(SAMPLE)]


def coarse_period() -> Period:
    """Large odds (10 %, 20 %, 30 %) so that a small bias would show."""
    return Period(2, date(2026, 3, 1), date(2026, 3, 15),
                  (Tier("a", 800_00, 10), Tier("b", 300_00, 20), Tier("c", 50_00, 30)), 100)


@pytest.mark.parametrize("period", [YANTAI_2026.periods[1], coarse_period()],
                         ids=["yantai", "coarse"])
def test_each_tier_wins_in_proportion_to_its_odds(sample_values: list[int], period: Period) -> None:
    tally = Counter(
        t.name if (t := draw.tier_for(v, period)) is not None else None for v in sample_values
    )
    cells = [(tally[t.name], period.odds(t)) for t in period.tiers]
    cells.append((tally[None], 1 - period.total_odds))
    chi_square = 0.0
    for observed, odds in cells:
        expected = SAMPLE * float(odds)
        chi_square += (observed - expected) ** 2 / expected
        sigma = (SAMPLE * float(odds) * (1 - float(odds))) ** 0.5
        assert abs(observed - expected) < 4.5 * sigma
    assert chi_square < CHI_SQUARE_DF3_P001


# --- sold out and order independence --------------------------------------------------------


def test_draw_outcomes() -> None:
    period = small_period()
    numbers = invoice_numbers(400)
    outcomes = [draw.draw(SEED, "test-city-2026", period, n) for n in numbers]
    results = Counter(o.result for o in outcomes)
    assert set(results) == {WON, NO_PRIZE}
    won = next(o for o in outcomes if o.result == WON)
    assert won.tier is not None
    assert won.prize_fen == won.tier.amount_fen
    assert won.value_hex == f"{won.value:064x}"
    sold = won.mark_sold_out()
    assert (sold.result, sold.tier, sold.prize_fen) == (SOLD_OUT, won.tier, 0)
    lost = next(o for o in outcomes if o.result == NO_PRIZE)
    assert lost.prize_fen == 0
    with pytest.raises(errors.LotteryError):
        lost.mark_sold_out()


def test_a_sold_out_tier_does_not_cascade() -> None:
    period = small_period()
    top = [n for n in invoice_numbers(2000)
           if draw.draw(SEED, "test-city-2026", period, n).tier == period.tiers[0]]
    assert top
    for number in top:
        outcome = draw.draw(SEED, "test-city-2026", period, number, {"800-yuan"})
        assert (outcome.result, outcome.tier) == (SOLD_OUT, period.tiers[0])
        assert outcome.prize_fen == 0


NUMBERS_400 = invoice_numbers(400, rng_seed=7)


@settings(max_examples=20, deadline=None)
@given(st.randoms(use_true_random=False))
def test_scan_order_never_changes_any_invoice_tier(rng: random.Random) -> None:
    period = small_period()
    in_order = {r.invoice_number: r for r in simulate(period, NUMBERS_400)}
    shuffled = list(NUMBERS_400)
    rng.shuffle(shuffled)
    again = {r.invoice_number: r for r in simulate(period, shuffled)}
    for number, record in in_order.items():
        assert again[number].tier == record.tier
        assert again[number].value_hex == record.value_hex
        assert (again[number].result == NO_PRIZE) == (record.result == NO_PRIZE)
    hits = Counter(r.tier for r in in_order.values() if r.tier is not None)
    for records in (in_order, again):
        wins = Counter(r.tier for r in records.values() if r.result == WON)
        for tier in period.tiers:
            assert wins[tier.name] == min(tier.count, hits[tier.name])


# --- records ---------------------------------------------------------------------------------


def test_records_round_trip() -> None:
    records = simulate(small_period(), invoice_numbers(50))
    for record in records:
        data = json.loads(json.dumps(record_codec.record_to_dict(record)))
        assert record_codec.record_from_dict(data) == record
    assert record_codec.record_to_dict(records[0])["drawn_at"] == "2026-03-01T09:00:00+08:00"


def good_record_dict() -> dict[str, object]:
    return record_codec.record_to_dict(simulate(small_period(), invoice_numbers(1))[0])


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"value_hex": "ABC"}, "must be 64 lower-case hex digits"),
        ({"result": "lost"}, "result 'lost' is not one of no_prize, sold_out, won"),
        ({"drawn_at": "2026-03-01T09:00:00"}, "drawn_at needs a time zone"),
        ({"drawn_at": "yesterday"}, "drawn_at 'yesterday' is not an ISO 8601 time"),
        ({"period_index": "1"}, "period_index must be a whole number"),
        ({"tier": 800}, "tier must be a name or null"),
        ({"invoice_number": 1}, "a draw record's invoice_number must be a string"),
        ({"extra": 1}, "a draw record has unknown keys: extra"),
    ],
)
def test_malformed_records_say_why(changes: dict[str, object], reason: str) -> None:
    data = good_record_dict()
    data.update(changes)
    with pytest.raises(RecordError) as caught:
        record_codec.record_from_dict(data)
    assert reason in caught.value.reason


# --- replay ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def period() -> Period:
    return small_period()


@pytest.fixture(scope="module")
def honest(period: Period) -> list[DrawRecord]:
    records = simulate(period, NUMBERS_400)
    results = Counter((r.tier, r.result) for r in records)
    for tier in period.tiers:  # every tier sells out in this sample: the cases below need it
        assert results[(tier.name, WON)] == tier.count
        assert results[(tier.name, SOLD_OUT)] > 0
    return records


def test_replay_of_an_honest_period(period: Period, honest: list[DrawRecord]) -> None:
    report = replay(honest, period)
    assert report.ok, report.discrepancies
    assert report.seed_ok
    assert report.draws == 400
    assert report.wins == {"800-yuan": 3, "300-yuan": 10, "50-yuan": 40}
    assert report.paid_fen == 3 * 800_00 + 10 * 300_00 + 40 * 50_00
    assert report.no_prize + sum(report.wins.values()) + sum(report.sold_out.values()) == 400


def test_replay_catches_a_wrong_seed(period: Period, honest: list[DrawRecord]) -> None:
    report = audit.replay(OTHER_SEED, draw.commitment(SEED), period, "test-city-2026", honest)
    assert not report.ok
    assert not report.seed_ok
    assert [d.reason for d in report.discrepancies] == [
        "the revealed seed does not match the published commitment; "
        "no draw of this period can be verified"
    ]


def test_replay_with_a_committed_but_different_seed_catches_every_prize(
    period: Period, honest: list[DrawRecord]
) -> None:
    report = audit.replay(OTHER_SEED, draw.commitment(OTHER_SEED), period,
                            "test-city-2026", honest)
    assert report.seed_ok
    assert len({d.invoice_number for d in report.discrepancies}) == 400


def tamper(records: list[DrawRecord], index: int, **changes: object) -> list[DrawRecord]:
    changed = list(records)
    changed[index] = replace(changed[index], **changes)  # type: ignore[arg-type]
    return changed


def first(records: list[DrawRecord], result: str, tier: str | None = None) -> int:
    return next(i for i, r in enumerate(records)
                if r.result == result and (tier is None or r.tier == tier))


def test_replay_catches_a_loser_turned_winner(period: Period, honest: list[DrawRecord]) -> None:
    i = first(honest, NO_PRIZE)
    report = replay(tamper(honest, i, result=WON, tier="800-yuan"), period)
    assert not report.ok
    assert (honest[i].invoice_number,
            "recorded won in tier '800-yuan', but the value wins no prize") in [
        (d.invoice_number, d.reason) for d in report.discrepancies]


def test_replay_catches_a_winner_moved_to_a_bigger_tier(
    period: Period, honest: list[DrawRecord]
) -> None:
    i = first(honest, WON, "50-yuan")
    report = replay(tamper(honest, i, tier="800-yuan"), period)
    number = honest[i].invoice_number
    reasons = {d.reason for d in report.discrepancies if d.invoice_number == number}
    assert "recorded won in tier '800-yuan', but the value falls in tier '50-yuan'" in reasons


def test_replay_catches_a_winner_recorded_as_loser(
    period: Period, honest: list[DrawRecord]
) -> None:
    i = first(honest, WON, "300-yuan")
    report = replay(tamper(honest, i, result=NO_PRIZE, tier=None), period)
    found = [(d.invoice_number, d.reason) for d in report.discrepancies]
    assert found[0] == (
        honest[i].invoice_number, "recorded no prize, but the value falls in tier '300-yuan'"
    )
    # With one prize fewer won, the tier's later sold-outs are no longer justified either.
    sold_out = [r.invoice_number for r in honest if r.tier == "300-yuan" and r.result == SOLD_OUT]
    assert found[1:] == [
        (n, "recorded sold out, but only 9 of the 10 prizes of tier '300-yuan' were won")
        for n in sold_out
    ]


def test_replay_catches_a_tampered_value(period: Period, honest: list[DrawRecord]) -> None:
    report = replay(tamper(honest, 5, value_hex="0" * 64), period)
    assert [d.invoice_number for d in report.discrepancies] == [honest[5].invoice_number]
    assert report.discrepancies[0].reason.startswith("recorded value 000")


def test_replay_catches_an_oversold_tier(period: Period) -> None:
    # A service that ignored its counters: unlimited inventory.
    records = simulate(period, NUMBERS_400, inventory={"800-yuan": 99, "300-yuan": 10,
                                                        "50-yuan": 40})
    extra = [r for r in records if r.tier == "800-yuan" and r.result == WON][3:]
    assert extra
    report = replay(records, period)
    assert [d.invoice_number for d in report.discrepancies] == [r.invoice_number for r in extra]
    assert report.discrepancies[0].reason == (
        "tier '800-yuan' has 3 prizes, but this is win number 4 by time: the tier is oversold"
    )


def test_replay_catches_a_fake_sold_out(period: Period) -> None:
    # A service that sold out the top tier after 2 of its 3 prizes.
    records = simulate(period, NUMBERS_400, inventory={"800-yuan": 2, "300-yuan": 10,
                                                        "50-yuan": 40})
    fakes = [r for r in records if r.tier == "800-yuan" and r.result == SOLD_OUT]
    report = replay(records, period)
    assert [d.invoice_number for d in report.discrepancies] == [r.invoice_number for r in fakes]
    assert report.discrepancies[0].reason == (
        "recorded sold out, but only 2 of the 3 prizes of tier '800-yuan' were won"
    )


def test_replay_catches_a_sold_out_without_a_tier(period: Period, honest: list[DrawRecord]) -> None:
    i = first(honest, NO_PRIZE)
    report = replay(tamper(honest, i, result=SOLD_OUT, tier=None), period)
    assert [d.reason for d in report.discrepancies] == [
        "recorded sold_out in tier None, but the value wins no prize"
    ]


def test_replay_catches_a_no_prize_naming_a_tier(period: Period, honest: list[DrawRecord]) -> None:
    i = first(honest, NO_PRIZE)
    report = replay(tamper(honest, i, tier="50-yuan"), period)
    assert [d.reason for d in report.discrepancies] == [
        "recorded no prize but names tier '50-yuan'"
    ]


def test_replay_catches_a_second_draw_of_an_invoice(
    period: Period, honest: list[DrawRecord]
) -> None:
    report = replay([*honest, honest[0]], period)
    assert next((d.invoice_number, d.reason) for d in report.discrepancies) == (
        honest[0].invoice_number, "drawn more than once (one draw per invoice ever)"
    )


def test_replay_catches_records_of_another_period_or_day(
    period: Period, honest: list[DrawRecord]
) -> None:
    late = datetime(2026, 3, 16, 0, 30, tzinfo=CHINA_TZ)
    report = replay(tamper(tamper(honest, 0, period_index=2), 1, drawn_at=late), period)
    assert [d.reason for d in report.discrepancies] == [
        "recorded for campaign 'test-city-2026' period 2, not campaign 'test-city-2026' period 1",
        "drawn on 2026-03-16, outside the period (2026-03-01 to 2026-03-15)",
    ]


def test_replay_reads_times_in_china(period: Period, honest: list[DrawRecord]) -> None:
    # 2026-02-28 16:30 UTC is 2026-03-01 00:30 in China: inside the period.
    utc_time = datetime.fromisoformat("2026-02-28T16:30:00+00:00")
    assert replay(tamper(honest, 0, drawn_at=utc_time), period).ok
