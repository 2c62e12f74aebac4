"""Yantai's 2026 invoice lottery, reproduced from its published table (sources.md#lottery).

A reference campaign for the tests and the documentation: campaigns are data
(:mod:`etax.lottery.campaign_codec`), and this one is built in code only because its
eleven periods and proportional prize split follow from the published figures.
"""

from __future__ import annotations

from datetime import date
from typing import Final

from etax.lottery.campaigns import DIGITAL_ORDINARY, Campaign, Period, Tier

__all__ = ["YANTAI_2026"]


def _yantai() -> Campaign:
    """Yantai's 2026 scheme, reproduced from its published table (sources.md#lottery).

    Published: 2026-02-13 to 2026-07-31, 11 periods, two draws a month; budget
    170,000,000 yuan, 40,000,000 in the first period and 13,000,000 in each of
    the ten others; prizes 800 yuan × 25,500, 300 yuan × 102,000 and
    50 yuan × 2,380,000; 数电票 of at least 100 yuan, each drawn once.

    Periods chosen (dates not published): half months. Period 1 is
    2026-02-13 to 02-28; then 1st-15th and 16th-end of each month from March to
    July, ten periods, the last closing on 07-31.

    Prize split: every tier is split in the budget's proportions, 40/170 to
    period 1 and 13/170 to each other period. The totals are multiples of 170,
    so the split is exact, with no rounding:

    =======  ==========  ==============  ==========
    tier     total       period 1 (40)   2-11 (13)
    =======  ==========  ==============  ==========
    800      25,500      6,000           1,950
    300      102,000     24,000          7,800
    50       2,380,000   560,000         182,000
    =======  ==========  ==============  ==========

    Period 1 pays 4,800,000 + 7,200,000 + 28,000,000 = 40,000,000 yuan; each
    other period 1,560,000 + 2,340,000 + 9,100,000 = 13,000,000 yuan.

    Expected entries (not published, sources.md#lottery "odds: not found"): five uploads
    per prize, i.e. one draw in five wins; 2,950,000 in period 1 and 958,750 in
    each other. Because the split is proportional, every period has the same
    odds: 800 yuan 6/2950 ≈ 0.20 %, 300 yuan ≈ 0.81 %, 50 yuan ≈ 18.98 %.
    Replace them with the city's upload figures when known (it is data).

    Limits: only 数电普票 (type 32, as in Ningbo) of at least 100 yuan; Yantai's
    per-person limit is not published, so the national platforms' 30 a month
    applies, with no separate daily limit (30 a day).
    """
    halves = [(date(2026, 2, 13), date(2026, 2, 28))]
    for month, last in ((3, 31), (4, 30), (5, 31), (6, 30), (7, 31)):
        halves.append((date(2026, month, 1), date(2026, month, 15)))
        halves.append((date(2026, month, 16), date(2026, month, last)))
    periods = []
    for index, (opens, closes) in enumerate(halves, start=1):
        first = index == 1
        tiers = (
            Tier("800-yuan", 800_00, 6_000 if first else 1_950),
            Tier("300-yuan", 300_00, 24_000 if first else 7_800),
            Tier("50-yuan", 50_00, 560_000 if first else 182_000),
        )
        expected = 5 * sum(t.count for t in tiers)
        periods.append(Period(index, opens, closes, tiers, expected))
    return Campaign(
        id="yantai-2026",
        name="烟台有奖发票 2026",
        region="烟台市 (Yantai, Shandong)",
        min_amount_fen=100_00,
        eligible_types=frozenset({DIGITAL_ORDINARY}),
        per_person_daily=30,
        per_person_monthly=30,
        periods=tuple(periods),
    )


YANTAI_2026: Final = _yantai()

