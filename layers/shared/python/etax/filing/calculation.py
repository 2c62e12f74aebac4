"""The computer of each return kind (see :mod:`etax.filing.returns`).

Wired today: the small-scale VAT return. Its rule is data with effective dates (FACTS.md §4):
the simplified levy rate of 3 %, reduced to 1 % with sales up to 100,000 a month (300,000 a
quarter) exempt from 2023-08-01 to 2027-12-31 (财政部 税务总局公告2023年第19号).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from etax.filing.deadlines import Period
from etax.filing.returns import CalculatorComputer, TaxComputer
from etax.rules import money

SMALL_SCALE_RULES: list[dict[str, Any]] = [
    {"effective_from": "2009-01-01", "rate": "0.03", "monthly_exemption_fen": 0,
     "source": "增值税暂行条例 art. 12: simplified levy rate 3 % (FACTS.md §4)"},
    {"effective_from": "2023-08-01", "rate": "0.01", "monthly_exemption_fen": 100_000_00,
     "source": "财政部 税务总局公告2023年第19号 (FACTS.md §4)"},
    {"effective_from": "2028-01-01", "rate": "0.03", "monthly_exemption_fen": 0,
     "source": "the 2023 No.19 relief ends on 2027-12-31 (FACTS.md §4)"},
]


class SmallScaleVat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sales: str
    """VAT-exclusive sales of the period, in yuan."""
    months: int = 1

    @field_validator("sales")
    @classmethod
    def _yuan(cls, value: str) -> str:
        try:
            money.parse_yuan(value)
        except money.MoneyError as error:
            raise ValueError(error.reason) from None
        return value


def small_scale_vat(request: SmallScaleVat, *, on: date) -> dict[str, Any]:
    rule = max((r for r in SMALL_SCALE_RULES if date.fromisoformat(r["effective_from"]) <= on),
               key=lambda r: r["effective_from"])
    sales = money.parse_yuan(request.sales)
    threshold = rule["monthly_exemption_fen"] * request.months
    exempt = threshold > 0 and sales <= threshold
    rate = Decimal(rule["rate"])
    tax = 0 if exempt else int((Decimal(sales) * rate).quantize(Decimal(1), ROUND_HALF_UP))
    return {
        "regime": "small_scale",
        "sales": money.format_yuan(sales),
        "rate": str(rate),
        "exemption_threshold": money.format_yuan(threshold),
        "exempt": exempt,
        "tax": money.format_yuan(tax),
        "steps": [
            f"rule in force on {on.isoformat()}: {rule['source']}",
            f"exemption threshold {money.format_yuan(threshold)} for {request.months} month(s); "
            f"sales {money.format_yuan(sales)} → {'exempt' if exempt else 'taxable'}",
            "tax = 0" if exempt else
            f"tax = {money.format_yuan(sales)} × {rate} = {money.format_yuan(tax)} "
            "(half up to the fen)",
        ],
    }


def _with_months(data: dict[str, Any], period: Period) -> dict[str, Any]:
    return {**data, "months": 3 if period.periodicity == "quarterly" else 1}


COMPUTERS: dict[str, TaxComputer] = {
    "vat_small_scale": CalculatorComputer(
        request_model=SmallScaleVat, compute_answer=small_scale_vat,
        payable_fen=lambda answer: money.parse_yuan(answer["tax"]), prepare=_with_months),
}
