"""The credit table (described in :mod:`etax.credit.repository`): evaluations, listings and
repair applications in each taxpayer's partition, evaluation runs, and the sparse ``by_level``
index of the public A-list."""

from __future__ import annotations

from etax.platform.tables import Index, Key, TableSpec

LEVEL_INDEX = "by_level"

CREDIT = TableSpec(
    "CreditTable", "CREDIT_TABLE", Key("pk"), Key("sk"),
    indexes=(Index(LEVEL_INDEX, Key("year_level"), Key("credit_code"), "INCLUDE",
                   ("name", "year")),),
    holds_records=True)
