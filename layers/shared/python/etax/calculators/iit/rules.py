"""Individual income tax rules as data (``data/iit.json``), loaded and checked once.

:class:`ProgressiveTable` is a rate table with quick deductions: tax = x × rate − quick
deduction, with the bracket that contains x (a bracket includes its upper limit: "不超过").
Loading checks what the law's tables have: ascending limits, rising rates, no deduction in the
first bracket, and continuity at every edge (the formulas of the two brackets that meet there
give the same tax), so a mistyped quick deduction fails at load, not in a taxpayer's answer.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from itertools import pairwise
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from etax.calculators.common import Entry, RulesError, Versions, fen, round_fen
from etax.platform.data import load


class Bracket(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    up_to: Decimal | None
    rate: Decimal
    quick_deduction: Decimal


class ProgressiveTable(Entry):
    brackets: list[Bracket] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> ProgressiveTable:
        brackets = self.brackets
        if brackets[0].quick_deduction != 0:
            raise RulesError("the first bracket has no quick deduction")
        if brackets[-1].up_to is not None or any(b.up_to is None for b in brackets[:-1]):
            raise RulesError("only the last bracket is open-ended")
        for lower, upper in pairwise(brackets):
            edge = lower.up_to
            assert edge is not None
            if upper.up_to is not None and upper.up_to <= edge:
                raise RulesError(f"bracket limits must ascend ({edge}, {upper.up_to})")
            if upper.rate <= lower.rate:
                raise RulesError(f"rates must rise ({lower.rate}, {upper.rate})")
            left = edge * lower.rate - lower.quick_deduction
            right = edge * upper.rate - upper.quick_deduction
            if left != right:
                raise RulesError(f"the table is not continuous at {edge}: {left} != {right}")
        return self

    def bracket_for(self, amount_fen: int, *, per: int = 1) -> tuple[int, Bracket]:
        """The (1-based) level and bracket of ``amount_fen / per`` (upper limits included),
        compared exactly (``amount ≤ limit × per``), never through a rounded quotient."""
        for level, bracket in enumerate(self.brackets, start=1):
            if bracket.up_to is None or amount_fen <= fen(bracket.up_to) * per:
                return level, bracket
        raise AssertionError("the last bracket is open-ended")  # pragma: no cover

    def tax(self, amount_fen: int) -> int:
        """x × rate − quick deduction, half-up to the fen; 0 for x ≤ 0."""
        if amount_fen <= 0:
            return 0
        _, bracket = self.bracket_for(amount_fen)
        return round_fen(Decimal(amount_fen) * bracket.rate) - fen(bracket.quick_deduction)


class BasicDeduction(Entry):
    monthly: Decimal
    annual: Decimal


class Kind(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    per_child: Decimal | None = None
    monthly_max: Decimal | None = None
    monthly_allowed: list[Decimal] | None = None
    annual_max: Decimal | None = None
    annual_only: bool = False


class SpecialAdditional(Entry):
    kinds: dict[str, Kind]
    exclusive: list[list[str]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _known(self) -> SpecialAdditional:
        for group in self.exclusive:
            unknown = set(group) - set(self.kinds)
            if unknown:
                raise RulesError(f"exclusive names unknown kinds: {sorted(unknown)}")
        return self


class SettlementExemption(Entry):
    income_max: Decimal
    payable_max: Decimal


class BonusSeparate(Entry):
    months: int = Field(gt=0)


class IitRules:
    def __init__(self, data: dict[str, Any]) -> None:
        def versions[E: Entry](name: str, model: type[E]) -> Versions[E]:
            return Versions(name, [model.model_validate(item) for item in data[name]])

        self.comprehensive_annual = versions("comprehensive_annual", ProgressiveTable)
        self.monthly_converted = versions("monthly_converted", ProgressiveTable)
        self.basic_deduction = versions("basic_deduction", BasicDeduction)
        self.special_additional = versions("special_additional", SpecialAdditional)
        self.annual_settlement_exemption = versions("annual_settlement_exemption",
                                                    SettlementExemption)
        self.bonus_separate_taxation = versions("bonus_separate_taxation", BonusSeparate)


@cache
def rules() -> IitRules:
    """The IIT rules shipped with the layer (loaded and checked once per process)."""
    return IitRules(load("etax.calculators", "iit"))
