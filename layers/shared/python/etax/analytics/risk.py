"""Risk indicators over the analytical store (plan action E19; docs/risk.md): computed per
taxpayer for a month from the facts the store keeps (invoices, VAT returns, registrations),
each warning with the figures that raised it and the records behind them.

The store's queries (:func:`invoicing_query`, :func:`returns_query`) only gather per-taxpayer
figures; the rules are here, in integers and fractions, so a threshold is exact and tested
without a database:

- ``zero-return-while-invoicing``: a monthly VAT return declaring no sales (零申报) while the
  taxpayer's invoices of the month total more than zero;
- ``invoicing-spike``: a month's invoicing at least :data:`SPIKE_FACTOR` times the mean of
  the :data:`HISTORY_MONTHS` months before (months without invoices count as zero), and at
  least :data:`SPIKE_FLOOR_FEN`, for a taxpayer that invoiced in one of them;
- ``burden-below-industry``: the VAT burden (tax due ÷ declared sales) more than
  :data:`BURDEN_SHORTFALL` below the mean burden of the taxpayer's industry that month, the
  industry counting at least :data:`MIN_PEERS` taxpayers with sales;
- ``invoicing-at-quota``: 顶额开具 for the fully digitalised invoices, which have a monthly
  issuing quota and no per-invoice limit: a month's invoicing at least :data:`QUOTA_SHARE`
  of the seller's monthly quota;
- ``circular-invoicing``: a closed chain of 2 to :data:`CIRCLE_MAX` enterprises in the
  month, each invoicing the next at least :data:`CIRCLE_FLOOR_FEN` and the last the first
  (对开、环开).

Invoicing is the invoices issued in the month (by issue date), red-letter invoices deducted,
voided invoices left out — as the open data counts it. Returns are the monthly VAT returns of
the period (a quarterly return is not read: docs/risk.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any, Final

from etax.rules import uscc

SPIKE_FACTOR: Final = 3
HISTORY_MONTHS: Final = 3
SPIKE_FLOOR_FEN: Final = 10_000_000  # ¥100,000
BURDEN_SHORTFALL: Final = Fraction(1, 5)  # 20 % below the industry's mean
MIN_PEERS: Final = 5
QUOTA_SHARE: Final = Fraction(95, 100)  # of the monthly issuing quota
CIRCLE_FLOOR_FEN: Final = 10_000_000  # ¥100,000 a link of a chain
CIRCLE_MAX: Final = 4  # enterprises in a chain
CIRCLES_SHOWN: Final = 5  # the chains a warning lists (the shortest first)


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
        "declared sales of the month's VAT returns; the month's invoicing (issued, red-letter "
        "deducted, voided left out)",
        "declared sales ≤ 0 while the month's invoicing > 0",
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


@dataclass(frozen=True, slots=True)
class Link:
    """A seller's invoicing to one enterprise in a month."""

    seller: str
    buyer: str
    invoices: int
    invoiced_fen: int


@dataclass(frozen=True, slots=True)
class Filed:
    """A VAT return of the month."""

    taxpayer: str
    obligation_id: str
    sales_fen: int | None
    tax_due_fen: int


@dataclass(frozen=True, slots=True)
class Registered:
    industry: str | None
    office: str | None


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
           quotas: Mapping[str, int] | None = None) -> list[Warning]:
    """Every warning of ``month``: its invoicing (and the :data:`HISTORY_MONTHS` months
    before), its VAT returns, each taxpayer's registration (industry, office), its invoicing
    between enterprises (``links``) and the sellers' monthly issuing quotas (fen)."""
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
    for taxpayer, entries in filed.items():
        declared = [e.sales_fen for e in entries if e.sales_fen is not None]
        invoiced = this.get(taxpayer)
        if declared and sum(declared) <= 0 and invoiced and invoiced.invoiced_fen > 0:
            found.append(warning("zero-return-while-invoicing", taxpayer, {
                "declared_sales_fen": sum(declared),
                "tax_due_fen": sum(e.tax_due_fen for e in entries),
                "invoiced_fen": invoiced.invoiced_fen, "invoices": invoiced.invoices,
            }, {"returns": sorted(e.obligation_id for e in entries)}))

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

    burdens: dict[str, Fraction] = {}
    for taxpayer, entries in filed.items():
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
                entries = filed[taxpayer]
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


# -- the store's queries (DuckDB's dialect, ``?`` values; queries.every_query lists them) ----

def invoicing_query() -> str:
    """Each seller's invoicing per month of issue, for issue dates from ``?`` to before
    ``?``: invoices issued and red-letter invoices, voided ones left out."""
    return ("SELECT i.seller AS taxpayer, strftime(i.issue_date, '%Y-%m') AS month, "
            "sum(CASE WHEN i.kind = 'issued' THEN 1 ELSE 0 END) AS invoices, "
            "sum(i.total_fen) AS invoiced_fen FROM invoices AS i "
            "WHERE i.issue_date >= ? AND i.issue_date < ? AND i.kind IN ('issued', 'red') "
            "AND NOT EXISTS (SELECT 1 FROM invoices AS v WHERE v.kind = 'voided' "
            "AND v.number = i.number) GROUP BY 1, 2")


def links_query() -> str:
    """Each seller's invoicing to each buyer, for issue dates from ``?`` to before ``?``
    (invoices issued and red-letter invoices, voided ones left out), the pairs of at least
    ``?`` fen only."""
    return ("SELECT i.seller, i.buyer, "
            "sum(CASE WHEN i.kind = 'issued' THEN 1 ELSE 0 END) AS invoices, "
            "sum(i.total_fen) AS invoiced_fen FROM invoices AS i "
            "WHERE i.issue_date >= ? AND i.issue_date < ? AND i.kind IN ('issued', 'red') "
            "AND i.buyer IS NOT NULL AND NOT EXISTS (SELECT 1 FROM invoices AS v "
            "WHERE v.kind = 'voided' AND v.number = i.number) "
            "GROUP BY 1, 2 HAVING sum(i.total_fen) >= ?")


def links_of(rows: Sequence[Sequence[Any]]) -> list[Link]:
    """The links query's rows between enterprises (a natural person's pseudonym left out)."""
    return [Link(str(s), str(b), int(n or 0), int(fen or 0)) for s, b, n, fen in rows
            if uscc.is_valid(str(b))]


# each enterprise's newest registration (the registry's latest revision the store holds)
NEWEST_REGISTRATION: Final = (
    "SELECT credit_code, industry, office FROM (SELECT credit_code, industry, office, "
    "row_number() OVER (PARTITION BY credit_code ORDER BY revision DESC) AS newest "
    "FROM taxpayers) AS ranked WHERE newest = 1")


def returns_query() -> str:
    """The VAT returns of the period ``?``."""
    return ("SELECT taxpayer, obligation_id, sales_fen, tax_due_fen, office FROM returns "
            "WHERE tax_type = 'vat' AND period = ?")


def registrations_query(count: int) -> str:
    """The newest registered industry and office of ``count`` (at least one) credit codes,
    a ``?`` each."""
    if count < 1:
        raise ValueError("at least one credit code")
    marks = ", ".join("?" for _ in range(count))
    return (f"SELECT credit_code, industry, office FROM ({NEWEST_REGISTRATION}) AS n "  # noqa: S608
            f"WHERE credit_code IN ({marks})")


def rows_to_inputs(invoicing_rows: Sequence[Sequence[Any]],
                   returns_rows: Sequence[Sequence[Any]],
                   registration_rows: Sequence[Sequence[Any]]
                   ) -> tuple[list[Invoicing], list[Filed], dict[str, Registered]]:
    """The queries' rows as :func:`assess`'s inputs; a filer the store has no registration
    of keeps the office its return names."""
    invoicing = [Invoicing(str(t), str(m), int(n or 0), int(fen or 0))
                 for t, m, n, fen in invoicing_rows]
    returns = [Filed(str(t), str(o), None if s is None else int(s), int(d or 0))
               for t, o, s, d, _office in returns_rows]
    registry = {str(c): Registered(i, o) for c, i, o in registration_rows}
    for t, _o, _s, _d, office in returns_rows:
        registry.setdefault(str(t), Registered(None, office))
    return invoicing, returns, registry
