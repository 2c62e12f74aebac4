"""Annual reconciliation of comprehensive income (综合所得年度汇算).

Public API::

    from etax.calculators.iit import annual
    answer = annual.compute(annual.Request(
        income="120000", social_insurance="12480",
        special_additional={"child_education": "18000"}, withheld="0", year=2025))
    answer.tax                    # "885.60"
    answer.refund_or_payable      # "885.60" (positive: to pay; negative: to be refunded)

Request (amounts for the year, yuan): ``income`` (comprehensive income), ``social_insurance``,
``special_additional`` (kinds of :class:`~etax.calculators.iit.deductions.AnnualClaims`),
``other_deductions``, ``withheld`` (tax already withheld or prepaid); optional ``year`` (the tax
year: its rules as of December 31) or ``date``.

Rule (sources.md#iit): taxable = income − 60,000 − social insurance − special additional − other,
at least 0; tax = taxable × rate − quick deduction of the comprehensive table, half-up to the
fen; ``refund_or_payable`` = tax − withheld. ``exempt_small_amount``: a balance to pay needs no
settlement when the income is at most 120,000 or the balance at most 400
(``annual_settlement_exemption`` in the data); ``to_pay`` is then 0. A refund is always
``to_refund`` (the exemption never takes a refund away).
"""

from __future__ import annotations

import datetime as dt

from etax.calculators.common import ZERO, Strict, Year, fen, step, yuan
from etax.calculators.iit import deductions
from etax.calculators.results import AnnualSettlement
from etax.rules.types import Yuan, rate_text


class Request(Strict):
    income: Yuan
    social_insurance: Yuan = ZERO
    special_additional: deductions.AnnualClaims = deductions.AnnualClaims()
    other_deductions: Yuan = ZERO
    withheld: Yuan = ZERO
    year: Year | None = None
    date: dt.date | None = None


def compute(request: Request, on: dt.date | None = None) -> AnnualSettlement:
    """The year's tax and the balance to pay or to be refunded."""
    rules = deductions.comprehensive(request, on, request.special_additional, monthly=False)
    day, table, exemption, claims = rules.day, rules.table, rules.exemption, rules.claims
    assert exemption is not None
    income, basic_fen = fen(request.income), fen(rules.basic.annual)
    social, special_fen, other = (fen(request.social_insurance), rules.special,
                                  fen(request.other_deductions))
    withheld = fen(request.withheld)
    taxable = max(0, income - basic_fen - social - special_fen - other)
    level, bracket = table.bracket_for(taxable)
    tax = table.tax(taxable)
    balance = tax - withheld
    income_max, payable_max = fen(exemption.income_max), fen(exemption.payable_max)
    exempt = balance > 0 and (income <= income_max or balance <= payable_max)
    if balance > 0:
        outcome = "exempt" if exempt else "payable"
    else:
        outcome = "refund" if balance < 0 else "settled"
    to_pay = 0 if exempt else max(0, balance)
    to_refund = max(0, -balance)

    why = ""
    if balance > 0:
        why = (f"income {yuan(income)} {'≤' if income <= income_max else '>'} "
               f"{yuan(income_max)}; balance {yuan(balance)} "
               f"{'≤' if balance <= payable_max else '>'} {yuan(payable_max)}")
    steps = [
        step("taxable income",
             f"max(0, {yuan(income)} − {yuan(basic_fen)} basic − {yuan(social)} social "
             f"insurance − {yuan(special_fen)} special additional − {yuan(other)} other)",
             yuan(taxable)),
        step("tax", f"{yuan(taxable)} × {rate_text(bracket.rate)} − "
                    f"{yuan(fen(bracket.quick_deduction))}" if taxable else "no taxable income",
             yuan(tax)),
        step("refund or payable", f"{yuan(tax)} − {yuan(withheld)} withheld", yuan(balance)),
    ]
    if balance > 0:
        steps.append(step("small-amount exemption", why, "exempt" if exempt else "not exempt"))
    return AnnualSettlement(
        income=yuan(income),
        basic_deduction=yuan(basic_fen),
        social_insurance=yuan(social),
        special_additional={name: yuan(amount) for name, amount in claims.items()},
        special_additional_total=yuan(special_fen),
        other_deductions=yuan(other),
        taxable=yuan(taxable),
        level=level,
        rate=rate_text(bracket.rate),
        quick_deduction=yuan(fen(bracket.quick_deduction)),
        tax=yuan(tax),
        withheld=yuan(withheld),
        refund_or_payable=yuan(balance),
        outcome=outcome,
        exempt_small_amount=exempt,
        to_pay=yuan(to_pay),
        to_refund=yuan(to_refund),
        steps=steps,
        date=day.isoformat(),
        rules=rules.cited,
    )
