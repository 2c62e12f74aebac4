"""Departure tax refund for overseas visitors (离境退税): eligibility with its reason, and the
refund.

Public API::

    from etax.calculators import departure_refund
    answer = departure_refund.compute(departure_refund.Request(purchases=[
        {"amount": "1000", "vat_rate": "0.13", "store": "S1", "date": "2026-05-01"}]))
    answer.refund_due, answer.agency_fee, answer.net_refund
    # ("110.00", "20.00", "90.00")

Request: ``purchases`` — ``{"amount"`` (the invoice amount, VAT included), ``"vat_rate"`` of the
goods, ``"store"``, ``"date"}`` of purchase; optional ``departure_date``; optional ``traveller``
``{"residence": foreign | hong_kong | macao | taiwan | mainland, "days_in_china"}``; optional
``date`` for the rules (default the departure date, else today in China).

Rules (sources.md#vat, data ``data/departure_refund.json``):

* the traveller is a foreigner or a Hong Kong, Macao or Taiwan resident who has stayed at most
  183 consecutive days, and leaves within 90 days of each purchase with the goods unused,
  carried personally or as checked baggage (customs checks the goods at departure; the answer
  lists that condition as not checkable here). Conditions without the facts to check them are
  answered ``"met": null``;
* goods taxed at 13 % are refunded 11 % of the invoice amount, goods at 9 % 8 %; other goods
  are not refundable;
* the refundable purchases of one store on one day must reach the minimum together (500 before
  2025-04-27, **200** since);
* refund due = amount × refund rate; agency fee = 2 % of the amount; net refund = due − fee,
  each per purchase, half-up to the fen, then summed;
* a refund due of at most the cash limit (10,000 before 2025-04-27, **20,000** since) may be
  paid in cash or by bank transfer; above it by bank transfer only.

Answer: ``{"eligible", "reason", "conditions", "purchases": [{…, "eligible", "reason",
"refund_rate", "refund_due", "agency_fee", "net_refund"}], "groups", "refund_due", "agency_fee",
"net_refund", "payment_methods", "minimum", "cash_limit", "steps", "date", "rules"}``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from etax.calculators.common import (
    Entry,
    Strict,
    Versions,
    fen,
    percent,
    rules_date,
    step,
    times_rate,
    yuan,
)
from etax.calculators.results import (
    Condition,
    DepartureRefund,
    RefundPurchase,
    Step,
    StoreDay,
)
from etax.platform.data import load
from etax.rules.types import Rate, Yuan, rate_text

Residence = Literal["foreign", "hong_kong", "macao", "taiwan", "mainland"]

# --- rules -----------------------------------------------------------------------------------


class RefundRules(Entry):
    refund_rates: dict[Decimal, Decimal]
    agency_fee_rate: Decimal
    same_store_same_day_min: Decimal
    cash_limit: Decimal
    max_stay_days: int
    leave_within_days: int
    eligible_residences: list[Residence]


@cache
def rules() -> Versions[RefundRules]:
    """The departure refund rules shipped with the layer (loaded and checked once)."""
    rules = load("etax.calculators", "departure_refund")["rules"]
    return Versions("departure_refund", [RefundRules.model_validate(e) for e in rules])


# --- request ---------------------------------------------------------------------------------


class Purchase(Strict):
    amount: Yuan
    vat_rate: Rate
    store: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    date: dt.date


class Traveller(Strict):
    residence: Residence
    days_in_china: Annotated[int, Field(ge=0, le=36600, strict=True)] | None = None


class Request(Strict):
    purchases: list[Purchase] = Field(min_length=1, max_length=200)
    departure_date: dt.date | None = None
    traveller: Traveller | None = None
    date: dt.date | None = None


# --- computation -----------------------------------------------------------------------------


def _conditions(request: Request, table: RefundRules) -> list[Condition]:
    traveller = request.traveller
    residence: bool | None = None
    stay: bool | None = None
    if traveller is not None:
        residence = traveller.residence in table.eligible_residences
        if traveller.days_in_china is not None:
            stay = traveller.days_in_china <= table.max_stay_days
    leave: bool | None = None
    if request.departure_date is not None:
        leave = all(_leaves_in_time(p.date, request.departure_date, table)
                    for p in request.purchases)
    return [
        Condition("a foreigner or a Hong Kong, Macao or Taiwan resident", residence),
        Condition(f"stayed at most {table.max_stay_days} consecutive days", stay),
        Condition(f"leaves within {table.leave_within_days} days of each purchase", leave),
        Condition("goods unused, carried out personally or as checked baggage (checked by "
                  "customs at departure)", None),
    ]


def _leaves_in_time(bought: dt.date, departure: dt.date, table: RefundRules) -> bool:
    return bought <= departure <= bought + dt.timedelta(days=table.leave_within_days)


def compute(request: Request, on: dt.date | None = None) -> DepartureRefund:
    """Eligibility, refund due, agency fee and net refund for a visitor's purchases."""
    day = rules_date(request, request.departure_date or on)
    table = rules().on(day)
    minimum, cash_limit = fen(table.same_store_same_day_min), fen(table.cash_limit)
    conditions = _conditions(request, table)
    traveller_fails = [c.condition for c in conditions[:2] if c.met is False]

    reasons: list[str | None] = []
    for purchase in request.purchases:
        if purchase.vat_rate not in table.refund_rates:
            refundable = ", ".join(percent(r) for r in table.refund_rates)
            reasons.append(f"goods taxed at {percent(purchase.vat_rate)} are not refundable "
                           f"(goods taxed at {refundable} are)")
        elif (request.departure_date is not None
              and not _leaves_in_time(purchase.date, request.departure_date, table)):
            reasons.append(f"departure {request.departure_date.isoformat()} is not within "
                           f"{table.leave_within_days} days after the purchase")
        else:
            reasons.append(None)

    groups: dict[tuple[str, dt.date], int] = {}
    for purchase, reason in zip(request.purchases, reasons, strict=True):
        if reason is None:
            key = (purchase.store, purchase.date)
            groups[key] = groups.get(key, 0) + fen(purchase.amount)
    group_rows = [StoreDay(store=store, date=bought.isoformat(), total=yuan(total),
                           minimum=yuan(minimum), eligible=total >= minimum)
                  for (store, bought), total in groups.items()]

    rows: list[RefundPurchase] = []
    due_sum = fee_sum = 0
    steps: list[Step] = []
    for index, (purchase, reason) in enumerate(zip(request.purchases, reasons, strict=True)):
        amount = fen(purchase.amount)
        if reason is None:
            total = groups[(purchase.store, purchase.date)]
            if total < minimum:
                reason = (f"{purchase.store} on {purchase.date.isoformat()}: refundable "
                          f"purchases {yuan(total)} < the minimum {yuan(minimum)}")
        if reason is None and traveller_fails:
            reason = f"the traveller does not meet: {'; '.join(traveller_fails)}"
        refund_rate = table.refund_rates.get(purchase.vat_rate)
        due = fee = 0
        if reason is None:
            assert refund_rate is not None
            due = times_rate(amount, refund_rate)
            fee = times_rate(amount, table.agency_fee_rate)
            due_sum += due
            fee_sum += fee
            steps += [
                step(f"purchase {index + 1}: refund due", f"{yuan(amount)} × "
                                                          f"{rate_text(refund_rate)}", yuan(due)),
                step(f"purchase {index + 1}: agency fee",
                     f"{yuan(amount)} × {rate_text(table.agency_fee_rate)}", yuan(fee)),
            ]
        rows.append(RefundPurchase(
            index=index, store=purchase.store, date=purchase.date.isoformat(),
            amount=yuan(amount), vat_rate=rate_text(purchase.vat_rate),
            refund_rate=rate_text(refund_rate) if refund_rate is not None else None,
            eligible=reason is None, reason=reason or "eligible",
            refund_due=yuan(due), agency_fee=yuan(fee), net_refund=yuan(due - fee)))

    eligible_count = sum(1 for row in rows if row.eligible)
    eligible = eligible_count > 0
    if eligible:
        reason_all = f"{eligible_count} of {len(rows)} purchases eligible"
    else:
        reason_all = next(row.reason for row in rows)
    methods = (["cash", "bank_transfer"] if due_sum <= cash_limit else ["bank_transfer"]) \
        if eligible else []
    steps += [
        step("refund due", " + ".join(r.refund_due for r in rows if r.eligible) or "none",
             yuan(due_sum)),
        step("agency fee", " + ".join(r.agency_fee for r in rows if r.eligible) or "none",
             yuan(fee_sum)),
        step("net refund", f"{yuan(due_sum)} − {yuan(fee_sum)}", yuan(due_sum - fee_sum)),
        step("payment", f"refund due {yuan(due_sum)} "
                        f"{'≤' if due_sum <= cash_limit else '>'} cash limit {yuan(cash_limit)}",
             " or ".join(methods) or "none"),
    ]
    return DepartureRefund(
        eligible=eligible,
        reason=reason_all,
        conditions=conditions,
        purchases=rows,
        groups=group_rows,
        refund_due=yuan(due_sum),
        agency_fee=yuan(fee_sum),
        net_refund=yuan(due_sum - fee_sum),
        payment_methods=methods,
        minimum=yuan(minimum),
        cash_limit=yuan(cash_limit),
        steps=steps,
        date=day.isoformat(),
        rules=[table.cite("departure_refund")],
    )
