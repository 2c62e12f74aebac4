"""The indicator catalogue of the tax payment credit evaluation, as dated data. Pure.

《纳税缴费信用管理办法》 (国家税务总局公告2025年第12号, in force 2025-07-01; sources.md#credit)
rates a taxpayer by deducting points from a starting score (art. 13) and rates D directly for a
serious violation (art. 16). ``data/indicators.json`` holds each indicator with its points, its
kind, how it counts and the days it is valid; the starting scores are dated the same way.

How an indicator counts (``counting``):

* ``per_occurrence`` — its points for every record that is at fault;
* ``per_month`` — its points once for every calendar month in which a record at fault fell due,
  however many did: the 2025 measures count late filing per month (按月计扣, sources.md#credit),
  where the 2014 measures counted each late return (``FILING_LATE_2014``, valid to
  2025-06-30);
* ``per_amount_band`` — the points of the band its amount falls in, per record;
* ``monthly_pattern`` — its points once for every calendar month with at least ``threshold``
  records (red-letter and voided invoices; the threshold is a choice, sources.md#credit-choices);
* ``month_run`` — its points once in the year when the months its records cover (a return's
  period) include ``consecutive`` months in a row or ``cumulative`` months in all (zero or
  negative VAT returns: 3 consecutive or 6 months);
* ``direct_d`` — any record rates D; ``direct_d_threshold`` — a record rates D when its amount
  is at least ``min_amount_fen`` and at least ``min_share_percent`` of its base (evasion of
  100,000 yuan or more that is 10 % or more of the tax due).

A deduction indicator may bar an A while it deducts (``no_a``: the reason the evaluation
names). Deduction indicators carry positive integer points; direct-D indicators carry none (they set
the level, not the score) but a ``d_repair_wait_months``. Figures no text read here gives are
marked ``choice`` in their ``source``. The catalogue is checked when loaded: a broken entry is a
:class:`~etax.errors.Fault` naming it (``indicators[3].points``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any, Final

from etax.errors import Fault
from etax.platform.data import load

KINDS: Final = ("filing", "payment", "invoice", "refund", "blacklist", "direct_d")
DEDUCTING: Final = ("per_occurrence", "per_month", "per_amount_band", "monthly_pattern",
                    "month_run")
DIRECT: Final = ("direct_d", "direct_d_threshold")
COUNTINGS: Final = DEDUCTING + DIRECT


@dataclass(frozen=True, slots=True)
class Band:
    """Amounts from ``from_fen`` (up to the next band's) cost ``points``."""

    from_fen: int
    points: int


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    description: str
    kind: str
    record_kind: str
    """the kind of record (:class:`etax.credit.evaluation.Record`) it reads"""
    counting: str
    valid_from: date
    valid_to: date | None
    source: str
    points: int = 0
    """deducted per count; 0 for a direct-D indicator and for a banded one (its bands say)"""
    bands: tuple[Band, ...] = ()
    threshold: int = 0
    min_amount_fen: int = 0
    min_share_percent: int = 0
    repairable: bool = False
    d_repair_wait_months: int = 0
    consecutive: int = 0
    cumulative: int = 0
    no_a: str | None = None
    """why a deduction of it bars an A (the reason the evaluation names); None: it does not"""

    @property
    def direct(self) -> bool:
        return self.counting in DIRECT

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def band_points(self, amount_fen: int) -> int:
        """The points of the band ``amount_fen`` falls in; 0 below the first band."""
        found = [band.points for band in self.bands if band.from_fen <= amount_fen]
        return found[-1] if found else 0


@dataclass(frozen=True, slots=True)
class StartingScores:
    """Art. 13: 100 with complete data, 93 with the recurring indicators' data complete, 90
    otherwise; valid from ``valid_from``."""

    valid_from: date
    valid_to: date | None
    complete: int
    recurring_complete: int
    otherwise: int
    source: str

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class Catalogue:
    indicators: tuple[Indicator, ...]
    starting: tuple[StartingScores, ...]

    def by_code(self, code: str) -> Indicator:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        raise Fault(f"no credit indicator {code}", field="code")

    def starting_on(self, day: date) -> StartingScores | None:
        found = [s for s in self.starting if s.valid_on(day)]
        return found[-1] if found else None

    @classmethod
    def shipped(cls) -> Catalogue:
        """The catalogue in ``data/indicators.json``."""
        return catalogue_from_dict(load("etax.credit", "indicators"))


def _day(raw: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise Fault(f"{field} is not a date: {raw!r}", field=field) from None


def _optional_day(raw: Any, field: str) -> date | None:
    return None if raw is None else _day(raw, field)


def _count(raw: Mapping[str, Any], key: str, field: str, *, positive: bool) -> int:
    value = raw.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 \
            or (positive and value == 0):
        raise Fault(f"{field}.{key} must be a {'positive' if positive else 'whole'} number",
                    field=f"{field}.{key}")
    return value


def _dates(raw: Mapping[str, Any], field: str) -> tuple[date, date | None]:
    valid_from = _day(raw.get("valid_from"), f"{field}.valid_from")
    valid_to = _optional_day(raw.get("valid_to"), f"{field}.valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise Fault(f"{field} ends before it starts", field=f"{field}.valid_to")
    return valid_from, valid_to


def _bands(raw: Sequence[Mapping[str, Any]], field: str) -> tuple[Band, ...]:
    bands = tuple(Band(_count(b, "from_fen", f"{field}.bands[{i}]", positive=True),
                       _count(b, "points", f"{field}.bands[{i}]", positive=True))
                  for i, b in enumerate(raw))
    if not bands or any(a.from_fen >= b.from_fen for a, b in pairwise(bands)):
        raise Fault(f"{field}.bands must be non-empty and rising", field=f"{field}.bands")
    return bands


def indicator_from_dict(raw: Mapping[str, Any], field: str) -> Indicator:
    """One entry of the catalogue, checked; errors name ``field`` (``indicators[3]``)."""
    texts = {}
    for key in ("code", "description", "kind", "record_kind", "counting", "source"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise Fault(f"{field}.{key} is missing", field=f"{field}.{key}")
        texts[key] = value
    if texts["kind"] not in KINDS:
        raise Fault(f"{field}.kind is not one of {KINDS}", field=f"{field}.kind")
    counting = texts["counting"]
    if counting not in COUNTINGS:
        raise Fault(f"{field}.counting is not one of {COUNTINGS}", field=f"{field}.counting")
    valid_from, valid_to = _dates(raw, field)
    common: dict[str, Any] = {"valid_from": valid_from, "valid_to": valid_to, **texts}
    if counting in DIRECT:
        if "points" in raw:
            raise Fault(f"{field} rates D directly: it deducts no points", field=f"{field}.points")
        common["d_repair_wait_months"] = _count(raw, "d_repair_wait_months", field, positive=True)
        if counting == "direct_d_threshold":
            common["min_amount_fen"] = _count(raw, "min_amount_fen", field, positive=True)
            common["min_share_percent"] = _count(raw, "min_share_percent", field, positive=True)
        return Indicator(**common)
    repairable = raw.get("repairable")
    if not isinstance(repairable, bool):
        raise Fault(f"{field}.repairable must be true or false", field=f"{field}.repairable")
    common["repairable"] = repairable
    no_a = raw.get("no_a")
    if no_a is not None and (not isinstance(no_a, str) or not no_a.strip()):
        raise Fault(f"{field}.no_a names the reason an A is barred", field=f"{field}.no_a")
    common["no_a"] = no_a
    if counting == "per_amount_band":
        return Indicator(bands=_bands(raw.get("bands") or [], field), **common)
    common["points"] = _count(raw, "points", field, positive=True)
    if counting == "monthly_pattern":
        common["threshold"] = _count(raw, "threshold", field, positive=True)
    if counting == "month_run":
        common["consecutive"] = _count(raw, "consecutive", field, positive=True)
        common["cumulative"] = _count(raw, "cumulative", field, positive=True)
    return Indicator(**common)


def catalogue_from_dict(data: Mapping[str, Any]) -> Catalogue:
    """The catalogue from its JSON form, every entry checked: codes unique, kinds and countings
    known, dates ordered, points positive, a source for each."""
    indicators = tuple(indicator_from_dict(raw, f"indicators[{i}]")
                       for i, raw in enumerate(data.get("indicators") or []))
    if not indicators:
        raise Fault("the credit catalogue lists no indicator", field="indicators")
    seen: set[str] = set()
    for i, indicator in enumerate(indicators):
        if indicator.code in seen:
            raise Fault(f"indicator code {indicator.code} is listed twice",
                        field=f"indicators[{i}].code")
        seen.add(indicator.code)
    starting = []
    for i, raw in enumerate(data.get("starting_scores") or []):
        field = f"starting_scores[{i}]"
        valid_from, valid_to = _dates(raw, field)
        scores = [_count(raw, key, field, positive=True)
                  for key in ("complete", "recurring_complete", "otherwise")]
        if not scores[0] >= scores[1] >= scores[2] or scores[0] > 100:
            raise Fault(f"{field}: scores must fall from complete to otherwise, at most 100",
                        field=field)
        source = raw.get("source")
        if not isinstance(source, str) or not source.strip():
            raise Fault(f"{field}.source is missing", field=f"{field}.source")
        starting.append(StartingScores(valid_from, valid_to, scores[0], scores[1], scores[2],
                                       source))
    if not starting:
        raise Fault("the credit catalogue has no starting scores", field="starting_scores")
    return Catalogue(indicators, tuple(sorted(starting, key=lambda s: s.valid_from)))
