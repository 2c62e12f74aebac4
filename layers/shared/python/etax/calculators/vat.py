"""VAT due for a period: a general taxpayer (output − input) or a small-scale taxpayer
(simplified levy with the current reduced rate and exemption threshold).

Public API::

    from etax.calculators import vat
    vat.compute(vat.GeneralRequest(taxpayer="general",
                                   sales=[{"amount": "100000", "rate": "0.13"}],
                                   input_tax="5000")).tax_due               # "8000.00"
    vat.compute(vat.SmallScaleRequest(taxpayer="small_scale", period="month",
                                      sales="150000")).tax_due             # "1500.00"
    vat.model_for("small_scale")    # the request model for a body's "taxpayer"

General taxpayer (sources.md#vat): ``sales`` lines of tax-exclusive ``amount`` and ``rate`` (one of
the rates in force: 13 %, 9 %, 6 %, 0 %); each line's output tax = amount × rate, half-up to the
fen (the invoice rule of :mod:`etax.rules.money`); ``input_tax`` (deductible input VAT of the
period) and ``input_carried_forward`` (excess input left from earlier periods). Tax due =
max(0, output − input − carried forward); ``carry_forward`` = what input exceeds output by,
taken to the next period.

Small-scale taxpayer (财政部 税务总局公告2023年第19号, to 2027-12-31): ``sales`` of the ``period``
(``month`` or ``quarter``), tax-exclusive unless ``prices_include_tax`` (then sales ÷ (1 +
levy rate), half-up to the fen). Sales of at most the period's threshold (100,000 a month,
300,000 a quarter) are exempt; otherwise tax = sales × levy rate (1 % instead of 3 %),
half-up. Which rate and threshold apply is data (``small_scale`` in ``data/vat.json``): from
2028-01-01 the data records the statutory 3 % and no exemption.

Both take an optional ``date`` (a day of the period; default today in China). The answer has
``tax_due``, the parts of the computation, ``steps`` and the ``rules`` used.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any, Literal

from pydantic import Field

from etax.calculators.common import (
    ZERO,
    Entry,
    InputError,
    Strict,
    Versions,
    fen,
    percent,
    round_fen,
    rules_date,
    step,
    times_rate,
    yuan,
)
from etax.calculators.results import GeneralVat, SaleLine, SmallScaleVat
from etax.platform.data import load
from etax.rules.types import Rate, Yuan, rate_text

# --- rules -----------------------------------------------------------------------------------


class GeneralRates(Entry):
    rates: list[Decimal] = Field(min_length=1)


class SmallScaleRules(Entry):
    standard_rate: Decimal
    levy_rate: Decimal
    exemption: dict[Literal["month", "quarter"], Decimal] | None


class VatRules:
    def __init__(self, data: dict[str, Any]) -> None:
        self.general_rates = Versions(
            "general_rates", [GeneralRates.model_validate(e) for e in data["general_rates"]])
        self.small_scale = Versions(
            "small_scale", [SmallScaleRules.model_validate(e) for e in data["small_scale"]])


@cache
def rules() -> VatRules:
    """The VAT rules shipped with the layer (loaded and checked once per process)."""
    return VatRules(load("etax.calculators", "vat"))


# --- requests --------------------------------------------------------------------------------


class Sale(Strict):
    amount: Yuan
    rate: Rate


class GeneralRequest(Strict):
    taxpayer: Literal["general"]
    sales: list[Sale] = Field(default_factory=list, max_length=1000)
    input_tax: Yuan = ZERO
    input_carried_forward: Yuan = ZERO
    date: dt.date | None = None


class SmallScaleRequest(Strict):
    taxpayer: Literal["small_scale"]
    period: Literal["month", "quarter"] = "month"
    sales: Yuan
    prices_include_tax: bool = False
    date: dt.date | None = None


Request = GeneralRequest | SmallScaleRequest

MODELS: dict[str, type[GeneralRequest] | type[SmallScaleRequest]] = {
    "general": GeneralRequest, "small_scale": SmallScaleRequest}


def model_for(taxpayer: object) -> type[GeneralRequest] | type[SmallScaleRequest]:
    """The request model for a body's ``taxpayer``, or a 422 naming ``taxpayer``."""
    model = MODELS.get(taxpayer) if isinstance(taxpayer, str) else None
    if model is None:
        raise InputError("taxpayer", f"one of {', '.join(MODELS)}")
    return model


# --- computation -----------------------------------------------------------------------------


def compute(request: Request, on: dt.date | None = None) -> GeneralVat | SmallScaleVat:
    """The VAT due for the period ``request`` describes."""
    day = rules_date(request, on)
    if isinstance(request, GeneralRequest):
        return _general(request, rules().general_rates.on(day), day)
    return _small_scale(request, rules().small_scale.on(day), day)


def _general(request: GeneralRequest, table: GeneralRates, day: dt.date) -> GeneralVat:
    lines = []
    for index, sale in enumerate(request.sales):
        if sale.rate not in table.rates:
            allowed = ", ".join(rate_text(r) for r in table.rates)
            raise InputError(f"sales[{index}].rate",
                             f"{rate_text(sale.rate)} is not a general taxpayer's rate "
                             f"({allowed})")
        amount = fen(sale.amount)
        lines.append((amount, sale.rate, times_rate(amount, sale.rate)))
    output = sum(tax for _, _, tax in lines)
    input_tax = fen(request.input_tax)
    carried = fen(request.input_carried_forward)
    credit = input_tax + carried
    due = max(0, output - credit)
    carry_forward = max(0, credit - output)
    steps = [step(f"output tax, line {i + 1}", f"{yuan(a)} × {rate_text(r)}", yuan(t))
             for i, (a, r, t) in enumerate(lines)]
    steps += [
        step("output tax", " + ".join(yuan(t) for *_, t in lines) or "no sales", yuan(output)),
        step("input tax credit", f"{yuan(input_tax)} this period + {yuan(carried)} carried "
                                 "forward", yuan(credit)),
        step("tax due", f"max(0, {yuan(output)} − {yuan(credit)})", yuan(due)),
        step("carried forward to the next period", f"max(0, {yuan(credit)} − {yuan(output)})",
             yuan(carry_forward)),
    ]
    return GeneralVat(
        taxpayer="general",
        sales=[SaleLine(amount=yuan(a), rate=rate_text(r), tax=yuan(t)) for a, r, t in lines],
        output_tax=yuan(output),
        input_tax=yuan(input_tax),
        input_carried_forward=yuan(carried),
        tax_due=yuan(due),
        carry_forward=yuan(carry_forward),
        steps=steps,
        rules=[table.cite("vat.general_rates")],
        date=day.isoformat(),
    )


def _small_scale(request: SmallScaleRequest, table: SmallScaleRules, day: dt.date
                 ) -> SmallScaleVat:
    steps = []
    given = fen(request.sales)
    if request.prices_include_tax:
        sales = round_fen(Decimal(given) / (1 + table.levy_rate))
        steps.append(step("sales excluding tax", f"{yuan(given)} ÷ (1 + "
                                                 f"{rate_text(table.levy_rate)})", yuan(sales)))
    else:
        sales = given
    threshold = None
    if table.exemption is not None:
        threshold = fen(table.exemption[request.period])
    exempt = threshold is not None and sales <= threshold
    if threshold is None:
        reason = "no exemption threshold is in force on this date"
    elif exempt:
        reason = f"{request.period}ly sales {yuan(sales)} ≤ {yuan(threshold)}: exempt"
    else:
        reason = f"{request.period}ly sales {yuan(sales)} > {yuan(threshold)}: taxed"
    tax = 0 if exempt else times_rate(sales, table.levy_rate)
    steps += [
        step("exemption", reason, "exempt" if exempt else "not exempt"),
        step("tax due", "exempt" if exempt else f"{yuan(sales)} × {rate_text(table.levy_rate)}",
             yuan(tax)),
    ]
    return SmallScaleVat(
        taxpayer="small_scale",
        period=request.period,
        sales=yuan(sales),
        standard_rate=rate_text(table.standard_rate),
        levy_rate=rate_text(table.levy_rate),
        levy_rate_percent=percent(table.levy_rate),
        exemption_threshold=yuan(threshold) if threshold is not None else None,
        exempt=exempt,
        reason=reason,
        tax_due=yuan(tax),
        steps=steps,
        rules=[table.cite("vat.small_scale")],
        date=day.isoformat(),
    )
