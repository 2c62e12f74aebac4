"""The risk indicators' queries over the analytical store (DuckDB's dialect, ``?`` values;
:func:`etax.analytics.queries.every_query` lists them for the Athena transpile test) and their
rows made :func:`etax.analytics.risk.assess`'s inputs. The queries gather per-taxpayer figures
only; the rules are :mod:`etax.analytics.risk`'s."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from etax.analytics.risk import CATEGORY_DIGITS, Filed, Invoicing, Link, Registered, Traded
from etax.rules import uscc


def invoicing_query() -> str:
    """Each seller's invoicing per month of issue, for issue dates from ``?`` to before
    ``?``: invoices issued and red-letter invoices, voided ones left out; the totals with
    tax and the amounts without it."""
    return ("SELECT i.seller AS taxpayer, strftime(i.issue_date, '%Y-%m') AS month, "
            "sum(CASE WHEN i.kind = 'issued' THEN 1 ELSE 0 END) AS invoices, "
            "sum(i.total_fen) AS invoiced_fen, sum(i.amount_fen) AS amount_fen "
            "FROM invoices AS i "
            "WHERE i.issue_date >= ? AND i.issue_date < ? AND i.kind IN ('issued', 'red') "
            "AND NOT EXISTS (SELECT 1 FROM invoices AS v WHERE v.kind = 'voided' "
            "AND v.number = i.number) GROUP BY 1, 2")


def traded_query() -> str:
    """Each seller's goods sold in the month (issue dates from ``?`` to before ``?``) by
    category, and the goods of those categories it bought over the window (from ``?`` to
    before ``?``): the lines of invoices issued and red-letter invoices with a goods code
    (starting 1), voided invoices left out, amounts without tax."""
    kept = ("l.tax_code LIKE '1%' AND NOT EXISTS (SELECT 1 FROM invoices AS v "
            "WHERE v.kind = 'voided' AND v.number = l.number)")
    category = f"substr(l.tax_code, 1, {CATEGORY_DIGITS})"
    return (f"WITH sold AS (SELECT l.seller AS taxpayer, {category} AS category, "  # noqa: S608
            "sum(l.amount_fen) AS sold_fen FROM invoice_lines AS l "
            f"WHERE l.issue_date >= ? AND l.issue_date < ? AND {kept} GROUP BY 1, 2), "
            f"bought AS (SELECT l.buyer AS taxpayer, {category} AS category, "
            "sum(l.amount_fen) AS bought_fen FROM invoice_lines AS l "
            f"WHERE l.issue_date >= ? AND l.issue_date < ? AND {kept} "
            "AND l.buyer IN (SELECT taxpayer FROM sold) GROUP BY 1, 2) "
            "SELECT s.taxpayer, s.category, s.sold_fen, coalesce(b.bought_fen, 0) "
            "FROM sold AS s LEFT JOIN bought AS b ON b.taxpayer = s.taxpayer "
            "AND b.category = s.category")


def traded_of(rows: Sequence[Sequence[Any]]) -> list[Traded]:
    return [Traded(str(t), str(c), int(s or 0), int(b or 0)) for t, c, s, b in rows]


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
    "SELECT credit_code, industry, office, taxpayer_type FROM (SELECT credit_code, industry, "
    "office, taxpayer_type, row_number() OVER (PARTITION BY credit_code "
    "ORDER BY revision DESC) AS newest FROM taxpayers) AS ranked WHERE newest = 1")


def returns_query() -> str:
    """The VAT returns of the periods ``?`` and ``?`` (the month, and the quarter it ends or
    the month again)."""
    return ("SELECT taxpayer, obligation_id, sales_fen, tax_due_fen, office, period "
            "FROM returns WHERE tax_type = 'vat' AND period IN (?, ?)")


def registrations_query(count: int) -> str:
    """The newest registered industry, office and taxpayer type of ``count`` (at least one)
    credit codes, a ``?`` each."""
    if count < 1:
        raise ValueError("at least one credit code")
    marks = ", ".join("?" for _ in range(count))
    return (f"SELECT credit_code, industry, office, taxpayer_type FROM "  # noqa: S608
            f"({NEWEST_REGISTRATION}) AS n WHERE credit_code IN ({marks})")


def rows_to_inputs(invoicing_rows: Sequence[Sequence[Any]],
                   returns_rows: Sequence[Sequence[Any]],
                   registration_rows: Sequence[Sequence[Any]]
                   ) -> tuple[list[Invoicing], list[Filed], dict[str, Registered]]:
    """The queries' rows as :func:`assess`'s inputs; a filer the store has no registration
    of keeps the office its return names."""
    invoicing = [Invoicing(str(t), str(m), int(n or 0), int(fen or 0),
                           None if amount is None else int(amount))
                 for t, m, n, fen, amount in invoicing_rows]
    returns = [Filed(str(t), str(o), None if s is None else int(s), int(d or 0), str(period))
               for t, o, s, d, _office, period in returns_rows]
    registry = {str(c): Registered(i, o, kind) for c, i, o, kind in registration_rows}
    for t, _o, _s, _d, office, _period in returns_rows:
        registry.setdefault(str(t), Registered(None, office))
    return invoicing, returns, registry
