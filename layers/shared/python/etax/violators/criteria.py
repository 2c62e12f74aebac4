"""The listing criteria (``data/criteria.json``, sources.md#violators), checked on a case's facts.

Amounts are integer fen, shares :class:`~decimal.Decimal`, counts ints, flags bools. A case is
listed when it meets at least one criterion; :func:`check` answers which, and
:func:`require_listed` refuses a case under every threshold with a problem naming the field of
the criterion nearest to being met (the largest share of its threshold reached).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any, Final

from etax.errors import Fault, Invalid
from etax.platform.data import load

FEN_PER_YUAN: Final = 100


@dataclass(frozen=True, slots=True)
class Facts:
    """What the case decision established: amounts in fen, counts, flags."""

    evaded: int = 0                  # 偷税数额
    tax_due: int = 0                 # that year's total tax due (for the 10 % share)
    withheld_not_remitted: int = 0   # 已扣已收税款不缴、少缴
    arrears_hidden: int = 0          # 转移、隐匿财产妨碍追缴的欠税
    export_refund_fraud: bool = False
    violent_refusal: bool = False
    false_special_invoices: int = 0  # 虚开专票份数
    false_ordinary_invoices: int = 0  # 虚开普票份数
    false_ordinary_amount: int = 0   # 虚开普票金额
    forged_invoices: bool = False
    absconded: bool = False
    assisted_loss: int = 0
    agent_loss: int = 0

    def value(self, name: str) -> int | bool:
        value: int | bool = getattr(self, name)
        return value


AMOUNTS: Final = frozenset({"evaded", "tax_due", "withheld_not_remitted", "arrears_hidden",
                            "false_ordinary_amount", "assisted_loss", "agent_loss"})
FACT_NAMES: Final = frozenset(f.name for f in fields(Facts))


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    at_least: int | None = None        # fen for amounts, a count otherwise
    share_at_least: Decimal | None = None
    over: str | None = None            # the share's denominator
    flag: bool = False

    def holds(self, facts: Facts) -> bool:
        return self.reached(facts) >= 1

    def reached(self, facts: Facts) -> Decimal:
        """How far the facts are toward the condition: 1 or more when it holds."""
        value = facts.value(self.field)
        if self.flag:
            return Decimal(1) if value is True else Decimal(0)
        if self.share_at_least is not None:
            assert self.over is not None
            total = facts.value(self.over)
            if not total:
                return Decimal(0)
            return Decimal(int(value)) / Decimal(int(total)) / self.share_at_least
        assert self.at_least is not None
        return Decimal(int(value)) / Decimal(self.at_least)

    def describe(self) -> str:
        if self.flag:
            return f"{self.field} is true"
        if self.share_at_least is not None:
            return f"{self.field} / {self.over} ≥ {self.share_at_least}"
        threshold = (f"{Decimal(self.at_least or 0) / FEN_PER_YUAN:.2f} yuan"
                     if self.field in AMOUNTS else str(self.at_least))
        return f"{self.field} ≥ {threshold}"


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    description: str
    any_of: tuple[tuple[Condition, ...], ...]

    def met(self, facts: Facts) -> bool:
        return any(all(c.holds(facts) for c in group) for group in self.any_of)

    def nearest(self, facts: Facts) -> tuple[Decimal, Condition]:
        """How near the facts come (the best group's weakest condition) and that condition."""
        best: tuple[Decimal, Condition] | None = None
        for group in self.any_of:
            weakest = min(((c.reached(facts), c) for c in group), key=lambda pair: pair[0])
            if best is None or weakest[0] > best[0]:
                best = weakest
        assert best is not None
        return best


@dataclass(frozen=True, slots=True)
class Criteria:
    valid_from: date
    criteria: tuple[Criterion, ...]

    def check(self, facts: Facts) -> tuple[str, ...]:
        """The codes of the criteria the facts meet, in the data's order."""
        return tuple(c.code for c in self.criteria if c.met(facts))

    def describe(self, code: str) -> str:
        return next(c.description for c in self.criteria if c.code == code)

    def require_listed(self, facts: Facts) -> tuple[str, ...]:
        """The criteria met; :class:`~etax.errors.Invalid` naming the field and the criterion
        nearest to being met when none is."""
        met = self.check(facts)
        if met:
            return met
        nearness, condition, criterion = max(
            ((*c.nearest(facts), c) for c in self.criteria), key=lambda t: t[0])
        raise Invalid(
            f"the case meets no listing criterion; the nearest is {criterion.code} "
            f"({criterion.description}), which needs {condition.describe()}",
            field=f"facts.{condition.field}",
            extra={"criterion": criterion.code, "reached": f"{min(nearness, Decimal(1)):.4f}"})


def _amount_or_count(field: str, value: Any) -> int:
    if field in AMOUNTS:
        return int(Decimal(str(value)) * FEN_PER_YUAN)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Fault(f"the criterion on {field} needs a whole count", field=field)
    return value


def _condition(raw: Mapping[str, Any]) -> Condition:
    name = str(raw["field"])
    if name not in FACT_NAMES:
        raise Fault(f"a criterion names an unknown fact {name}", field=name)
    if raw.get("true"):
        return Condition(name, flag=True)
    if "share_at_least" in raw:
        return Condition(name, share_at_least=Decimal(str(raw["share_at_least"])),
                         over=str(raw["over"]))
    return Condition(name, at_least=_amount_or_count(name, raw["at_least"]))


def criteria_from(version: Mapping[str, Any]) -> Criteria:
    return Criteria(
        valid_from=date.fromisoformat(version["valid_from"]),
        criteria=tuple(Criterion(code=c["code"], description=c["description"],
                                 any_of=tuple(tuple(_condition(x) for x in group)
                                              for group in c["any_of"]))
                       for c in version["criteria"]))


def versions() -> Sequence[Criteria]:
    return tuple(criteria_from(v) for v in load("etax.violators", "criteria")["versions"])


def in_force(on: date) -> Criteria:
    """The criteria in force on ``on`` (the day the decision was served)."""
    applicable = [v for v in versions() if v.valid_from <= on]
    if not applicable:
        first = min(v.valid_from for v in versions())
        raise Invalid(f"the list's criteria apply to decisions served from {first.isoformat()}",
                      field="served_on")
    return max(applicable, key=lambda v: v.valid_from)
