"""Cumulative withholding of individual income tax on wages (累计预扣法), month by month.

Public API::

    from etax.calculators.iit import withholding
    answer = withholding.compute(withholding.Request(
        monthly_gross="30000", social_insurance="4500",
        special_additional={"child_education": "2000"}, months=3))
    answer.months[1].withholding   # "625.00"
    answer.total                   # "3030.00"

Request (amounts a month, yuan): ``monthly_gross``; ``social_insurance`` (三险一金, the special
deductions); ``special_additional`` (kinds of
:class:`~etax.calculators.iit.deductions.MonthlyClaims`);
``other_deductions`` (other lawful deductions); ``months`` (1-12, from January; default 12);
optional ``year`` or ``date`` for the rules' date (:func:`etax.calculators.common.rules_date`).

Rule (sources.md#iit): for month *m*, cumulative taxable income = *m* × (gross − 5,000 basic
deduction − social insurance − special additional − other), at least 0; cumulative tax = that ×
rate − quick deduction of the comprehensive (annual) table, half-up to the fen; this month's
withholding = cumulative tax − tax withheld in earlier months. With the same amounts every
month the cumulative tax never falls, so no month is negative and the months add up to the
annual tax on the year's income (a month whose formula came out negative would withhold 0 and
leave the difference to the annual settlement). Cumulative relief and exempt income (in the
official formula, not verified in sources.md#iit) are not modelled: pass exempt income as
``other_deductions``.

Answer: ``{"months": [{"month", "cumulative_income", "cumulative_basic_deduction",
"cumulative_social_insurance", "cumulative_special_additional", "cumulative_other_deductions",
"cumulative_taxable", "rate", "quick_deduction", "cumulative_tax", "withheld_before",
"withholding", "steps"}], "total", "date", "rules"}``, amounts as yuan strings.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import Field

from etax.calculators.common import ZERO, Strict, Year, fen, step, yuan
from etax.calculators.iit import deductions
from etax.calculators.results import Withholding, WithholdingMonth
from etax.rules.types import Yuan, rate_text


class Request(Strict):
    monthly_gross: Yuan
    social_insurance: Yuan = ZERO
    special_additional: deductions.MonthlyClaims = deductions.MonthlyClaims()
    other_deductions: Yuan = ZERO
    months: Annotated[int, Field(ge=1, le=12, strict=True)] = 12
    year: Year | None = None
    date: dt.date | None = None


def compute(request: Request, on: dt.date | None = None) -> Withholding:
    """The month-by-month withholding for ``request`` under the rules of its date."""
    rules = deductions.comprehensive(request, on, request.special_additional, monthly=True)
    table, claims = rules.table, rules.claims
    gross, basic_fen = fen(request.monthly_gross), fen(rules.basic.monthly)
    social, special_fen, other = (fen(request.social_insurance), rules.special,
                                  fen(request.other_deductions))

    rows: list[WithholdingMonth] = []
    withheld = 0
    for month in range(1, request.months + 1):
        income, cum_basic = gross * month, basic_fen * month
        cum_social, cum_special, cum_other = social * month, special_fen * month, other * month
        taxable = max(0, income - cum_basic - cum_social - cum_special - cum_other)
        _, bracket = table.bracket_for(taxable)
        tax = table.tax(taxable)
        withholding = max(0, tax - withheld)
        steps = [
            step("cumulative income", f"{month} × {yuan(gross)}", yuan(income)),
            step("cumulative taxable income",
                 f"max(0, {yuan(income)} − {yuan(cum_basic)} basic − {yuan(cum_social)} social "
                 f"insurance − {yuan(cum_special)} special additional − {yuan(cum_other)} other)",
                 yuan(taxable)),
            step("cumulative tax",
                 f"{yuan(taxable)} × {rate_text(bracket.rate)} − "
                 f"{yuan(fen(bracket.quick_deduction))}" if taxable else "no taxable income",
                 yuan(tax)),
            step("withholding this month",
                 f"max(0, {yuan(tax)} − {yuan(withheld)} withheld in earlier months)",
                 yuan(withholding)),
        ]
        rows.append(WithholdingMonth(
            month=month,
            cumulative_income=yuan(income),
            cumulative_basic_deduction=yuan(cum_basic),
            cumulative_social_insurance=yuan(cum_social),
            cumulative_special_additional=yuan(cum_special),
            cumulative_other_deductions=yuan(cum_other),
            cumulative_taxable=yuan(taxable),
            rate=rate_text(bracket.rate),
            quick_deduction=yuan(fen(bracket.quick_deduction)),
            cumulative_tax=yuan(tax),
            withheld_before=yuan(withheld),
            withholding=yuan(withholding),
            steps=steps,
        ))
        withheld += withholding
    return Withholding(
        months=rows,
        total=yuan(withheld),
        special_additional={name: yuan(amount) for name, amount in claims.items()},
        date=rules.day.isoformat(),
        rules=rules.cited,
    )
