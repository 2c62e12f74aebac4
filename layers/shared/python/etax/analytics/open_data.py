"""Open data (plan actions D14, E19): de-identified aggregates of the analytical store,
published month by month to the public bucket and the open-data API (docs/open-data.md).

A data set is a two-way table by month: its facts (one row per invoice, per payment) are
summed per contributor (the taxpayer they belong to), then per cell of the two dimensions,
per total of each dimension and overall; the release keeps each cell's contributors and
measures, and :mod:`etax.analytics.disclosure` withholds every cell that could tell about a
few taxpayers. No identifier (credit code, pseudonym, name) is in a release.

A month is released once, when it is closed (:func:`releasable`), and never rewritten: two
releases of the same month a day apart would tell the day's facts by difference.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from etax.analytics.disclosure import (
    DOMINANCE_PERCENT,
    MIN_CONTRIBUTORS,
    TOTAL,
    Cell,
    Key,
    protect,
)
from etax.analytics.schemas import INVOICES, PAYMENTS, TAXPAYERS, Table
from etax.analytics.service import month_bounds

CLOSING_DAYS: Final = 5  # a month is released from the 6th of the next (late facts come in)
RELEASED_MONTHS: Final = 12  # the scheduled run releases the closed months of the last year
PREFIX: Final = "open-data/"
UNKNOWN: Final = "unknown"


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: str  # "string" | "integer"
    unit: str  # "" | "fen" | "count"
    description: str


@dataclass(frozen=True, slots=True)
class Dataset:
    id: str
    title: str
    description: str
    contributor: str  # what a contributor is (the unit the small-cell rule counts)
    dimensions: tuple[Field, Field]
    measures: tuple[Field, ...]  # additive; the last is the amount the dominance rule reads
    tables: tuple[Table, ...]  # the store tables it reads
    facts: str  # SQL: province-level facts of a month: dimensions, contributor, measures
    bounds: str  # "day" (DATE parameters) or "instant" (TIMESTAMP parameters, UTC)

    @property
    def amount(self) -> str:
        return self.measures[-1].name

    def columns(self) -> tuple[Field, ...]:
        return (Field("month", "string", "", "the month, YYYY-MM (Asia/Shanghai)"),
                *self.dimensions,
                Field("contributors", "integer", "count",
                      f"the number of {self.contributor} the cell sums"),
                *self.measures,
                Field("suppressed", "boolean", "",
                      "true when the cell is withheld (its figures are empty)"))

    def dictionary(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "description": self.description,
                "columns": [{"name": f.name, "type": f.type, "unit": f.unit,
                             "description": f.description} for f in self.columns()],
                "total_value": TOTAL,
                "disclosure_control": {
                    "min_contributors": MIN_CONTRIBUTORS,
                    "dominance_percent": DOMINANCE_PERCENT,
                    "rules": [
                        f"a cell with 1 to {MIN_CONTRIBUTORS - 1} {self.contributor} is "
                        "withheld",
                        f"a cell whose largest contributor holds more than "
                        f"{DOMINANCE_PERCENT} % of its {self.amount} is withheld",
                        "more cells are withheld where a withheld cell could be derived from "
                        "the totals (complementary suppression, checked by solving every "
                        "total's equation)",
                        "a month is released once, after it is closed, and never rewritten"]},
                "source": "the platform's analytical store, tables "
                          + ", ".join(f"{t.name} (v{t.version})" for t in self.tables)}


NEWEST_INDUSTRY: Final = (  # each enterprise's industry in its newest registration revision
    "SELECT credit_code, industry FROM (SELECT credit_code, industry, row_number() OVER ("
    "PARTITION BY credit_code ORDER BY revision DESC) AS newest FROM taxpayers) AS ranked "
    "WHERE newest = 1")

INVOICES_BY_INDUSTRY = Dataset(
    "invoices-by-industry", "Invoices issued by industry and province, monthly",
    "The invoices issued in each province by the sellers of each industry in a month (by "
    "issue date): how many, and their total with tax net of red-letter invoices; voided "
    "invoices left out.",
    "sellers",
    (Field("province", "string", "", "the seller's province (two-digit administrative "
                                     "division code), or total"),
     Field("industry", "string", "", "the seller's registered industry (国民经济行业分类), "
                                     f"{UNKNOWN} when not registered, or total")),
    (Field("invoices", "integer", "count", "invoices issued (not voided)"),
     Field("amount_fen", "integer", "fen",
           "their total with tax, red-letter invoices deducted, in fen")),
    (INVOICES, TAXPAYERS),
    "SELECT i.province AS province, "  # noqa: S608 (constants; ? values)
    f"coalesce(t.industry, '{UNKNOWN}') AS industry, i.seller AS contributor, "
    "CASE WHEN i.kind = 'issued' THEN 1 ELSE 0 END AS invoices, i.total_fen AS amount_fen "
    f"FROM invoices AS i LEFT JOIN ({NEWEST_INDUSTRY}) AS t ON t.credit_code = i.seller "
    "WHERE i.issue_date >= ? AND i.issue_date < ? AND i.kind IN ('issued', 'red') "
    "AND NOT EXISTS (SELECT 1 FROM invoices AS v WHERE v.kind = 'voided' "
    "AND v.number = i.number)",
    "day")

REVENUE_BY_TAX = Dataset(
    "revenue-by-tax", "Tax revenue by tax and province, monthly",
    "The tax collected in each province for each tax in a month (by the day the payment "
    "was confirmed): the payments and their amount.",
    "taxpayers",
    (Field("province", "string", "", "the taxpayer's province (two-digit administrative "
                                     "division code), or total"),
     Field("tax_type", "string", "", "the tax (vat, iit, …), or total")),
    (Field("payments", "integer", "count", "payments confirmed"),
     Field("amount_fen", "integer", "fen", "the amount collected, in fen")),
    (PAYMENTS,),
    "SELECT province, tax_type, taxpayer AS contributor, 1 AS payments, amount_fen "
    "FROM payments WHERE confirmed_at >= ? AND confirmed_at < ?",
    "instant")

DATASETS: Final = (INVOICES_BY_INDUSTRY, REVENUE_BY_TAX)
BY_ID: Final = {d.id: d for d in DATASETS}


def cells_query(dataset: Dataset) -> str:
    """The cells of a month: per contributor first, then per cell, for the full table, each
    dimension's totals and the grand total (``?``: the month's bounds)."""
    first, second = (d.name for d in dataset.dimensions)
    sums = ", ".join(f"sum({m.name}) AS {m.name}" for m in dataset.measures)
    parts = []
    for grouped in ((first, second), (first,), (second,), ()):
        keys = [name if name in grouped else f"CAST(NULL AS VARCHAR) AS {name}"
                for name in (first, second)]
        by = ", ".join([*grouped, "contributor"])
        outer = f" GROUP BY {', '.join(grouped)}" if grouped else ""
        parts.append(
            f"SELECT {', '.join(keys)}, count(*) AS contributors, {sums}, "  # noqa: S608
            f"max({dataset.amount}) AS largest FROM (SELECT "
            + ", ".join([*grouped, "contributor", sums])
            + f" FROM facts GROUP BY {by}) AS per_contributor{outer}")
    return f"WITH facts AS ({dataset.facts}) " + " UNION ALL ".join(parts)


def cells_of(rows: Sequence[Sequence[Any]], dataset: Dataset) -> dict[Key, Cell]:
    """The query's rows as cells (a total's dimension value is :data:`TOTAL`)."""
    found = {}
    count = len(dataset.measures)
    for row in rows:
        first, second, contributors = row[0], row[1], int(row[2] or 0)
        if contributors == 0:  # the grand total of an empty month
            continue
        key = (TOTAL if first is None else str(first), TOTAL if second is None else str(second))
        values = {m.name: int(row[3 + n] or 0) for n, m in enumerate(dataset.measures)}
        found[key] = Cell(key, contributors, values, int(row[3 + count] or 0))
    return found


@dataclass(frozen=True, slots=True)
class Release:
    dataset: Dataset
    month: str
    published_at: str
    rows: tuple[dict[str, Any], ...]

    @property
    def suppressed(self) -> int:
        return sum(1 for r in self.rows if r["suppressed"])

    def document(self) -> dict[str, Any]:
        return {"dataset": self.dataset.id, "month": self.month,
                "published_at": self.published_at, "cells": len(self.rows),
                "suppressed": self.suppressed, "rows": list(self.rows)}

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, [f.name for f in self.dataset.columns()],
                                lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({k: ("true" if v is True else "false" if v is False
                                 else "" if v is None else v) for k, v in row.items()})
        return out.getvalue()


def release(dataset: Dataset, month: str, cells: Mapping[Key, Cell],
            published_at: str) -> Release:
    """The month's release: every cell, withheld ones with empty figures, totals last."""
    hidden = protect(cells, dataset.amount)
    first, second = (d.name for d in dataset.dimensions)

    def order(key: Key) -> tuple[bool, str, bool, str]:
        return (key[0] == TOTAL, key[0], key[1] == TOTAL, key[1])

    rows = []
    for key in sorted(cells, key=order):
        cell, withheld = cells[key], key in hidden
        rows.append({"month": month, first: key[0], second: key[1],
                     "contributors": None if withheld else cell.contributors,
                     **{m.name: None if withheld else cell.values[m.name]
                        for m in dataset.measures},
                     "suppressed": withheld})
    return Release(dataset, month, published_at, tuple(rows))


def month_days(month: str) -> tuple[date, date]:
    """The first day of ``month`` and the first of the next."""
    start, end = month_bounds(month, month)
    return start.date(), end.date()


def closed(month: str, today: date) -> bool:
    """Whether ``month`` may be released on ``today`` (Asia/Shanghai): it ended at least
    :data:`CLOSING_DAYS` days before."""
    return today >= month_days(month)[1] + timedelta(days=CLOSING_DAYS)


def releasable(today: date) -> list[str]:
    """The months the scheduled run releases on ``today``: the closed ones of the last
    :data:`RELEASED_MONTHS`."""
    months = []
    first = today.replace(day=1)
    for back in range(1, RELEASED_MONTHS + 1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        label = f"{year:04d}-{month + 1:02d}"
        if closed(label, today):
            months.append(label)
    return sorted(months)


def release_key(dataset_id: str, month: str, extension: str) -> str:
    return f"{PREFIX}{dataset_id}/{month}.{extension}"


def dictionary_key(dataset_id: str) -> str:
    return f"{PREFIX}{dataset_id}/dictionary.json"


CATALOGUE_KEY: Final = f"{PREFIX}catalogue.json"
