"""The figures the service guide quotes, read from the rules in force on a day.

The guide's text never writes a rate, an amount or a number of days: it names a figure in
braces (``{vat.small_scale.levy_rate}``) and this module fills it from the same rule data the
calculators, filing and invoice supply apply, the version in force on the day asked about.
When a rule gets a new version, the guide says the new figure from its first day, and cites the
version it used (:class:`etax.calculators.results.Rule`). Pure: no AWS.

Each *source* (a name a matter lists under ``figures``) gives its figures and its citation; a
placeholder that no listed source fills is a bug of the data, found by the unit tests on every
day a cited rule changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from etax.calculators import departure_refund, vat
from etax.calculators.common import InputError, percent
from etax.calculators.iit.rules import rules as iit_rules
from etax.calculators.results import Rule
from etax.filing import deadlines
from etax.supply import rules as supply


@dataclass(frozen=True)
class Figures:
    """One source's figures (placeholder → text) and the rule versions they came from."""

    values: dict[str, str]
    rules: list[Rule]


def _yuan(amount: Decimal) -> str:
    """``Decimal("100000")`` → ``"100,000"``; cents only when there are any."""
    whole = amount.quantize(Decimal(1))
    return f"{whole:,}" if whole == amount else f"{amount:,.2f}"


def _small_scale(day: date) -> Figures:
    entry = vat.rules().small_scale.on(day, field="on")
    levy, standard = percent(entry.levy_rate), percent(entry.standard_rate)
    if entry.exemption is None:
        relief = f"按{levy}征收率计算缴纳，没有免征额"
        relief_quarter = f"季度销售额按{levy}征收率计算缴纳，没有免征额。"
    else:
        month, quarter = _yuan(entry.exemption["month"]), _yuan(entry.exemption["quarter"])
        reduced = f"征收率由{standard}减按{levy}" if levy != standard else f"征收率{levy}"
        relief = f"月销售额不超过{month}元的免征增值税，超过的{reduced}计算缴纳"
        relief_quarter = (f"按季申报的，季度销售额不超过{quarter}元免征增值税，超过的{reduced}"
                          "计算缴纳。")
    return Figures({"vat.small_scale.levy_rate": levy, "vat.small_scale.relief": relief,
                    "vat.small_scale.relief_quarter": relief_quarter},
                   [entry.cite("vat.small_scale")])


def _surcharge(day: date) -> Figures:
    try:
        version = deadlines.surcharge_version(day)
    except ValueError:
        raise InputError("on", f"no late-payment surcharge rate on record for "
                               f"{day.isoformat()}") from None
    return Figures({"filing.surcharge.daily_rate": percent(Decimal(version["daily_rate"]))},
                   [Rule("filing.surcharge", version["effective_from"], None,
                         [version["source"]])])


def _settlement_exemption(day: date) -> Figures:
    entry = iit_rules().annual_settlement_exemption.on(day, field="on")
    text = (f"全年综合所得收入不超过{_yuan(entry.income_max)}元，或者年度汇算需补税金额不超过"
            f"{_yuan(entry.payable_max)}元的，无需办理年度汇算")
    return Figures({"iit.exemption": text}, [entry.cite("iit.annual_settlement_exemption")])


_RESIDENCES = {"foreign": "外国人", "hong_kong": "香港居民", "macao": "澳门居民",
               "taiwan": "台湾居民"}


def _departure_refund(day: date) -> Figures:
    entry = departure_refund.rules().on(day, field="on")
    who = "、".join(_RESIDENCES[r] for r in entry.eligible_residences if r in _RESIDENCES)
    rates = "、".join(f"适用{percent(goods)}税率的物品按{percent(refund)}"
                     for goods, refund in sorted(entry.refund_rates.items(), reverse=True))
    return Figures({
        "departure_refund.eligibility": (
            f"在境内连续居住不超过{entry.max_stay_days}天的{who}，购买的退税物品未使用、"
            f"在购买之日起{entry.leave_within_days}天内随身携带或随行托运出境，可以申请离境退税。"),
        "departure_refund.purchase": (
            f"同一日在同一退税商店购买退税物品的金额（含增值税）达到"
            f"{_yuan(entry.same_store_same_day_min)}元，商店开具离境退税申请单和增值税普通发票。"),
        "departure_refund.departure": (
            f"在购买之日起{entry.leave_within_days}天内离境；离境前向口岸海关出示物品、申请单和"
            "发票，海关验核后在申请单上签章。"),
        "departure_refund.payment": (
            f"在口岸的退税代理机构领取退税款：退税额为发票金额乘以退税率（{rates}），扣除发票金额"
            f"{percent(entry.agency_fee_rate)}的代理服务费；不超过{_yuan(entry.cash_limit)}元的"
            "可以选择现金，超过的以银行转账退付。"),
    }, [entry.cite("departure_refund")])


_PAPER_NAMES = {"04": "增值税普通发票（04）", "11": "卷票（11）", "01": "增值税专用发票（01）"}
_UNITS = {"11": "卷"}


def _supply_policy(day: date) -> Figures:
    try:
        policy = supply.policy_for(day)
    except LookupError:
        raise InputError("on", f"no invoice supply policy on record for {day.isoformat()} "
                               "(the first in force from "
                               f"{min(p.effective_from for p in supply.POLICIES)})") from None
    paper = "、".join(f"{_PAPER_NAMES[kind]}{count}{_UNITS.get(kind, '份')}"
                     for kind, count in policy.paper_auto_max.items() if kind in _PAPER_NAMES)
    quotas = "、".join(
        f"{label}{_yuan(Decimal(policy.digital_auto_max_fen[kind]) / 100)}元"  # fen → yuan
        for kind, label in (("small_scale", "小规模纳税人"), ("general", "一般纳税人"))
        if kind in policy.digital_auto_max_fen)
    text = (f"纸质发票一次申领不超过{paper}的自动审批；数电票月度开票额度不超过{quotas}的"
            "自动审批；超过的由主管税务机关审核。")
    return Figures({"supply.policy.auto": text},
                   [Rule("supply.policy", policy.effective_from.isoformat(), None,
                         ["docs/decisions/0008-invoice-supply-and-certificates.md"])])


SOURCES: dict[str, Callable[[date], Figures]] = {
    "vat.small_scale": _small_scale,
    "filing.surcharge": _surcharge,
    "iit.annual_settlement_exemption": _settlement_exemption,
    "departure_refund": _departure_refund,
    "supply.policy": _supply_policy,
}


def figures(names: list[str], day: date) -> Figures:
    """The figures of the sources ``names`` in force on ``day``, their rules in that order."""
    values: dict[str, str] = {}
    cited: list[Rule] = []
    for name in names:
        found = SOURCES[name](day)
        values.update(found.values)
        cited.extend(found.rules)
    return Figures(values, cited)
