"""The queries the platform runs on the analytical store, in one dialect (DuckDB's), over
views named like the tables. DuckDB runs them here over the Parquet files; on the stages
with a Glue catalog the same text runs on Athena once transpiled (a unit test transpiles each
with sqlglot to Athena's dialect and parses the result).

Each table is read through a view keeping one row per fact across days
(:func:`deduplicated`): a fact re-announced on a later day is in two partitions, and counts
once. Parameters are positional (``?``), never formatted into the text.
"""

from __future__ import annotations

from typing import Final

from etax.analytics import risk_store
from etax.analytics.schemas import PARTITIONS, Table

GROUPINGS: Final = {  # the revenue's ``by``: its key expression over the payments view
    "tax": "tax_type",
    "province": "province",
    "office": "coalesce(office, 'unknown')",
    "month": "strftime(confirmed_at, '%Y-%m')",
    "industry": "coalesce(industry, 'unknown')",
}
"""``industry`` is the payer's registered industry in its newest registration (a natural
person, or an enterprise the store has no registration of: ``unknown``)."""

WITH_INDUSTRY: Final = (  # the payments, each with its payer's newest registered industry
    "(SELECT p.*, r.industry FROM payments AS p LEFT JOIN (SELECT credit_code, industry FROM "
    "(SELECT credit_code, industry, row_number() OVER (PARTITION BY credit_code "
    "ORDER BY revision DESC) AS newest FROM taxpayers) AS ranked WHERE newest = 1) AS r "
    "ON r.credit_code = p.taxpayer) AS payments")


def deduplicated(table: Table, source: str) -> str:
    """The table's view over ``source`` (its files, partition columns included): one row per
    key, the earliest announcement."""
    names = ", ".join([*table.column_names(), *(p[0] for p in PARTITIONS)])
    keys = ", ".join(table.key)
    return (f"SELECT {names} FROM (SELECT {names}, "  # noqa: S608 (the schema's names)
            f"row_number() OVER (PARTITION BY {keys} "
            f"ORDER BY event_time, event_id) AS copy_number FROM {source}) AS facts "
            "WHERE copy_number = 1")


def revenue(by: str, *, office: bool) -> str:
    """Revenue collected between two instants (``confirmed_at >= ? AND < ?``), grouped
    ``by`` (a key of :data:`GROUPINGS`), for one office when ``office``."""
    where = "confirmed_at >= ? AND confirmed_at < ?" + (" AND office = ?" if office else "")
    source = WITH_INDUSTRY if by == "industry" else "payments"
    return (f"SELECT {GROUPINGS[by]} AS grouping_key, "  # noqa: S608 (constants; ? values)
            "count(*) AS payments, "
            f"sum(amount_fen) AS amount_fen FROM {source} WHERE {where} "
            "GROUP BY 1 ORDER BY 1")


def collected() -> str:
    """Revenue collected between two instants (``confirmed_at >= ? AND < ?``) by office and
    tax: what a yearly plan's progress is measured with."""
    return ("SELECT coalesce(office, 'unknown') AS office, tax_type, count(*) AS payments, "
            "sum(amount_fen) AS amount_fen FROM payments "
            "WHERE confirmed_at >= ? AND confirmed_at < ? GROUP BY 1, 2 ORDER BY 1, 2")


_BOTH_RANGES: Final = ("((confirmed_at >= ? AND confirmed_at < ?) "
                       "OR (confirmed_at >= ? AND confirmed_at < ?))")


def movement_totals(*, office: bool) -> str:
    """The revenue of two ranges of instants (the earlier's bounds, then the later's: each
    pair given twice, once for the sums and once for the filter), for one office when
    ``office``: ``(before_fen, after_fen)``."""
    where = _BOTH_RANGES + (" AND office = ?" if office else "")
    return ("SELECT sum(CASE WHEN confirmed_at >= ? AND confirmed_at < ? "  # noqa: S608
            "THEN amount_fen ELSE 0 END) AS before_fen, "
            "sum(CASE WHEN confirmed_at >= ? AND confirmed_at < ? THEN amount_fen "
            f"ELSE 0 END) AS after_fen FROM payments WHERE {where}")


def movers(*, office: bool) -> str:
    """The taxpayers whose revenue moved most between two ranges (parameters as
    :func:`movement_totals`, then how many): each one's revenue in both, the largest change
    (up or down) first, ties by taxpayer."""
    where = _BOTH_RANGES + (" AND office = ?" if office else "")
    return ("SELECT taxpayer, before_fen, after_fen FROM (SELECT taxpayer, "  # noqa: S608
            "sum(CASE WHEN confirmed_at >= ? AND confirmed_at < ? THEN amount_fen "
            "ELSE 0 END) AS before_fen, "
            "sum(CASE WHEN confirmed_at >= ? AND confirmed_at < ? THEN amount_fen "
            f"ELSE 0 END) AS after_fen FROM payments WHERE {where} GROUP BY taxpayer) "
            "AS moved WHERE before_fen <> after_fen "
            "ORDER BY abs(after_fen - before_fen) DESC, taxpayer LIMIT ?")


INVOICING: Final = {  # the invoicing's ``by``: its key over the invoices view
    "province": "province",
    "seller": "seller",
    "day": "strftime(issue_date, '%Y-%m-%d')",
    "kind": "kind",
}


def invoicing(by: str, *, top: int | None = None) -> str:
    """Invoices announced between two instants (``event_time >= ? AND < ?``) grouped ``by``
    (a key of :data:`INVOICING`): their count and total; the ``top`` groups by total."""
    order = "3 DESC, 1" if top else "1"
    limit = f" LIMIT {int(top)}" if top else ""
    return (f"SELECT {INVOICING[by]} AS grouping_key, "  # noqa: S608 (constants; ? values)
            "count(*) AS invoices, sum(total_fen) AS total_fen FROM invoices "
            f"WHERE event_time >= ? AND event_time < ? GROUP BY 1 ORDER BY {order}{limit}")


# -- one enterprise's records (the officers' 360° view: etax.analytics.profile) -------------

PROFILE_ROWS: Final = 100  # the newest returns, payments and refunds an enterprise's view lists


def invoicing_by_month(side: str) -> str:
    """An enterprise's invoices by month of issue between two days (``issue_date >= ? AND
    < ?``), as the ``seller`` or the ``buyer`` (``?`` its credit code): the invoices issued
    (count) and the total with tax of the issued and red-letter ones."""
    if side not in ("seller", "buyer"):
        raise ValueError(f"no side {side!r}")
    return (f"SELECT strftime(issue_date, '%Y-%m') AS month, "  # noqa: S608 (constants)
            "sum(CASE WHEN kind = 'issued' THEN 1 ELSE 0 END) AS invoices, "
            "sum(CASE WHEN kind IN ('issued', 'red') THEN total_fen ELSE 0 END) AS total_fen "
            f"FROM invoices WHERE {side} = ? AND issue_date >= ? AND issue_date < ? "
            "GROUP BY 1 ORDER BY 1")


def enterprise_returns() -> str:
    """An enterprise's returns filed since an instant (``taxpayer = ? AND filed_at >= ?``),
    the newest first."""
    return ("SELECT obligation_id, tax_type, period, return_kind, sales_fen, tax_due_fen, "  # noqa: S608
            "filed_at FROM returns WHERE taxpayer = ? AND filed_at >= ? "
            f"ORDER BY filed_at DESC, obligation_id LIMIT {PROFILE_ROWS}")


def enterprise_payments() -> str:
    """An enterprise's payments confirmed since an instant, the newest first."""
    return ("SELECT payment_id, tax_type, period, amount_fen, method, confirmed_at "  # noqa: S608
            "FROM payments WHERE taxpayer = ? AND confirmed_at >= ? "
            f"ORDER BY confirmed_at DESC, payment_id LIMIT {PROFILE_ROWS}")


def enterprise_refunds() -> str:
    """An enterprise's refunds paid since an instant, the newest first."""
    return ("SELECT case_id, refund_kind, amount_fen, paid_at FROM refunds "  # noqa: S608
            "WHERE applicant = ? AND paid_at >= ? "
            f"ORDER BY paid_at DESC, case_id LIMIT {PROFILE_ROWS}")


def every_query() -> list[str]:
    """Every query text the platform runs (what the transpile test checks)."""
    return ([revenue(by, office=office) for by in GROUPINGS for office in (False, True)]
            + [collected()]
            + [q(office=office) for q in (movement_totals, movers) for office in (False, True)]
            + [invoicing_by_month(side) for side in ("seller", "buyer")]
            + [enterprise_returns(), enterprise_payments(), enterprise_refunds()]
            + [invoicing(by, top=top) for by in INVOICING for top in (None, 20)]
            + [risk_store.invoicing_query(), risk_store.returns_query(),
               risk_store.registrations_query(3), risk_store.links_query(),
               risk_store.traded_query()])
