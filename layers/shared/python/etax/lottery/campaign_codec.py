"""A campaign as data: the JSON form clients send and the table stores.

:func:`campaign_to_dict` writes amounts as yuan strings (``"800.00"``) and dates as ISO;
:func:`campaign_from_dict` reads that form back, bounding every string and list before it
reads it, and raises :class:`~etax.lottery.errors.CampaignError` naming the failing value
by path (``periods[0].tiers[1].amount_yuan``, positions from 0): the API returns that
path as the problem's field, so the wording here is part of the API.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Final, cast

from etax.lottery.campaigns import Campaign, Period, Tier, parse_yuan, yuan
from etax.lottery.errors import CampaignError, field_path

__all__ = ["MAX_ITEMS", "MAX_TEXT", "campaign_from_dict", "campaign_to_dict"]


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

