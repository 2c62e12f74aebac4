"""Instant invoice lottery (有奖发票): campaigns, the draw, and its audit.

A consumer scans the QR code of an eligible invoice and is drawn at once. The
rules here are pure (no clock, no storage, no network); the service supplies
the facts it owns: the period's seed, the inventory left, the person's counts.

Campaigns (FACTS.md §6)
    The 2026 national pilot lets each city set the minimum invoice amount
    (**at least 100 yuan**), the win ratio and the prize tiers, with **at most
    800 yuan per invoice**; both are enforced by :class:`Campaign`. Cities add
    per-person limits, e.g. Ningbo 2 invoices a day and 20 a month, the
    national platforms 30 a month. Campaigns are data (:func:`campaign_from_dict`),
    and :data:`YANTAI_2026` reproduces Yantai's published table exactly.

Odds (FACTS.md §6: "Published per-draw odds: not found. Derive odds from prize
counts ÷ uploads")
    Each :class:`Period` carries ``expected_entries``, the number of uploads the
    city expects, and a tier's per-draw odds are ``count / expected_entries``.
    If more people upload than expected, the last tiers to be drawn sell out;
    if fewer, prizes are left over. Either way the odds of a draw never depend
    on the order of scans.

The draw
    ``value = HMAC-SHA256(key=period seed, message)`` read as a big-endian
    256-bit integer, uniform in ``[0, 2**256)``. The message is the compact JSON
    array ``["etax-lottery-draw/1",<campaign id>,<period index>,<invoice number>]``
    (no spaces, ASCII), e.g.
    ``["etax-lottery-draw/1","yantai-2026",1,"23442000000014209621"]``; campaign
    ids and invoice numbers are restricted to ASCII so these bytes are the same
    in every language an auditor may use. ``[0, 2**256)`` is cut into
    consecutive intervals, one per tier **in the order the period lists them,
    which must be largest prize first**, each ``count / expected_entries`` of
    the range wide (to within one part in ``2**256``, computed exactly with
    integers); the rest is "no prize". The value depends only on the seed and
    the invoice, so the draw is the same whatever the order of scans, and an
    invoice can be drawn only once per seed (the service keeps "one draw per
    invoice ever" with a conditional write).

Sold out
    The service knows which tiers have no inventory left (sharded counters with
    conditional writes) and passes their names to :func:`draw`, or calls
    :meth:`Draw.mark_sold_out` after a failed conditional write. A value that
    falls into a sold-out tier is ``"sold_out"`` and wins nothing: it does
    **not** cascade to a smaller tier, so the odds of every other tier stay
    ``count / expected_entries`` whatever the order of scans, and the auditor
    can check sold-outs by counting wins alone. A tier is sold out only when
    every shard is empty: :func:`replay` flags a sold-out declared while prizes
    of that tier were still unwon.

Seeds: commit, then reveal (FACTS.md §6: draws are notarized and published)
    Before a period opens the operator publishes ``commitment(seed)``, the
    SHA-256 of its 32 random bytes; after it closes it reveals the seed, and
    anyone can recompute every draw with :func:`replay`. The commitment stops
    the operator from choosing a seed after seeing the scans; keeping the seed
    secret until the close stops consumers from predicting which invoices win.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from fractions import Fraction
from itertools import pairwise
from typing import Final, Literal, cast

from etax.rules import money

# --- national limits and constants (FACTS.md §6) -------------------------------------------

MIN_AMOUNT_FLOOR_FEN: Final = 100_00
"""A city's minimum invoice amount may not be below 100 yuan (2026 national pilot, FACTS §6)."""

PRIZE_CAP_FEN: Final = 800_00
"""No invoice may win more than 800 yuan (2026 national pilot, FACTS §6)."""

DIGITAL_ORDINARY: Final = "32"
"""Invoice type of a fully digitalized ordinary invoice (数电普票), FACTS §2 and §6."""

DIGITAL_TYPES: Final = frozenset({"31", "32"})
"""Fully digitalized invoice types (数电专票, 数电普票): a 20-digit number (FACTS §2)."""

DIGITAL_NUMBER_LENGTH: Final = 20

SEED_BYTES: Final = 32
VALUE_BITS: Final = 256
VALUE_RANGE: Final = 1 << VALUE_BITS
MESSAGE_VERSION: Final = "etax-lottery-draw/1"

CHINA_TZ: Final = timezone(timedelta(hours=8), "UTC+08:00")
"""Period dates are local dates in China (UTC+8, no daylight saving)."""

Result = Literal["won", "no_prize", "sold_out"]
WON: Final = "won"
NO_PRIZE: Final = "no_prize"
SOLD_OUT: Final = "sold_out"
RESULTS: Final[frozenset[str]] = frozenset({WON, NO_PRIZE, SOLD_OUT})

_CAMPAIGN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_TYPE_CODE = re.compile(r"[0-9]{2}")
_HEX64 = re.compile(r"[0-9a-f]{64}")


# --- errors ----------------------------------------------------------------------------------


class LotteryError(ValueError):
    """Something in the lottery cannot be; ``reason`` says why, in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class CampaignError(LotteryError):
    """A campaign, period or tier breaks a rule; ``reason`` says which, and ``field`` (when
    known) is where, as a path into :func:`campaign_to_dict`'s form with list positions from
    0: ``periods[0].tiers[1].amount_yuan``. A period's or tier's own checks name the field
    relative to it (``amount_yuan``); :func:`campaign_from_dict` puts them in place."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.field = field

    def under(self, prefix: str) -> CampaignError:
        """The same error, its field placed under ``prefix`` (e.g. ``periods[0]``)."""
        return CampaignError(self.reason, field_path(prefix, self.field))


def field_path(prefix: str, field: str | None) -> str:
    """``periods[0]`` + ``tiers[1].name`` → ``periods[0].tiers[1].name``."""
    if not field:
        return prefix
    if not prefix:
        return field
    return prefix + field if field.startswith("[") else f"{prefix}.{field}"


class RecordError(LotteryError):
    """A draw record is malformed (not merely wrong: :func:`replay` judges that)."""


class NotEligible(LotteryError):
    """An invoice may not be drawn; ``reason`` is what the consumer is told."""


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
    (FACTS §6: published odds not found, derive them from counts ÷ uploads),
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
        """Per-draw odds of a tier: its count ÷ the expected uploads (FACTS §6)."""
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
        if not _CAMPAIGN_ID.fullmatch(self.id):
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
    minimum applies to it (FACTS §6: 数电普票 ≥ 100 yuan). ``draws_today`` and
    ``draws_this_month`` are the person's draws so far on that China day and in
    that calendar month, counted by the service. The period is the one open on
    the scan day (an instant draw); an invoice must be issued no earlier than
    the campaign opens and no later than it is scanned (FACTS §6 does not say
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


# --- campaigns as data -----------------------------------------------------------------------


def campaign_to_dict(c: Campaign) -> dict[str, object]:
    """A JSON-able campaign: amounts as yuan strings (``"800.00"``), dates ISO."""
    return {
        "id": c.id,
        "name": c.name,
        "region": c.region,
        "min_amount_yuan": yuan(c.min_amount_fen),
        "eligible_types": sorted(c.eligible_types),
        "per_person_daily": c.per_person_daily,
        "per_person_monthly": c.per_person_monthly,
        "periods": [
            {
                "index": p.index,
                "opens": p.opens.isoformat(),
                "closes": p.closes.isoformat(),
                "expected_entries": p.expected_entries,
                "tiers": [
                    {"name": t.name, "amount_yuan": yuan(t.amount_fen), "count": t.count}
                    for t in p.tiers
                ],
            }
            for p in c.periods
        ],
    }


_CAMPAIGN_KEYS = frozenset(
    {"id", "name", "region", "min_amount_yuan", "eligible_types", "per_person_daily",
     "per_person_monthly", "periods"}
)
_PERIOD_KEYS = frozenset({"index", "opens", "closes", "expected_entries", "tiers"})
_TIER_KEYS = frozenset({"name", "amount_yuan", "count"})

MAX_TEXT: Final[Mapping[str, int]] = {
    "id": 64, "name": 100, "region": 40, "eligible_types": 8, "opens": 10, "closes": 10,
    "min_amount_yuan": 24, "amount_yuan": 24, "tier_name": 40,
}
"""The longest string each key of the campaign data may hold (``tier_name``: a tier's
``name``): longer is refused before it is read, so no message repeats a long value."""

MAX_ITEMS: Final[Mapping[str, int]] = {"periods": 400, "tiers": 20, "eligible_types": 10}
"""The longest list each key may hold (400 periods: a daily draw for more than a year)."""

_SHOWN_KEY = 40


def _shown(key: str) -> str:
    """A key of the client's as a message or a field path shows it: at most 40 characters."""
    return key if len(key) <= _SHOWN_KEY else key[:_SHOWN_KEY] + "…"


def _where(path: str) -> str:
    return path or "the campaign"


def _mapping(value: object, path: str, keys: frozenset[str]) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise CampaignError(f"{_where(path)} must be an object", path or None)
    data = cast(Mapping[str, object], value)
    missing = sorted(keys - data.keys())
    if missing:
        raise CampaignError(f"{_where(path)} lacks {', '.join(missing)}",
                            field_path(path, missing[0]))
    unknown = sorted(str(k) for k in data.keys() - keys)
    if unknown:
        shown = ", ".join(_shown(k) for k in unknown[:3]) + (", …" if len(unknown) > 3 else "")
        raise CampaignError(f"{_where(path)} has unknown keys: {shown}",
                            field_path(path, _shown(unknown[0])))
    return data


def _str(data: Mapping[str, object], key: str, path: str, limit: str | None = None) -> str:
    value = data[key]
    field = field_path(path, key)
    if not isinstance(value, str):
        raise CampaignError(f"{field} must be a string", field)
    longest = MAX_TEXT[limit or key]
    if len(value) > longest:
        raise CampaignError(f"{field} is {len(value)} characters long; at most {longest}",
                            field)
    return value


def _int(data: Mapping[str, object], key: str, path: str) -> int:
    value = data[key]
    field = field_path(path, key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CampaignError(f"{field} must be a whole number", field)
    return value


def _list(data: Mapping[str, object], key: str, path: str) -> list[object]:
    value = data[key]
    field = field_path(path, key)
    if not isinstance(value, list):
        raise CampaignError(f"{field} must be a list", field)
    if len(value) > MAX_ITEMS[key]:
        raise CampaignError(f"{field} has {len(value)} items; at most {MAX_ITEMS[key]}", field)
    return cast(list[object], value)


def _date(data: Mapping[str, object], key: str, path: str) -> date:
    text = _str(data, key, path)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CampaignError(f"{field_path(path, key)} {text!r} is not a date like 2026-02-13",
                            field_path(path, key)) from None


def _yuan(data: Mapping[str, object], key: str, path: str) -> int:
    text = _str(data, key, path)
    try:
        return parse_yuan(text)
    except CampaignError as error:
        raise CampaignError(f"{field_path(path, key)}: {error.reason}",
                            field_path(path, key)) from None


def campaign_from_dict(data: Mapping[str, object]) -> Campaign:
    """The inverse of :func:`campaign_to_dict`; any defect raises :class:`CampaignError`
    naming the failing value's path (``periods[0].tiers[1].amount_yuan``, positions from 0).

    Every string and list is bounded (:data:`MAX_TEXT`, :data:`MAX_ITEMS`) before it is read.
    """
    top = _mapping(data, "", _CAMPAIGN_KEYS)
    types = _list(top, "eligible_types", "")
    for position, code in enumerate(types):
        field = f"eligible_types[{position}]"
        if not isinstance(code, str):
            raise CampaignError("eligible_types must be strings", field)
        if len(code) > MAX_TEXT["eligible_types"]:
            raise CampaignError(f"{field} is {len(code)} characters long; at most "
                                f"{MAX_TEXT['eligible_types']}", field)
    periods = []
    for position, raw_period in enumerate(_list(top, "periods", "")):
        where = f"periods[{position}]"
        p = _mapping(raw_period, where, _PERIOD_KEYS)
        tiers = []
        for number, raw_tier in enumerate(_list(p, "tiers", where)):
            tier_where = f"{where}.tiers[{number}]"
            t = _mapping(raw_tier, tier_where, _TIER_KEYS)
            try:
                tiers.append(
                    Tier(
                        name=_str(t, "name", tier_where, "tier_name"),
                        amount_fen=_yuan(t, "amount_yuan", tier_where),
                        count=_int(t, "count", tier_where),
                    )
                )
            except CampaignError as error:
                raise _placed(error, tier_where) from None
        try:
            periods.append(
                Period(
                    index=_int(p, "index", where),
                    opens=_date(p, "opens", where),
                    closes=_date(p, "closes", where),
                    tiers=tuple(tiers),
                    expected_entries=_int(p, "expected_entries", where),
                )
            )
        except CampaignError as error:
            raise _placed(error, where) from None
    return Campaign(
        id=_str(top, "id", ""),
        name=_str(top, "name", ""),
        region=_str(top, "region", ""),
        min_amount_fen=_yuan(top, "min_amount_yuan", ""),
        eligible_types=frozenset(cast(list[str], types)),
        per_person_daily=_int(top, "per_person_daily", ""),
        per_person_monthly=_int(top, "per_person_monthly", ""),
        periods=tuple(periods),
    )


def _placed(error: CampaignError, where: str) -> CampaignError:
    """An error of a period's or tier's own checks placed at ``where``; errors of the
    reader (already a full path, starting with ``periods``) are kept as they are."""
    if error.field is not None and error.field.startswith("periods["):
        return error
    return error.under(where)


# --- Yantai 2026 (FACTS.md §6) ---------------------------------------------------------------


def _yantai() -> Campaign:
    """Yantai's 2026 scheme, reproduced from its published table (FACTS §6).

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

    Expected entries (not published, FACTS §6 "odds: not found"): five uploads
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


# --- seeds -----------------------------------------------------------------------------------


def new_seed() -> bytes:
    """A period's secret seed: 32 bytes from the operating system's CSPRNG."""
    return secrets.token_bytes(SEED_BYTES)


def commitment(seed: bytes) -> str:
    """What is published before the period opens: the hex SHA-256 of the seed."""
    return hashlib.sha256(seed).hexdigest()


def verify_reveal(seed: bytes, commitment_hex: str) -> bool:
    """True when a revealed seed is the one committed to (hex compared case-insensitively)."""
    return hmac.compare_digest(commitment(seed), commitment_hex.strip().lower())


# --- the draw --------------------------------------------------------------------------------


def draw_message(campaign_id: str, period_index: int, invoice_number: str) -> bytes:
    """The canonical bytes that are HMAC'd: a compact ASCII JSON array (see module doc)."""
    if not _CAMPAIGN_ID.fullmatch(campaign_id):
        raise LotteryError(f"campaign id {campaign_id!r} is not a valid campaign id")
    if isinstance(period_index, bool) or period_index < 1:
        raise LotteryError(f"period index {period_index} must be 1 or more")
    if not (invoice_number.isascii() and invoice_number.isdigit()):
        raise LotteryError(f"invoice number {invoice_number!r} must be digits only")
    # The checks above leave nothing JSON would escape, so this f-string is exactly
    # json.dumps([...], separators=(",", ":")) (the unit tests hold it to that).
    return f'["{MESSAGE_VERSION}","{campaign_id}",{period_index},"{invoice_number}"]'.encode(
        "ascii"
    )


def draw_value(seed: bytes, campaign_id: str, period_index: int, invoice_number: str) -> int:
    """HMAC-SHA256(seed, message) as an integer, uniform in ``[0, 2**256)``.

    An integer (not a Fraction) so that it is exact and prints as the 64 hex
    digits recorded for the auditor.
    """
    if len(seed) != SEED_BYTES:
        raise LotteryError(f"a seed has {SEED_BYTES} bytes, this one has {len(seed)}")
    digest = hmac.digest(seed, draw_message(campaign_id, period_index, invoice_number), "sha256")
    return int.from_bytes(digest, "big")


def value_hex(value: int) -> str:
    """A draw value as the 64 lower-case hex digits kept in records."""
    return f"{value:064x}"


def tier_bounds(period: Period) -> tuple[tuple[Tier, int, int], ...]:
    """Each tier with its interval ``[low, high)`` of draw values, largest prize first.

    ``low`` and ``high`` are the smallest integers ``v`` with
    ``v / 2**256 ≥ cumulative odds``, so a tier's interval is
    ``count / expected_entries`` of the range to within one value in ``2**256``.
    """
    bounds = []
    low = 0
    cumulative = 0
    for tier in period.tiers:
        cumulative += tier.count
        high = -(-(cumulative << VALUE_BITS) // period.expected_entries)  # ceiling
        bounds.append((tier, low, high))
        low = high
    return tuple(bounds)


def tier_for(value: int, period: Period) -> Tier | None:
    """The tier whose interval holds ``value``, or None for no prize.

    Exact: the value is in the k-th tier when
    ``C(k-1) · 2**256 ≤ value · expected_entries < C(k) · 2**256``, with ``C(k)``
    the count of tiers 1..k, tiers in the period's order (largest prize first).
    """
    if isinstance(value, bool) or not 0 <= value < VALUE_RANGE:
        raise LotteryError("a draw value lies in [0, 2**256)")
    scaled = value * period.expected_entries
    cumulative = 0
    for tier in period.tiers:
        cumulative += tier.count
        if scaled < cumulative << VALUE_BITS:
            return tier
    return None


@dataclass(frozen=True, slots=True)
class DrawRecord:
    """What an auditor needs to replay one draw (stored by the service, exported for audit).

    ``tier`` is the tier's name or None; ``result`` is ``"won"``, ``"no_prize"``
    or ``"sold_out"``; ``drawn_at`` is timezone-aware. Only the form is checked
    here; whether the record is *right* is :func:`replay`'s question.
    """

    campaign_id: str
    period_index: int
    invoice_number: str
    value_hex: str
    tier: str | None
    result: Result
    drawn_at: datetime

    def __post_init__(self) -> None:
        if not _HEX64.fullmatch(self.value_hex):
            raise RecordError(
                f"invoice {self.invoice_number}: the draw value must be 64 lower-case hex digits"
            )
        if self.result not in RESULTS:
            raise RecordError(
                f"invoice {self.invoice_number}: result {self.result!r} is not one of "
                f"{', '.join(sorted(RESULTS))}"
            )
        if self.drawn_at.utcoffset() is None:
            raise RecordError(f"invoice {self.invoice_number}: drawn_at needs a time zone")


@dataclass(frozen=True, slots=True)
class Draw:
    """The outcome of one draw, before it is stored."""

    campaign_id: str
    period_index: int
    invoice_number: str
    value: int
    tier: Tier | None
    result: Result

    @property
    def value_hex(self) -> str:
        return value_hex(self.value)

    @property
    def prize_fen(self) -> int:
        """What the consumer receives: the tier's amount if won, else 0."""
        return self.tier.amount_fen if self.tier is not None and self.result == WON else 0

    def mark_sold_out(self) -> Draw:
        """The same draw after the service found its tier's inventory exhausted."""
        if self.tier is None:
            raise LotteryError("a draw without a tier cannot be sold out")
        return replace(self, result=SOLD_OUT)

    def to_record(self, drawn_at: datetime) -> DrawRecord:
        return DrawRecord(
            campaign_id=self.campaign_id,
            period_index=self.period_index,
            invoice_number=self.invoice_number,
            value_hex=self.value_hex,
            tier=self.tier.name if self.tier is not None else None,
            result=self.result,
            drawn_at=drawn_at,
        )


def draw(
    seed: bytes,
    campaign_id: str,
    period: Period,
    invoice_number: str,
    sold_out: Container[str] = frozenset(),
) -> Draw:
    """Draw one invoice: the tier its value falls in, and whether that tier is sold out.

    ``sold_out`` holds the names of tiers with no inventory left (any container:
    a set, or an object asking the counters lazily). A value in a sold-out tier
    wins nothing and does not fall through to another tier (see module doc).
    """
    value = draw_value(seed, campaign_id, period.index, invoice_number)
    tier = tier_for(value, period)
    result: Result
    if tier is None:
        result = NO_PRIZE
    elif tier.name in sold_out:
        result = SOLD_OUT
    else:
        result = WON
    return Draw(campaign_id, period.index, invoice_number, value, tier, result)


# --- records as data -------------------------------------------------------------------------

_RECORD_KEYS = frozenset(
    {"campaign_id", "period_index", "invoice_number", "value_hex", "tier", "result", "drawn_at"}
)


def record_to_dict(record: DrawRecord) -> dict[str, object]:
    """A JSON-able record; ``drawn_at`` as ISO 8601 with its offset."""
    return {
        "campaign_id": record.campaign_id,
        "period_index": record.period_index,
        "invoice_number": record.invoice_number,
        "value_hex": record.value_hex,
        "tier": record.tier,
        "result": record.result,
        "drawn_at": record.drawn_at.isoformat(),
    }


def record_from_dict(data: Mapping[str, object]) -> DrawRecord:
    """The inverse of :func:`record_to_dict`; a malformed record raises :class:`RecordError`."""
    if not isinstance(data, Mapping):
        raise RecordError("a draw record must be an object")
    missing = sorted(_RECORD_KEYS - data.keys())
    if missing:
        raise RecordError(f"a draw record lacks {', '.join(missing)}")
    unknown = sorted(str(k) for k in data.keys() - _RECORD_KEYS)
    if unknown:
        raise RecordError(f"a draw record has unknown keys: {', '.join(unknown)}")
    strings = {}
    for key in ("campaign_id", "invoice_number", "value_hex", "result", "drawn_at"):
        value = data[key]
        if not isinstance(value, str):
            raise RecordError(f"a draw record's {key} must be a string")
        strings[key] = value
    number = strings["invoice_number"]
    index = data["period_index"]
    if isinstance(index, bool) or not isinstance(index, int):
        raise RecordError(f"invoice {number}: period_index must be a whole number")
    tier = data["tier"]
    if tier is not None and not isinstance(tier, str):
        raise RecordError(f"invoice {number}: tier must be a name or null")
    try:
        drawn_at = datetime.fromisoformat(strings["drawn_at"])
    except ValueError:
        raise RecordError(
            f"invoice {number}: drawn_at {strings['drawn_at']!r} is not an ISO 8601 time"
        ) from None
    return DrawRecord(
        campaign_id=strings["campaign_id"],
        period_index=index,
        invoice_number=number,
        value_hex=strings["value_hex"],
        tier=tier,
        result=cast(Result, strings["result"]),
        drawn_at=drawn_at,
    )


# --- audit -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Discrepancy:
    """One thing wrong in a period's records; ``invoice_number`` None for the period as a whole."""

    invoice_number: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ReplayReport:
    """What a replay found. Counts are as recorded; ``discrepancies`` say where they are wrong.

    ``wins`` and ``sold_out`` map each tier name of the period (in its order) to
    the number of records claiming it; ``paid_fen`` is the recorded wins times
    their amounts, the period's payout.
    """

    campaign_id: str
    period_index: int
    seed_ok: bool
    draws: int
    wins: dict[str, int]
    sold_out: dict[str, int]
    no_prize: int
    paid_fen: int
    discrepancies: tuple[Discrepancy, ...]

    @property
    def ok(self) -> bool:
        return not self.discrepancies


def _check_record(
    seed: bytes, period: Period, campaign_id: str, record: DrawRecord
) -> tuple[list[str], Tier | None]:
    """Reasons a single record is wrong, and the tier it rightly counts against (if any)."""
    if record.campaign_id != campaign_id or record.period_index != period.index:
        return [
            f"recorded for campaign {record.campaign_id!r} period {record.period_index}, "
            f"not campaign {campaign_id!r} period {period.index}"
        ], None
    reasons = []
    day = record.drawn_at.astimezone(CHINA_TZ).date()
    if not period.covers(day):
        reasons.append(f"drawn on {day}, outside the period ({period.opens} to {period.closes})")
    try:
        value = draw_value(seed, campaign_id, period.index, record.invoice_number)
    except LotteryError as error:
        return [*reasons, error.reason], None
    if record.value_hex != value_hex(value):
        reasons.append(f"recorded value {record.value_hex} but the seed gives {value_hex(value)}")
    expected = tier_for(value, period)
    if record.result == NO_PRIZE:
        if expected is not None:
            reasons.append(f"recorded no prize, but the value falls in tier {expected.name!r}")
        elif record.tier is not None:
            reasons.append(f"recorded no prize but names tier {record.tier!r}")
        return reasons, None
    if expected is None:
        reasons.append(
            f"recorded {record.result} in tier {record.tier!r}, but the value wins no prize"
        )
        return reasons, None
    if record.tier != expected.name:
        reasons.append(
            f"recorded {record.result} in tier {record.tier!r}, "
            f"but the value falls in tier {expected.name!r}"
        )
        return reasons, None
    return reasons, expected


def replay(
    seed: bytes,
    commitment: str,
    period: Period,
    campaign_id: str,
    records: Iterable[DrawRecord],
) -> ReplayReport:
    """Recompute every draw of a closed period and report every discrepancy.

    Checks, in order: the revealed seed matches the published commitment (if
    not, nothing else can be trusted and nothing else is checked); then per
    record: it belongs to this campaign and period, its invoice was not drawn
    twice, it was drawn on a day of the period (China time), its value is the
    one the seed gives, and its result agrees with the recomputed tier (a "won"
    names that tier, a "no_prize" has none, a "sold_out" names that tier);
    then per tier: wins never exceed the count (the wins beyond the count, by
    ``drawn_at``, are flagged), and when any draw of the tier was "sold_out"
    the wins equal the count (otherwise every such sold-out is flagged).

    Whether a sold-out came *after* the last win is not checked: with sharded
    counters, concurrent draws may record their times slightly out of order.
    """
    kept = list(records)
    wins = {t.name: 0 for t in period.tiers}
    sold = {t.name: 0 for t in period.tiers}
    no_prize = 0
    for record in kept:
        if record.result == NO_PRIZE:
            no_prize += 1
        elif record.tier is not None and record.tier in wins:
            (wins if record.result == WON else sold)[record.tier] += 1
    found: list[Discrepancy] = []

    def report(seed_ok: bool) -> ReplayReport:
        return ReplayReport(
            campaign_id=campaign_id,
            period_index=period.index,
            seed_ok=seed_ok,
            draws=len(kept),
            wins=wins,
            sold_out=sold,
            no_prize=no_prize,
            paid_fen=sum(t.amount_fen * wins[t.name] for t in period.tiers),
            discrepancies=tuple(found),
        )

    if not verify_reveal(seed, commitment):
        found.append(
            Discrepancy(
                None,
                "the revealed seed does not match the published commitment; "
                "no draw of this period can be verified",
            )
        )
        return report(False)
    if len(seed) != SEED_BYTES:
        found.append(Discrepancy(None, f"the seed has {len(seed)} bytes; draws use {SEED_BYTES}"))
        return report(True)

    seen: set[str] = set()
    won_by_tier: dict[str, list[DrawRecord]] = {t.name: [] for t in period.tiers}
    sold_by_tier: dict[str, list[DrawRecord]] = {t.name: [] for t in period.tiers}
    for record in kept:
        reasons, tier = _check_record(seed, period, campaign_id, record)
        if record.invoice_number in seen:
            reasons.insert(0, "drawn more than once (one draw per invoice ever)")
        seen.add(record.invoice_number)
        found.extend(Discrepancy(record.invoice_number, reason) for reason in reasons)
        if tier is not None:
            (won_by_tier if record.result == WON else sold_by_tier)[tier.name].append(record)

    for tier in period.tiers:
        won = sorted(won_by_tier[tier.name], key=lambda r: (r.drawn_at, r.invoice_number))
        if len(won) > tier.count:
            for number, record in enumerate(won[tier.count:], start=tier.count + 1):
                found.append(
                    Discrepancy(
                        record.invoice_number,
                        f"tier {tier.name!r} has {tier.count} prizes, but this is win "
                        f"number {number} by time: the tier is oversold",
                    )
                )
        elif sold_by_tier[tier.name] and len(won) < tier.count:
            for record in sold_by_tier[tier.name]:
                found.append(
                    Discrepancy(
                        record.invoice_number,
                        f"recorded sold out, but only {len(won)} of the {tier.count} "
                        f"prizes of tier {tier.name!r} were won",
                    )
                )
    return report(True)
