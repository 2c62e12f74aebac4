"""Instant invoice lottery (有奖发票): the campaign model and who may enter.

A consumer scans the QR code of an eligible invoice and is drawn at once. The
rules are pure (no clock, no storage, no network); the service supplies the
facts it owns: the inventory left, the person's counts.

This module is the campaign model: who may enter, with what, how often, and each
period's prizes, every national limit checked when a campaign is built; and
:func:`check_entry`, whether one invoice may be drawn. The campaign as data is
:mod:`etax.lottery.campaign_codec`; the draw is :mod:`etax.lottery.draw`.

Campaigns (sources.md#lottery)
    The 2026 national pilot lets each city set the minimum invoice amount
    (**at least 100 yuan**), the win ratio and the prize tiers, with **at most
    800 yuan per invoice**; both are enforced by :class:`Campaign`. Cities add
    per-person limits, e.g. Ningbo 2 invoices a day and 20 a month, the
    national platforms 30 a month. Campaigns are data
    (:func:`~etax.lottery.campaign_codec.campaign_from_dict`), and
    :data:`etax.lottery.yantai.YANTAI_2026` reproduces Yantai's published table
    exactly.

Odds (sources.md#lottery: "Published per-draw odds: not found. Derive odds from prize
counts ÷ uploads")
    Each :class:`Period` carries ``expected_entries``, the number of uploads the
    city expects, and a tier's per-draw odds are ``count / expected_entries``.
    If more people upload than expected, the last tiers to be drawn sell out;
    if fewer, prizes are left over. Either way the odds of a draw never depend
    on the order of scans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta, timezone
from fractions import Fraction
from itertools import pairwise
from typing import Final

from etax.lottery.errors import CampaignError, NotEligible
from etax.rules import money

__all__ = [
    "CAMPAIGN_ID", "CHINA_TZ", "DIGITAL_NUMBER_LENGTH", "DIGITAL_ORDINARY", "DIGITAL_TYPES",
    "MIN_AMOUNT_FLOOR_FEN", "PRIZE_CAP_FEN", "Campaign", "Period", "Tier", "check_entry",
    "parse_yuan", "yuan",
]

# --- national limits and constants (sources.md#lottery) -------------------------------------------

MIN_AMOUNT_FLOOR_FEN: Final = 100_00
"""A city's minimum invoice amount may not be below 100 yuan (2026 pilot, sources.md#lottery)."""

PRIZE_CAP_FEN: Final = 800_00
"""No invoice may win more than 800 yuan (2026 pilot, sources.md#lottery)."""

DIGITAL_ORDINARY: Final = "32"
"""Invoice type of a fully digitalized ordinary invoice (数电普票): sources.md#lottery."""

DIGITAL_TYPES: Final = frozenset({"31", "32"})
"""Fully digitalized invoice types (数电专票, 数电普票): a 20-digit number (sources.md#invoices)."""

DIGITAL_NUMBER_LENGTH: Final = 20

CHINA_TZ: Final = timezone(timedelta(hours=8), "UTC+08:00")
"""Period dates are local dates in China (UTC+8, no daylight saving)."""

CAMPAIGN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
"""A campaign id: ASCII, so the draw message has the same bytes in every language."""
_TYPE_CODE = re.compile(r"[0-9]{2}")


# --- money -----------------------------------------------------------------------------------


def yuan(fen: int) -> str:
    """Fen as a decimal yuan string with two places: 80000 → ``"800.00"``."""
    return money.format_yuan(fen)


def parse_yuan(text: str) -> int:
    """A decimal yuan string (``"800"``, ``"800.5"``, ``"800.00"``) as fen; no floats, no signs."""
    try:
        return money.parse_yuan(text)
    except money.MoneyError:
        raise CampaignError(f"{text!r} is not an amount in yuan such as '800.00'") from None


# --- campaigns -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tier:
    """A prize tier of one period: ``count`` prizes of ``amount_fen`` each."""

    name: str
    amount_fen: int
    count: int

    def __post_init__(self) -> None:
        if not self.name or self.name != self.name.strip():
            raise CampaignError(f"tier name {self.name!r} must be non-empty, without outer spaces",
                                "name")
        if isinstance(self.amount_fen, bool) or self.amount_fen <= 0:
            raise CampaignError(f"tier {self.name!r}: the prize must be a positive amount",
                                "amount_yuan")
        if isinstance(self.count, bool) or self.count <= 0:
            raise CampaignError(f"tier {self.name!r}: the number of prizes must be positive",
                                "count")

    @property
    def budget_fen(self) -> int:
        return self.amount_fen * self.count


@dataclass(frozen=True, slots=True)
class Period:
    """One draw period, ``opens`` to ``closes`` inclusive (China dates).

    ``tiers`` are listed largest prize first, which is also the order of their
    intervals in the draw. ``expected_entries`` is how many uploads the city
    expects in the period; a tier's odds are ``count / expected_entries``
    (sources.md#lottery: published odds not found, derive them from counts ÷ uploads),
    and all odds together must stay below 1.
    """

    index: int
    opens: date
    closes: date
    tiers: tuple[Tier, ...]
    expected_entries: int

    def __post_init__(self) -> None:
        if isinstance(self.index, bool) or self.index < 1:
            raise CampaignError(f"period index {self.index} must be 1 or more", "index")
        if self.closes < self.opens:
            raise CampaignError(
                f"period {self.index} closes on {self.closes} before it opens on {self.opens}",
                "closes",
            )
        if not self.tiers:
            raise CampaignError(f"period {self.index} has no prize tiers", "tiers")
        seen: set[str] = set()
        for position, tier in enumerate(self.tiers):
            if tier.name in seen:
                raise CampaignError(f"period {self.index} repeats a tier name: {tier.name!r}",
                                    f"tiers[{position}].name")
            seen.add(tier.name)
        for position, (bigger, smaller) in enumerate(pairwise(self.tiers), start=1):
            if smaller.amount_fen >= bigger.amount_fen:
                raise CampaignError(
                    f"period {self.index}: tiers must be listed largest prize first, "
                    f"but {smaller.name!r} ({yuan(smaller.amount_fen)}) follows "
                    f"{bigger.name!r} ({yuan(bigger.amount_fen)})",
                    f"tiers[{position}].amount_yuan",
                )
        if isinstance(self.expected_entries, bool) or self.expected_entries <= 0:
            raise CampaignError(f"period {self.index}: expected entries must be positive",
                                "expected_entries")
        if self.prize_count >= self.expected_entries:
            raise CampaignError(
                f"period {self.index}: {self.prize_count} prizes for {self.expected_entries} "
                "expected entries would make the odds of winning 1 or more; they must stay below 1",
                "expected_entries",
            )

    @property
    def prize_count(self) -> int:
        return sum(t.count for t in self.tiers)

    def tier(self, name: str) -> Tier | None:
        return next((t for t in self.tiers if t.name == name), None)

    def odds(self, tier: Tier) -> Fraction:
        """Per-draw odds of a tier: its count ÷ the expected uploads (sources.md#lottery)."""
        return Fraction(tier.count, self.expected_entries)

    @property
    def total_odds(self) -> Fraction:
        """Odds that a draw falls into any tier (sold out or not)."""
        return Fraction(self.prize_count, self.expected_entries)

    def budget_fen(self) -> int:
        return sum(t.budget_fen for t in self.tiers)

    def covers(self, day: date) -> bool:
        return self.opens <= day <= self.closes


@dataclass(frozen=True, slots=True)
class Campaign:
    """A city's lottery: who may enter, with what, how often, and the periods' prizes."""

    id: str
    name: str
    region: str
    min_amount_fen: int
    eligible_types: frozenset[str]
    per_person_daily: int
    per_person_monthly: int
    periods: tuple[Period, ...]

    def __post_init__(self) -> None:
        if not CAMPAIGN_ID.fullmatch(self.id):
            raise CampaignError(
                f"campaign id {self.id!r} must be 1-64 ASCII letters, digits, '_', '.' or '-', "
                "starting with a letter or digit",
                "id",
            )
        if not self.name.strip():
            raise CampaignError("the campaign needs a name", "name")
        if not self.region.strip():
            raise CampaignError("the campaign needs a region", "region")
        if self.min_amount_fen < MIN_AMOUNT_FLOOR_FEN:
            raise CampaignError(
                f"the minimum invoice amount {yuan(self.min_amount_fen)} yuan is below the "
                f"national floor of {yuan(MIN_AMOUNT_FLOOR_FEN)} yuan",
                "min_amount_yuan",
            )
        if not self.eligible_types:
            raise CampaignError("the campaign accepts no invoice type", "eligible_types")
        for code in sorted(self.eligible_types):
            if not _TYPE_CODE.fullmatch(code):
                raise CampaignError(f"invoice type {code!r} is not a two-digit type code",
                                    "eligible_types")
        if isinstance(self.per_person_daily, bool) or self.per_person_daily < 1:
            raise CampaignError("the daily limit per person must be at least 1",
                                "per_person_daily")
        if self.per_person_monthly < self.per_person_daily:
            raise CampaignError(
                f"the monthly limit per person ({self.per_person_monthly}) is below "
                f"the daily one ({self.per_person_daily})",
                "per_person_monthly",
            )
        if not self.periods:
            raise CampaignError("the campaign has no periods", "periods")
        for position, period in enumerate(self.periods, start=1):
            if period.index != position:
                raise CampaignError(
                    f"periods must be numbered 1, 2, 3 … in order; "
                    f"period {period.index} is in position {position}",
                    f"periods[{position - 1}].index",
                )
        for before, after in pairwise(self.periods):
            if after.opens <= before.closes:
                raise CampaignError(
                    f"period {after.index} opens on {after.opens}, but period {before.index} "
                    f"is open until {before.closes}: periods must not overlap",
                    f"periods[{after.index - 1}].opens",
                )
        for period in self.periods:
            top = period.tiers[0]
            if top.amount_fen > PRIZE_CAP_FEN:
                raise CampaignError(
                    f"period {period.index}: tier {top.name!r} pays {yuan(top.amount_fen)} yuan, "
                    f"above the national cap of {yuan(PRIZE_CAP_FEN)} yuan per invoice",
                    f"periods[{period.index - 1}].tiers[0].amount_yuan",
                )

    @property
    def opens(self) -> date:
        return self.periods[0].opens

    @property
    def closes(self) -> date:
        return self.periods[-1].closes

    def period_on(self, day: date) -> Period | None:
        """The period open on a (China) day, or None between periods and outside the campaign."""
        return next((p for p in self.periods if p.covers(day)), None)

    def period(self, index: int) -> Period:
        if 1 <= index <= len(self.periods):
            return self.periods[index - 1]
        raise CampaignError(f"campaign {self.id!r} has no period {index}")

    def budget_fen(self) -> int:
        """Every prize of every period, in fen."""
        return sum(p.budget_fen() for p in self.periods)


# --- eligibility -----------------------------------------------------------------------------


def check_entry(
    campaign: Campaign,
    *,
    invoice_type: str,
    invoice_number: str,
    amount_fen: int,
    issued_on: date,
    scanned_on: date,
    draws_today: int,
    draws_this_month: int,
) -> Period:
    """The period an invoice scanned on ``scanned_on`` is drawn in, or :class:`NotEligible`.

    ``amount_fen`` is the invoice total the consumer paid (价税合计); the campaign's
    minimum applies to it (sources.md#lottery: 数电普票 ≥ 100 yuan). ``draws_today`` and
    ``draws_this_month`` are the person's draws so far on that China day and in
    that calendar month, counted by the service. The period is the one open on
    the scan day (an instant draw); an invoice must be issued no earlier than
    the campaign opens and no later than it is scanned (sources.md#lottery does not say
    whether older invoices count; this platform says no). The service also
    checks the buyer's real name and that the invoice was never drawn before.
    """
    if invoice_type not in campaign.eligible_types:
        accepted = ", ".join(sorted(campaign.eligible_types))
        raise NotEligible(
            f"invoice type {invoice_type!r} is not eligible in this campaign (eligible: {accepted})"
        )
    if not (invoice_number.isascii() and invoice_number.isdigit()):
        raise NotEligible("an invoice number is made of digits only")
    if invoice_type in DIGITAL_TYPES and len(invoice_number) != DIGITAL_NUMBER_LENGTH:
        raise NotEligible(
            f"a fully digitalized invoice has a {DIGITAL_NUMBER_LENGTH}-digit number, "
            f"this one has {len(invoice_number)} digits"
        )
    if amount_fen < campaign.min_amount_fen:
        raise NotEligible(
            f"the invoice total {yuan(amount_fen)} yuan is below the campaign minimum of "
            f"{yuan(campaign.min_amount_fen)} yuan"
        )
    period = campaign.period_on(scanned_on)
    if period is None:
        raise NotEligible(f"no draw period of this campaign is open on {scanned_on}")
    if issued_on > scanned_on:
        raise NotEligible(f"the invoice is dated {issued_on}, after the day it is scanned")
    if issued_on < campaign.opens:
        raise NotEligible(
            f"the invoice is dated {issued_on}, before the campaign opened on {campaign.opens}"
        )
    if draws_today >= campaign.per_person_daily:
        raise NotEligible(
            f"you have drawn {draws_today} invoices today; "
            f"the limit is {campaign.per_person_daily} a day"
        )
    if draws_this_month >= campaign.per_person_monthly:
        raise NotEligible(
            f"you have drawn {draws_this_month} invoices in {scanned_on:%Y-%m}; "
            f"the limit is {campaign.per_person_monthly} a month"
        )
    return period

