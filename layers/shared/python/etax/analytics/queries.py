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

from etax.analytics import risk
from etax.analytics.schemas import PARTITIONS, Table

GROUPINGS: Final = {  # the revenue's ``by``: its key expression over the payments view
    "tax": "tax_type",
    "province": "province",
    "office": "coalesce(office, 'unknown')",
    "month": "strftime(confirmed_at, '%Y-%m')",
}


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
    return (f"SELECT {GROUPINGS[by]} AS grouping_key, "  # noqa: S608 (constants; ? values)
            "count(*) AS payments, "
            f"sum(amount_fen) AS amount_fen FROM payments WHERE {where} "
            "GROUP BY 1 ORDER BY 1")


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


def every_query() -> list[str]:
    """Every query text the platform runs (what the transpile test checks)."""
    return ([revenue(by, office=office) for by in GROUPINGS for office in (False, True)]
            + [invoicing(by, top=top) for by in INVOICING for top in (None, 20)]
            + [risk.invoicing_query(), risk.returns_query(), risk.registrations_query(3),
               risk.links_query()])
