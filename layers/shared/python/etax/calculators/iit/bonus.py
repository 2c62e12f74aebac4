"""An annual one-off bonus (全年一次性奖金) taxed separately from other income.

Public API::

    from etax.calculators.iit import bonus
    bonus.compute(bonus.Request(bonus="36001")).tax    # "3390.10"

Request: ``bonus`` (yuan); optional ``year`` or ``date`` (when it is paid).

Rule (sources.md#iit, 财政部 税务总局公告2023年第30号): tax = bonus × rate − quick deduction, the
rate and quick deduction those of the monthly-converted table's bracket containing bonus ÷ 12
(compared exactly: bonus ≤ 12 × the bracket's limit), half-up to the fen. The quick deduction
is a *monthly* one subtracted once, so the tax jumps at each edge (36,000 → 1,080.00 but
36,001 → 3,390.10): the law has this cliff; the answer shows it (``cliff``) when a bonus lies
just above an edge. Separate taxation is on record to 2027-12-31 (``bonus_separate_taxation``);
for a later date the answer is a 422 naming ``date``/``year``: the bonus is then
comprehensive income (see :mod:`etax.calculators.iit.annual`).

Answer: ``{"bonus", "monthly_equivalent", "level", "rate", "quick_deduction", "tax",
"after_tax", "cliff", "steps", "date", "rules"}``. ``cliff`` is ``null``, or for a bonus above
an edge where the tax exceeds the bonus's excess over the edge's best bonus,
``{"edge", "tax_at_edge", "extra_tax", "extra_bonus"}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from etax.calculators.common import (
    InputError,
    Strict,
    Year,
    date_field,
    fen,
    round_fen,
    rules_date,
    step,
    yuan,
)
from etax.calculators.iit.rules import ProgressiveTable, rules
from etax.calculators.results import BonusTax, Cliff
from etax.rules.types import Yuan, rate_text


class Request(Strict):
    bonus: Yuan
    year: Year | None = None
    date: dt.date | None = None


def separate_tax(bonus_fen: int, table: ProgressiveTable, months: int) -> int:
    """The separately computed tax on a bonus, in fen."""
    if bonus_fen <= 0:
        return 0
    _, bracket = table.bracket_for(bonus_fen, per=months)
    return round_fen(Decimal(bonus_fen) * bracket.rate) - fen(bracket.quick_deduction)


def compute(request: Request, on: dt.date | None = None) -> BonusTax:
    """The tax on a bonus taxed separately, with the bracket found from bonus ÷ 12."""
    day = rules_date(request, on)
    field = date_field(request)
    iit = rules()
    try:
        separate = iit.bonus_separate_taxation.on(day, field=field)
    except InputError:
        spans = ", ".join(f"{e.effective_from.isoformat()} to "
                          f"{e.effective_to.isoformat() if e.effective_to else 'now'}"
                          for e in iit.bonus_separate_taxation.entries)
        raise InputError(field, f"separate taxation of an annual bonus is on record for {spans}; "
                                f"on {day.isoformat()} a bonus is comprehensive income "
                                "(POST /v1/tools/iit/annual)") from None
    table = iit.monthly_converted.on(day, field=field)
    months = separate.months
    amount = fen(request.bonus)
    level, bracket = table.bracket_for(amount, per=months)
    tax = separate_tax(amount, table, months)
    monthly = round_fen_div(amount, months)
    steps = [
        step("monthly equivalent (to find the bracket)", f"{yuan(amount)} ÷ {months}",
             yuan(monthly)),
        step("bracket", f"level {level} of the monthly-converted table",
             f"{rate_text(bracket.rate)} / {yuan(fen(bracket.quick_deduction))}"),
        step("tax", f"{yuan(amount)} × {rate_text(bracket.rate)} − "
                    f"{yuan(fen(bracket.quick_deduction))}" if amount else "no bonus",
             yuan(tax)),
        step("after tax", f"{yuan(amount)} − {yuan(tax)}", yuan(amount - tax)),
    ]
    cliff: Cliff | None = None
    if level > 1:
        below = table.brackets[level - 2]
        assert below.up_to is not None
        edge = fen(below.up_to) * months
        tax_at_edge = separate_tax(edge, table, months)
        extra_tax = tax - tax_at_edge
        if extra_tax > amount - edge:
            cliff = Cliff(edge=yuan(edge), tax_at_edge=yuan(tax_at_edge),
                          extra_tax=yuan(extra_tax), extra_bonus=yuan(amount - edge))
            steps.append(step("cliff: after tax, compared with a bonus of " + yuan(edge),
                              f"{yuan(amount - edge)} more bonus costs {yuan(extra_tax)} "
                              "more tax",
                              yuan(amount - tax - (edge - tax_at_edge))))
    return BonusTax(
        bonus=yuan(amount),
        months=months,
        monthly_equivalent=yuan(monthly),
        level=level,
        rate=rate_text(bracket.rate),
        quick_deduction=yuan(fen(bracket.quick_deduction)),
        tax=yuan(tax),
        after_tax=yuan(amount - tax),
        cliff=cliff,
        steps=steps,
        date=day.isoformat(),
        rules=[separate.cite("iit.bonus_separate_taxation"),
               table.cite("iit.monthly_converted")],
    )


def round_fen_div(amount_fen: int, divisor: int) -> int:
    """``amount ÷ divisor`` half-up to the fen (for display only; brackets compare exactly)."""
    quotient, remainder = divmod(amount_fen, divisor)
    return quotient + (1 if 2 * remainder >= divisor else 0)
