"""The risk indicators' cases (docs/risk.md#the-watch-list): a warning of an indicator, once
it is run for a month, opens one case on the officers' watch-list and one risk warning to the
taxpayer (the information-on-demand flow, :mod:`etax.outreach.warnings`); an officer's verdict
on the case (confirmed, false alarm) is kept and counted in the indicator's precision. Pure:
the case's id and words, the verdict's rules, the precision, and which month a scheduled run
takes."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, Final

from etax.analytics.risk import Warning, months_before, ratio
from etax.errors import StateChanged
from etax.filing.deadlines import deadline

CONFIRMED: Final = "confirmed"
FALSE_ALARM: Final = "false_alarm"
VERDICTS: Final = (CONFIRMED, FALSE_ALARM)
OPEN: Final = "open"
"""a case no officer has given a verdict on (a filter of the watch-list, never stored)"""
EVENT: Final = "RiskCaseOpened"
NO_OFFICE: Final = "none"
"""the office part of the id of a case whose taxpayer the store knows no office of (an
administrator's to read)"""
CASE_ID: Final = re.compile(r"(\d{4}-(?:0[1-9]|1[0-2]))\.([0-9A-Za-z]{1,20})\.([0-9a-f]{16})")


def case_id(month: str, office: str | None, indicator: str, taxpayer: str) -> str:
    """The id of the case of ``indicator`` for ``taxpayer`` in ``month``: the same on every
    run (a run again opens nothing twice); its month and office in the clear (the list it is
    in and who may read it), the taxpayer only as part of a digest (an id ends up in
    addresses and logs, a credit code or resident ID must not)."""
    digest = hashlib.sha256(f"{month}|{indicator}|{taxpayer}".encode()).hexdigest()[:16]
    return f"{month}.{office or NO_OFFICE}.{digest}"


def parse_case_id(text: str) -> tuple[str, str, str] | None:
    """``(month, office, digest)`` of a case id; None if ``text`` is not one."""
    match = CASE_ID.fullmatch(text)
    return (match.group(1), match.group(2), match.group(3)) if match else None


def warning_id_of(case: str) -> str:
    """The id of the risk warning a case sends the taxpayer: derived from the case, so a
    case announced twice (a run cut short, a redelivered event) warns once."""
    return hashlib.sha256(f"risk-case|{case}".encode()).hexdigest()[:32]


def yuan(fen: int) -> str:
    """An amount in fen as the taxpayer reads it: ``1,234.56``."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def percent(text: str) -> str:
    """A ratio's decimal string as a percentage to two places: ``0.0050`` → ``0.50%``."""
    return f"{(Decimal(text) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_EVEN)}%"


def _month_words(month: str) -> str:
    return f"{month[:4]}年{int(month[5:])}月"


@dataclass(frozen=True, slots=True)
class Words:
    """What the taxpayer is told: the warning's topic (:data:`etax.outreach.warnings.TOPICS`),
    title and detail, with the figures that raised it."""

    topic: str
    title: str
    detail: str


ASK: Final = ("如情况属实且已正确申报，请通过本提示说明情况；如有误，请更正申报后回复“已更正”。"
              "主管税务机关将核实后办结。")


def words(warning: Warning) -> Words:
    """The risk warning a case sends its taxpayer, in its own words and figures."""
    figures, when = warning.figures, _month_words(warning.month)
    if warning.indicator == "zero-return-while-invoicing":
        period = figures.get("period", warning.month)
        quarter = "-Q" in period
        span = f"{period[:4]}年第{period[-1]}季度" if quarter else when
        this = "当季" if quarter else "当月"
        return Words("filing", f"风险提示：{span}申报销售额为零，但{this}开具了发票",
                     f"您{span}的增值税申报销售额为{yuan(figures['declared_sales_fen'])}元，"
                     f"{this}开具发票{figures['invoices']}张，金额合计"
                     f"{yuan(figures['invoiced_fen'])}元。{ASK}")
    if warning.indicator == "small-scale-over-threshold":
        first = _month_words(figures["first_month"])
        return Words("registration", "风险提示：连续12个月开票金额超过小规模纳税人标准",
                     f"您登记为小规模纳税人，{first}至{when}连续12个月开具发票金额（不含税）"
                     f"合计{yuan(figures['invoiced_amount_fen'])}元，超过年应征增值税销售额"
                     f"{yuan(figures['standard_fen'])}元的小规模纳税人标准。年应税销售额超过"
                     "标准的，应当向主管税务机关办理一般纳税人登记。请核实销售额并按规定办理"
                     f"登记。{ASK}")
    if warning.indicator == "invoicing-spike":
        return Words("invoice", f"风险提示：{when}开票金额较此前三个月大幅增长",
                     f"您{when}开具发票{figures['invoices']}张，金额合计"
                     f"{yuan(figures['invoiced_fen'])}元，是此前三个月月均"
                     f"{yuan(figures['mean_before_fen'])}元的{figures['growth']}倍。"
                     f"请确认业务真实、开票与实际经营相符。{ASK}")
    if warning.indicator == "burden-below-industry":
        return Words("filing", f"风险提示：{when}增值税税负率低于同行业",
                     f"您{when}的增值税税负率为{percent(figures['burden'])}（应纳税额"
                     f"{yuan(figures['tax_due_fen'])}元÷申报销售额"
                     f"{yuan(figures['declared_sales_fen'])}元），同行业{figures['peers']}户"
                     f"纳税人的平均税负率为{percent(figures['industry_mean'])}。{ASK}")
    if warning.indicator == "invoicing-at-quota":
        return Words("invoice", f"风险提示：{when}开票金额接近或达到月度开票额度",
                     f"您{when}开具发票{figures['invoices']}张，金额合计"
                     f"{yuan(figures['invoiced_fen'])}元，占月度开票额度"
                     f"{yuan(figures['quota_fen'])}元的{percent(figures['share'])}。"
                     f"请确认开票与实际经营相符。{ASK}")
    if warning.indicator == "goods-sold-never-bought":
        first = _month_words(figures["first_month"])
        listed = "、".join(f"{c['category']}（{yuan(c['sold_fen'])}元）"
                           for c in figures["categories"])
        return Words("invoice", f"风险提示：{when}销售的货物未见同类进货",
                     f"您{when}开具发票销售的货物中，以下类别（税收分类编码前5位）"
                     f"{first}至{when}未取得同类货物的进货发票：{listed}，"
                     f"不含税金额合计{yuan(figures['sold_fen'])}元。"
                     f"请确认货物来源，进货、销货与发票相符。{ASK}")
    if warning.indicator == "circular-invoicing":
        return Words("invoice", f"风险提示：{when}与其他企业之间的发票开具形成闭环",
                     f"您{when}与其他{figures['enterprises'] - 1}户企业之间的发票开具形成闭环"
                     f"（对开或环开）：您向其中一户开具发票{yuan(figures['invoiced_fen'])}元，"
                     f"从其中一户取得发票{yuan(figures['received_fen'])}元。"
                     f"请确认交易真实，货物、服务与资金流向和发票一致。{ASK}")
    raise ValueError(f"no words for the indicator {warning.indicator!r}")


def case_of(warning: Warning, opened_at: str) -> dict[str, Any]:
    """The case a warning opens, as stored (no verdict yet)."""
    identifier = case_id(warning.month, warning.office, warning.indicator, warning.taxpayer)
    return {"id": identifier, "month": warning.month, "indicator": warning.indicator,
            "taxpayer": warning.taxpayer, "office": warning.office,
            "industry": warning.industry, "figures": dict(warning.figures),
            "records": dict(warning.records), "opened_at": opened_at,
            "warning_id": warning_id_of(identifier)}


def announcement(case: dict[str, Any], warning: Warning) -> dict[str, Any]:
    """The detail of the :data:`EVENT` a new case is announced with: what the information-on-
    demand board needs to warn the taxpayer (and nothing of the other taxpayers)."""
    said = words(warning)
    return {"case_id": case["id"], "warning_id": case["warning_id"],
            "indicator": case["indicator"], "month": case["month"],
            "taxpayer": case["taxpayer"], "office": case["office"], "topic": said.topic,
            "title": said.title, "detail": said.detail}


def ensure_undecided(case: dict[str, Any]) -> None:
    """A verdict is given once: a second is refused (StateChanged naming ``verdict``)."""
    if case.get("verdict"):
        raise StateChanged(f"this case was already judged {case['verdict']}", field="verdict")


def precision(confirmed: int, false_alarms: int) -> str | None:
    """The share of an indicator's judged cases that were confirmed, four places; None
    before any verdict."""
    judged = confirmed + false_alarms
    return ratio(Fraction(confirmed, judged)) if judged else None


def precision_of(indicator: str, counts: dict[str, int]) -> dict[str, Any]:
    """An indicator's verdict counts and precision, as the API shows them."""
    confirmed, alarms = counts.get(CONFIRMED, 0), counts.get(FALSE_ALARM, 0)
    return {"verdicts": {CONFIRMED: confirmed, FALSE_ALARM: alarms},
            "precision": precision(confirmed, alarms)}


def due_month(today: date) -> str:
    """The month a scheduled run takes on ``today`` (Asia/Shanghai): the newest month whose
    VAT returns were due before today — the filing calendar's deadline, holidays extending
    it (:func:`etax.filing.deadlines.deadline`) — so every return filed on time is in."""
    month = months_before(f"{today:%Y-%m}", 1)[0]
    while deadline("vat", month).due_date >= today:
        month = months_before(month, 1)[0]
    return month
