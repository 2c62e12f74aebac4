"""Special additional deductions (专项附加扣除) as claimed in a request, checked against the
amounts in force (``special_additional`` in ``data/iit.json``).

A claim names its kind as a field of ``special_additional``; an unknown kind is a 422 naming
``special_additional.<kind>`` (the request models forbid extra fields). Monthly claims (the
withholding calculator) are checked against the monthly caps and, for rent, the three city
amounts; annual claims against the annual caps. Serious illness exists only at the annual
settlement. Rent and home-loan interest cannot both be claimed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel

from etax.calculators.common import InputError, Strict, date_field, fen, rules_date, yuan
from etax.calculators.iit.rules import (
    BasicDeduction,
    ProgressiveTable,
    SettlementExemption,
    SpecialAdditional,
    rules,
)
from etax.calculators.results import Rule
from etax.rules.types import Yuan


class MonthlyClaims(Strict):
    """Monthly special additional deductions (amounts a month)."""

    child_education: Yuan | None = None
    infant_care: Yuan | None = None
    elderly_support: Yuan | None = None
    housing_loan: Yuan | None = None
    housing_rent: Yuan | None = None
    continuing_education: Yuan | None = None


class AnnualClaims(MonthlyClaims):
    """Annual special additional deductions (amounts for the year), with serious illness."""

    serious_illness: Yuan | None = None


def claimed(claims: BaseModel) -> dict[str, int]:
    """The kinds claimed, in fen, in field order (zero and absent kinds left out)."""
    out: dict[str, int] = {}
    for name in type(claims).model_fields:
        value: Decimal | None = getattr(claims, name)
        if value is not None and value > 0:
            out[name] = fen(value)
    return out


def check(claims: dict[str, int], table: SpecialAdditional, *, monthly: bool) -> None:
    """422 naming ``special_additional.<kind>`` for a claim the rules in force do not allow."""
    for name, amount in claims.items():
        field = f"special_additional.{name}"
        kind = table.kinds.get(name)
        if kind is None:
            raise InputError(field, "this deduction is not in the rules in force on that date")
        if monthly:
            if kind.annual_only:
                raise InputError(field, "deducted only at the annual settlement")
            if kind.monthly_allowed is not None and amount not in {
                    fen(a) for a in kind.monthly_allowed}:
                allowed = ", ".join(yuan(fen(a)) for a in kind.monthly_allowed)
                raise InputError(field, f"a month's amount is one of {allowed}")
            if kind.monthly_max is not None and amount > fen(kind.monthly_max):
                raise InputError(field, f"at most {yuan(fen(kind.monthly_max))} a month")
        elif kind.annual_max is not None and amount > fen(kind.annual_max):
            raise InputError(field, f"at most {yuan(fen(kind.annual_max))} a year")
    for group in table.exclusive:
        both = [name for name in group if name in claims]
        if len(both) > 1:
            raise InputError(f"special_additional.{both[-1]}",
                             f"cannot be claimed together with {', '.join(both[:-1])}")


@dataclass(frozen=True, slots=True)
class Comprehensive:
    """What the withholding and the annual settlement of comprehensive income start from: the
    rules in force on ``day`` (cited in ``cited``), the claims checked, the deductions in fen."""

    day: dt.date
    table: ProgressiveTable
    basic: BasicDeduction
    exemption: SettlementExemption | None
    cited: list[Rule]
    claims: dict[str, int]
    special: int
    """the claims' total"""


def comprehensive(request: BaseModel, on: dt.date | None, special_additional: MonthlyClaims,
                  *, monthly: bool) -> Comprehensive:
    """The rules in force for ``request`` and its checked ``special_additional`` claims; the
    settlement exemption only for an annual settlement (not ``monthly``)."""
    day = rules_date(request, on)
    field = date_field(request)
    iit = rules()
    table = iit.comprehensive_annual.on(day, field=field)
    basic = iit.basic_deduction.on(day, field=field)
    cited = [table.cite("iit.comprehensive_annual"), basic.cite("iit.basic_deduction")]
    exemption = None
    if not monthly:
        exemption = iit.annual_settlement_exemption.on(day, field=field)
        cited.append(exemption.cite("iit.annual_settlement_exemption"))
    claims = claimed(special_additional)
    if claims:
        special = iit.special_additional.on(day, field=field)
        check(claims, special, monthly=monthly)
        cited.append(special.cite("iit.special_additional"))
    return Comprehensive(day, table, basic, exemption, cited, claims, sum(claims.values()))
