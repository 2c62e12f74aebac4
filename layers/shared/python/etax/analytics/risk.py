"""Risk indicators over the analytical store (plan action E19; docs/risk.md): computed per
taxpayer for a month from the facts the store keeps (invoices, VAT returns, registrations),
each warning with the figures that raised it and the records behind them.

The store's queries (:mod:`etax.analytics.risk_store`) only gather per-taxpayer figures; the
rules are here, in integers and fractions, so a threshold is exact and tested
without a database:

- ``zero-return-while-invoicing``: a monthly VAT return declaring no sales (零申报) while the
  taxpayer's invoices of the month total more than zero; or, in a quarter's last month, a
  quarterly VAT return (a small-scale taxpayer's) declaring none while the quarter's invoices
  total more than zero;
- ``invoicing-spike``: a month's invoicing at least :data:`SPIKE_FACTOR` times the mean of
  the :data:`HISTORY_MONTHS` months before (months without invoices count as zero), and at
  least :data:`SPIKE_FLOOR_FEN`, for a taxpayer that invoiced in one of them;
- ``burden-below-industry``: the VAT burden (tax due ÷ declared sales) more than
  :data:`BURDEN_SHORTFALL` below the mean burden of the taxpayer's industry that month, the
  industry counting at least :data:`MIN_PEERS` taxpayers with sales;
- ``invoicing-at-quota``: 顶额开具 for the fully digitalised invoices, which have a monthly
  issuing quota and no per-invoice limit: a month's invoicing at least :data:`QUOTA_SHARE`
  of the seller's monthly quota;
- ``small-scale-over-threshold``: a taxpayer registered small-scale whose invoicing of the
  twelve months to the month (amounts without tax) exceeds the small-scale standard,
  :data:`SMALL_SCALE_STANDARD_FEN` — it invoices beyond the capacity it is registered for,
  and should be registered a general taxpayer;
- ``goods-sold-never-bought``: 进销品目不符 for a trading enterprise (wholesale or retail,
  which sells what it buys): goods of a category (the first :data:`CATEGORY_DIGITS` digits of
  the lines' tax classification codes) sold in the month for at least
  :data:`SOLD_FLOOR_FEN` without tax, while no invoice it received in the
  :data:`STANDARD_MONTHS` months to the month was for goods of that category;
- ``circular-invoicing``: a closed chain of 2 to :data:`CIRCLE_MAX` enterprises in the
  month, each invoicing the next at least :data:`CIRCLE_FLOOR_FEN` and the last the first
  (对开、环开).

Invoicing is the invoices issued in the month (by issue date), red-letter invoices deducted,
voided invoices left out — as the open data counts it. Returns are the VAT returns of the
month's period and, in a quarter's last month, of the quarter's (docs/risk.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, Final

SPIKE_FACTOR: Final = 3
HISTORY_MONTHS: Final = 3
SPIKE_FLOOR_FEN: Final = 10_000_000  # ¥100,000
BURDEN_SHORTFALL: Final = Fraction(1, 5)  # 20 % below the industry's mean
MIN_PEERS: Final = 5
QUOTA_SHARE: Final = Fraction(95, 100)  # of the monthly issuing quota
CIRCLE_FLOOR_FEN: Final = 10_000_000  # ¥100,000 a link of a chain
CIRCLE_MAX: Final = 4  # enterprises in a chain
CIRCLES_SHOWN: Final = 5  # the chains a warning lists (the shortest first)
CATEGORY_DIGITS: Final = 5  # a chapter (章) of the tax classification code table
SOLD_FLOOR_FEN: Final = 10_000_000  # ¥100,000 of a category sold in the month
TRADING_INDUSTRIES: Final = ("批发业", "零售业")  # 国民经济行业分类 divisions 51 and 52
SMALL_SCALE_STANDARD_FEN: Final = 500_000_000  # ¥5,000,000 of sales in twelve months
STANDARD_MONTHS: Final = 12  # the months the small-scale standard counts (连续12个月)


@dataclass(frozen=True, slots=True)
class Indicator:
    id: str
    title: str
    formula: str
    threshold: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "formula": self.formula,
                "threshold": self.threshold, "source": self.source}


INDICATORS: Final = {i.id: i for i in (
    Indicator(
        "zero-return-while-invoicing", "零申报但有开票 (a nil return while invoicing)",
        "declared sales of the month's VAT returns and the month's invoicing (issued, "
        "red-letter deducted, voided left out); in a quarter's last month, of the quarter's "
        "returns and the quarter's invoicing",
        "declared sales ≤ 0 while the invoicing of the same period > 0",
        "docs/sources.md#risk-indicators (纳税评估管理办法, 国税发〔2005〕43号: 申报与发票比对)"),
    Indicator(
        "invoicing-spike", "开票金额异常增长 (a spike of invoicing)",
        f"the month's invoicing ÷ the mean invoicing of the {HISTORY_MONTHS} months before",
        f"≥ {SPIKE_FACTOR}, the month's invoicing ≥ ¥{SPIKE_FLOOR_FEN // 100:,}, and some "
        "invoicing in the months before",
        "docs/sources.md#risk-indicators (the platform's own threshold, written down there)"),
    Indicator(
        "burden-below-industry", "税负率低于行业 (a tax burden below the industry's)",
        "VAT burden = tax due ÷ declared sales (the month's VAT returns); the industry's mean "
        "burden over its taxpayers with sales that month",
        f"the burden below {1 - BURDEN_SHORTFALL:.0%} of the industry's mean, the industry "
        f"with at least {MIN_PEERS} taxpayers",
        "docs/sources.md#risk-indicators (纳税评估管理办法, 国税发〔2005〕43号; 20 % below the "
        "industry)"),
    Indicator(
        "invoicing-at-quota", "顶额开具 (invoicing at the top of the quota)",
        "the month's invoicing ÷ the seller's monthly issuing quota (the fully digitalised "
        "invoices' limit: a quota a month, no per-invoice limit)",
        f"≥ {QUOTA_SHARE.numerator / QUOTA_SHARE.denominator:.0%} of the quota",
        "docs/sources.md#risk-indicators (顶额开具 in public use; the share of the quota is "
        "the platform's own threshold)"),
    Indicator(
        "small-scale-over-threshold", "超过小规模纳税人标准开票 (invoicing beyond the "
        "small-scale registration)",
        f"the invoicing, amounts without tax, of the {STANDARD_MONTHS} months to the month "
        "(the month and the eleven before) of a taxpayer registered small-scale",
        f"> ¥{SMALL_SCALE_STANDARD_FEN // 100:,} (the small-scale standard of annual sales)",
        "docs/sources.md#risk-indicators (增值税法 art. 9; 财税〔2018〕33号; 增值税一般纳税人"
        "登记管理办法, 国家税务总局令第43号)"),
    Indicator(
        "goods-sold-never-bought", "进销品目不符 (goods sold that were never bought)",
        f"for a wholesale or retail enterprise: the goods it invoiced in the month by category "
        f"(the first {CATEGORY_DIGITS} digits of the lines' tax classification codes, amounts "
        f"without tax), against the goods of the same category on the invoices it received in "
        f"the {STANDARD_MONTHS} months to the month",
        f"a category sold for ≥ ¥{SOLD_FLOOR_FEN // 100:,} in the month with nothing of it "
        "bought",
        "docs/sources.md#risk-indicators (sales and purchases that do not match, in public "
        "use; the category's digits and the floor are the platform's own)"),
    Indicator(
        "circular-invoicing", "环开发票 (circular invoicing)",
        f"the month's invoicing between enterprises, seller to buyer; a chain of 2 to "
        f"{CIRCLE_MAX} enterprises, each invoicing the next and the last the first",
        f"every link of the chain ≥ ¥{CIRCLE_FLOOR_FEN // 100:,} in the month",
        "docs/sources.md#risk-indicators (the platform's own threshold, written down there)"),
)}


@dataclass(frozen=True, slots=True)
class Invoicing:
    """A seller's invoicing in a month."""

    taxpayer: str
    month: str
    invoices: int
    invoiced_fen: int
    amount_fen: int | None = None  # without tax (None: not read)


@dataclass(frozen=True, slots=True)
class Link:
    """A seller's invoicing to one enterprise in a month."""

    seller: str
    buyer: str
    invoices: int
    invoiced_fen: int


@dataclass(frozen=True, slots=True)
class Traded:
    """A seller's goods of a category sold in the month, and bought over the window."""

    taxpayer: str
    category: str
    sold_fen: int
    bought_fen: int


@dataclass(frozen=True, slots=True)
class Filed:
    """A VAT return of the month."""

    taxpayer: str
    obligation_id: str
    sales_fen: int | None
    tax_due_fen: int
    period: str | None = None  # YYYY-Qn: a quarterly return; else the month's


@dataclass(frozen=True, slots=True)
class Registered:
    industry: str | None
    office: str | None
    taxpayer_type: str | None = None  # general or small_scale


@dataclass(frozen=True, slots=True)
class Warning:
    indicator: str
    taxpayer: str
    month: str
    industry: str | None
    office: str | None
    figures: Mapping[str, Any]
    records: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "taxpayer": self.taxpayer, "month": self.month,
                "industry": self.industry, "office": self.office,
                "figures": dict(self.figures), "records": dict(self.records)}


def ratio(value: Fraction) -> str:
    """A ratio as the API shows it: four decimal places, half to even."""
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_EVEN))


def months_before(month: str, count: int) -> list[str]:
    """The ``count`` months before ``month`` (``YYYY-MM``), oldest first."""
    year, number = int(month[:4]), int(month[5:])
    found = []
    for _ in range(count):
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
        found.append(f"{year:04d}-{number:02d}")
    return found[::-1]


def quarter_ending(month: str) -> str | None:
    """The quarter (``YYYY-Qn``) whose last month is ``month``, or None."""
    number = int(month[5:])
    return f"{month[:4]}-Q{number // 3}" if number % 3 == 0 else None


def circles(links: Iterable[Link]) -> list[tuple[str, ...]]:
    """Every closed chain of 2 to :data:`CIRCLE_MAX` distinct enterprises of ``links`` in
    which each invoiced the next at least :data:`CIRCLE_FLOOR_FEN` and the last the first;
    each chain once, from its smallest credit code, shortest first."""
    edges: dict[str, set[str]] = defaultdict(set)
    for link in links:
        if link.invoiced_fen >= CIRCLE_FLOOR_FEN and link.seller != link.buyer:
            edges[link.seller].add(link.buyer)
    found: list[tuple[str, ...]] = []

    def walk(path: list[str]) -> None:
        for following in sorted(edges.get(path[-1], ())):
            if following == path[0]:
                found.append(tuple(path))
            elif (following > path[0] and following not in path
                  and len(path) < CIRCLE_MAX):
                walk([*path, following])

    for start in sorted(edges):
        walk([start])
    return sorted(found, key=lambda chain: (len(chain), chain))


def assess(month: str, invoicing: Iterable[Invoicing], returns: Iterable[Filed],
           registry: Mapping[str, Registered], links: Iterable[Link] = (),
           quotas: Mapping[str, int] | None = None,
           traded: Iterable[Traded] = ()) -> list[Warning]:
    """Every warning of ``month``: its invoicing (and the months before), its VAT returns,
    each taxpayer's registration (industry, office, type), its invoicing between enterprises
    (``links``), the sellers' monthly issuing quotas (fen) and their goods sold and bought by
    category (``traded``)."""
    by_month: dict[str, dict[str, Invoicing]] = defaultdict(dict)
    for row in invoicing:
        by_month[row.month][row.taxpayer] = row
    filed: dict[str, list[Filed]] = defaultdict(list)
    for entry in returns:
        filed[entry.taxpayer].append(entry)

    def warning(indicator: str, taxpayer: str, figures: Mapping[str, Any],
                records: Mapping[str, Any]) -> Warning:
        known = registry.get(taxpayer, Registered(None, None))
        return Warning(indicator, taxpayer, month, known.industry, known.office, figures,
                       records)

    found: list[Warning] = []
    this = by_month.get(month, {})
    quarter = quarter_ending(month)
    quarter_months = [*months_before(month, 2), month]
    for taxpayer, entries in filed.items():
        for period in (month, quarter):
            of_period = [e for e in entries if (e.period or month) == period]
            declared = [e.sales_fen for e in of_period if e.sales_fen is not None]
            rows = [by_month.get(m, {}).get(taxpayer)
                    for m in (quarter_months if period == quarter else [month])]
            invoiced_fen = sum(r.invoiced_fen for r in rows if r is not None)
            if declared and sum(declared) <= 0 and invoiced_fen > 0:
                found.append(warning("zero-return-while-invoicing", taxpayer, {
                    "period": period, "declared_sales_fen": sum(declared),
                    "tax_due_fen": sum(e.tax_due_fen for e in of_period),
                    "invoiced_fen": invoiced_fen,
                    "invoices": sum(r.invoices for r in rows if r is not None),
                }, {"returns": sorted(e.obligation_id for e in of_period)}))

    history = months_before(month, HISTORY_MONTHS)
    for taxpayer, row in this.items():
        before = [by_month.get(m, {}).get(taxpayer) for m in history]
        total_before = sum(r.invoiced_fen for r in before if r is not None)
        if total_before <= 0 or row.invoiced_fen < SPIKE_FLOOR_FEN:
            continue
        growth = Fraction(row.invoiced_fen * HISTORY_MONTHS, total_before)
        if growth >= SPIKE_FACTOR:
            found.append(warning("invoicing-spike", taxpayer, {
                "invoiced_fen": row.invoiced_fen, "invoices": row.invoices,
                "mean_before_fen": total_before // HISTORY_MONTHS,
                "growth": ratio(growth),
                "months_before": {m: (r.invoiced_fen if r else 0)
                                  for m, r in zip(history, before, strict=True)},
            }, {}))

    # the burden of the month's returns (a quarterly return is a small-scale taxpayer's, levied
    # at one rate on its sales: its burden says nothing against an industry's)
    monthly = {t: [e for e in entries if (e.period or month) == month]
               for t, entries in filed.items()}
    burdens: dict[str, Fraction] = {}
    for taxpayer, entries in monthly.items():
        sales = sum(e.sales_fen for e in entries if e.sales_fen is not None)
        if sales > 0:
            burdens[taxpayer] = Fraction(sum(e.tax_due_fen for e in entries), sales)
    peers: dict[str, list[str]] = defaultdict(list)
    for taxpayer in burdens:
        industry = registry.get(taxpayer, Registered(None, None)).industry
        if industry:
            peers[industry].append(taxpayer)
    for members in peers.values():
        if len(members) < MIN_PEERS:
            continue
        mean = sum((burdens[t] for t in members), Fraction(0)) / len(members)
        floor = mean * (1 - BURDEN_SHORTFALL)
        for taxpayer in sorted(members):
            if burdens[taxpayer] < floor:
                entries = monthly[taxpayer]
                found.append(warning("burden-below-industry", taxpayer, {
                    "burden": ratio(burdens[taxpayer]), "industry_mean": ratio(mean),
                    "peers": len(members),
                    "declared_sales_fen": sum(e.sales_fen or 0 for e in entries),
                    "tax_due_fen": sum(e.tax_due_fen for e in entries),
                }, {"returns": sorted(e.obligation_id for e in entries)}))

    for taxpayer, row in this.items():
        quota = (quotas or {}).get(taxpayer)
        if quota and quota > 0 and Fraction(row.invoiced_fen, quota) >= QUOTA_SHARE:
            found.append(warning("invoicing-at-quota", taxpayer, {
                "invoiced_fen": row.invoiced_fen, "invoices": row.invoices,
                "quota_fen": quota, "share": ratio(Fraction(row.invoiced_fen, quota)),
            }, {}))

    year = [*months_before(month, STANDARD_MONTHS - 1), month]
    for taxpayer, known in sorted(registry.items()):
        if known.taxpayer_type != "small_scale":
            continue
        rows = [by_month.get(m, {}).get(taxpayer) for m in year]
        sales = sum(r.amount_fen or 0 for r in rows if r is not None)
        if sales > SMALL_SCALE_STANDARD_FEN:
            found.append(warning("small-scale-over-threshold", taxpayer, {
                "invoiced_amount_fen": sales, "standard_fen": SMALL_SCALE_STANDARD_FEN,
                "months": {m: (r.amount_fen or 0) if r else 0
                           for m, r in zip(year, rows, strict=True)},
                "first_month": year[0], "taxpayer_type": "small_scale",
            }, {}))

    unmatched: dict[str, list[Traded]] = defaultdict(list)
    for sale in traded:
        industry = registry.get(sale.taxpayer, Registered(None, None)).industry or ""
        if (industry.startswith(TRADING_INDUSTRIES) and sale.sold_fen >= SOLD_FLOOR_FEN
                and sale.bought_fen <= 0):
            unmatched[sale.taxpayer].append(sale)
    for taxpayer, goods in sorted(unmatched.items()):
        goods.sort(key=lambda t: (-t.sold_fen, t.category))
        found.append(warning("goods-sold-never-bought", taxpayer, {
            "categories": [{"category": t.category, "sold_fen": t.sold_fen} for t in goods],
            "sold_fen": sum(t.sold_fen for t in goods), "first_month": year[0],
        }, {}))

    amounts: dict[tuple[str, str], int] = {}
    for link in links:
        amounts[(link.seller, link.buyer)] = link.invoiced_fen
    chains_of: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for chain in circles(Link(s, b, 0, fen) for (s, b), fen in amounts.items()):
        for member in chain:
            chains_of[member].append(chain)
    for taxpayer, chains in sorted(chains_of.items()):
        first = chains[0]
        at = first.index(taxpayer)
        following, previous = first[(at + 1) % len(first)], first[at - 1]
        found.append(warning("circular-invoicing", taxpayer, {
            "enterprises": len(first), "chains": len(chains),
            "invoiced_fen": amounts[(taxpayer, following)],
            "received_fen": amounts[(previous, taxpayer)],
        }, {"chains": [list(c) for c in chains[:CIRCLES_SHOWN]]}))
    return sorted(found, key=lambda w: (w.indicator, w.taxpayer))
