"""Open data's disclosure control and releases (docs/open-data.md): small and dominated cells
withheld, complementary cells withheld so that no withheld cell can be solved from the totals
(checked here by an attacker of its own, numpy's rank test, independent of the module's exact
reduction), a planted lone enterprise never re-identified, and the release files."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from itertools import pairwise

import duckdb
import numpy as np
import pytest
import sqlglot

from etax.analytics.disclosure import (
    MIN_CONTRIBUTORS,
    TOTAL,
    Cell,
    Key,
    disclosed,
    protect,
    relations,
    sensitive,
)
from etax.analytics.open_data import (
    DATASETS,
    INVOICES_BY_INDUSTRY,
    REVENUE_BY_TAX,
    cells_of,
    cells_query,
    closed,
    releasable,
    release,
)

AMOUNT = "amount_fen"


def table(contributions: dict[tuple[str, str], dict[str, int]]) -> dict[Key, Cell]:
    """The cells of a two-way table (totals included) from each contributor's amount per
    inner cell: ``{(row, column): {contributor: amount}}``."""
    grouped: dict[Key, dict[str, int]] = {}
    for (row, column), amounts in contributions.items():
        for key in ((row, column), (row, TOTAL), (TOTAL, column), (TOTAL, TOTAL)):
            into = grouped.setdefault(key, {})
            for who, amount in amounts.items():
                into[who] = into.get(who, 0) + amount
    return {key: Cell(key, len(by), {AMOUNT: sum(by.values())}, max(by.values()))
            for key, by in grouped.items()}


def even(count: int, amount: int = 1_000) -> dict[str, int]:
    return {f"c{n}-{random.random()}": amount for n in range(count)}


def solvable(cells: dict[Key, Cell], hidden: frozenset[Key]) -> set[Key]:
    """The attacker: each total's equation over the withheld cells, and a withheld cell is
    solved when adding its unit row leaves the system's rank unchanged (numpy, floats: the
    coefficients are 0 and ±1, small enough to be exact)."""
    variables = sorted(hidden)
    index = {k: n for n, k in enumerate(variables)}
    rows = []
    for relation in relations(cells):
        row = np.zeros(len(variables))
        for member in relation.members:
            if member in index:
                row[index[member]] += 1
        if relation.total in index:
            row[index[relation.total]] -= 1
        if row.any():
            rows.append(row)
    if not rows:
        return set()
    system = np.array(rows)
    rank = np.linalg.matrix_rank(system)
    found = set()
    for key, n in index.items():
        unit = np.zeros(len(variables))
        unit[n] = 1
        if np.linalg.matrix_rank(np.vstack([system, unit])) == rank:
            found.add(key)
    return found


@pytest.mark.parametrize(("contributors", "withheld"), [
    (0, False), (1, True), (MIN_CONTRIBUTORS - 1, True), (MIN_CONTRIBUTORS, False)])
def test_a_cell_of_1_to_10_contributors_is_sensitive(contributors: int, withheld: bool) -> None:
    cell = Cell(("35", "零售业"), contributors, {AMOUNT: 100 * contributors}, 100)
    assert sensitive(cell, AMOUNT) is withheld


def test_a_dominated_cell_is_sensitive_whatever_its_contributors() -> None:
    assert sensitive(Cell(("35", "x"), 50, {AMOUNT: 1_000}, 851), AMOUNT)
    assert not sensitive(Cell(("35", "x"), 50, {AMOUNT: 1_000}, 850), AMOUNT)
    assert not sensitive(Cell(("35", "x"), 50, {AMOUNT: -10}, 5), AMOUNT)  # net red letters


def test_a_lone_small_cell_gets_a_complement_in_its_row_and_its_column() -> None:
    cells = table({("35", "a"): even(3), ("35", "b"): even(20), ("35", "c"): even(30),
                   ("44", "a"): even(25), ("44", "b"): even(40), ("44", "c"): even(12)})
    hidden = protect(cells, AMOUNT)
    assert ("35", "a") in hidden
    # its row's and its column's smallest other cells, and then the cycle closes
    assert {("35", "b"), ("44", "a")} <= hidden
    assert disclosed(relations(cells), set(hidden)) == set()
    assert solvable(cells, hidden) == set()
    for relation in relations(cells):
        assert sum(k in hidden for k in relation.cells()) != 1


def test_a_row_with_one_cell_withholds_its_total_too() -> None:
    cells = table({("35", "a"): even(2), ("44", "a"): even(30), ("44", "b"): even(30),
                   ("46", "a"): even(15), ("46", "b"): even(18)})
    hidden = protect(cells, AMOUNT)
    assert {("35", "a"), ("35", TOTAL)} <= hidden
    assert solvable(cells, hidden) == set()


def test_nothing_is_withheld_when_every_cell_is_large() -> None:
    cells = table({("35", "a"): even(11), ("35", "b"): even(12), ("44", "a"): even(20),
                   ("44", "b"): even(30)})
    assert protect(cells, AMOUNT) == frozenset()


def test_the_exact_audit_sees_what_the_pairing_misses() -> None:
    # every total's relation withholds none or at least two cells, and yet (r, c) is solved
    # by combining them: the audit finds it, as the attacker does, and protect goes further
    cells = table({(r, c): even(20) for r in "rst" for c in "abc"})
    hidden = {("r", "a"), ("r", "b"), ("r", "c"), ("s", "c"), ("s", TOTAL), ("t", "a"),
              ("t", "b"), (TOTAL, "c"), (TOTAL, TOTAL)}
    assert all(sum(k in hidden for k in r.cells()) != 1 for r in relations(cells))
    assert disclosed(relations(cells), hidden) == solvable(cells, frozenset(hidden)) \
        == {("r", "c")}


@pytest.mark.parametrize("seed", range(40))
def test_no_withheld_cell_of_a_random_table_can_be_solved(seed: int) -> None:
    chooser = random.Random(seed)
    rows = [f"{n:02d}" for n in range(chooser.randint(1, 7))]
    columns = [f"i{n}" for n in range(chooser.randint(1, 7))]
    contributions = {}
    for row in rows:
        for column in columns:
            if chooser.random() < 0.8:
                count = chooser.choice([1, 2, 3, 5, 9, 10, 11, 12, 20, 40])
                contributions[(row, column)] = {
                    f"{row}{column}{n}": chooser.randint(1, 10_000) for n in range(count)}
    if not contributions:
        return
    cells = table(contributions)
    hidden = protect(cells, AMOUNT)
    assert {k for k, c in cells.items() if sensitive(c, AMOUNT)} <= hidden
    assert solvable(cells, hidden) == set()
    for relation in relations(cells):
        assert sum(k in hidden for k in relation.cells()) != 1


def test_a_planted_lone_enterprise_is_not_re_identified() -> None:
    """An attacker who knows one enterprise is the only seller of its industry in its
    province (the registry is public) tries to learn its sales from the release: by its cell,
    by a total minus the cells shown, by solving every total together, and by a cell whose
    contributors say it is alone."""
    chooser = random.Random(7)
    secret = 987_654_321
    contributions = {("35", "航空运输业"): {"the-planted-one": secret}}
    for province in ("35", "44", "11"):
        for industry in ("零售业", "批发业", "软件和信息技术服务业"):
            contributions[(province, industry)] = {
                f"{province}{industry}{n}": chooser.randint(10_000, 90_000)
                for n in range(chooser.randint(11, 30))}
    cells = table(contributions)
    made = release(INVOICES_BY_INDUSTRY, "2026-10", {
        k: Cell(k, c.contributors, {"invoices": c.contributors, AMOUNT: c.values[AMOUNT]},
                c.largest) for k, c in cells.items()}, "2026-11-06T00:00:00+08:00")
    shown = {(r["province"], r["industry"]): r for r in made.rows}
    assert shown[("35", "航空运输业")]["amount_fen"] is None
    hidden = frozenset(k for k, r in shown.items() if r["suppressed"])
    assert ("35", "航空运输业") not in solvable(cells, hidden)
    assert all(r["amount_fen"] != secret for r in made.rows)
    assert all(r["contributors"] is None or r["contributors"] >= MIN_CONTRIBUTORS
               for r in made.rows)
    # every difference of two shown figures in the release: none is the secret either
    figures = sorted({r["amount_fen"] for r in made.rows if r["amount_fen"] is not None})
    assert secret not in {b - a for a in figures for b in figures}
    assert "the-planted-one" not in made.csv()


def test_a_release_has_every_column_of_its_dictionary_and_no_figure_when_withheld() -> None:
    cells = table({("35", "a"): even(3), ("35", "b"): even(20), ("44", "a"): even(25),
                   ("44", "b"): even(40)})
    made = release(REVENUE_BY_TAX, "2026-10", {
        (k[0], k[1]): Cell(k, c.contributors, {"payments": 1, AMOUNT: c.values[AMOUNT]},
                           c.largest) for k, c in cells.items()}, "2026-11-06T00:00:00+08:00")
    names = [c["name"] for c in REVENUE_BY_TAX.dictionary()["columns"]]
    parsed = list(csv.DictReader(io.StringIO(made.csv())))
    assert list(parsed[0]) == names
    assert len(parsed) == len(made.rows) == len(cells)
    for row in parsed:
        withheld = row["suppressed"] == "true"
        assert (row["amount_fen"] == "" and row["contributors"] == "") is withheld
    assert [r["province"] for r in made.rows][-1] == TOTAL  # the grand total last
    assert made.document()["suppressed"] == made.suppressed >= 2


def test_a_month_is_released_after_its_closing_days() -> None:
    assert not closed("2026-11", date(2026, 12, 5))
    assert closed("2026-11", date(2026, 12, 6))
    assert not closed("2026-12", date(2026, 12, 31))
    assert releasable(date(2026, 12, 6))[-1] == "2026-11"
    assert releasable(date(2026, 12, 5))[-1] == "2026-10"
    months = releasable(date(2027, 1, 10))
    assert (months[0], months[-1], len(months)) == ("2026-01", "2026-12", 12)
    assert all(a < b for a, b in pairwise(months))


def test_the_cells_query_sums_per_contributor_then_per_cell() -> None:
    connection = duckdb.connect()
    connection.execute("CREATE TABLE payments (province VARCHAR, tax_type VARCHAR, "
                       "taxpayer VARCHAR, amount_fen BIGINT, confirmed_at TIMESTAMP)")
    rows = [("35", "vat", "A", 100), ("35", "vat", "A", 50), ("35", "cit", "A", 10),
            ("35", "vat", "B", 40), ("44", "vat", "C", 5)]
    for province, tax, who, amount in rows:
        connection.execute("INSERT INTO payments VALUES (?, ?, ?, ?, "
                           "TIMESTAMP '2026-10-10 00:00:00')", [province, tax, who, amount])
    answer = connection.execute(cells_query(REVENUE_BY_TAX), [
        "2026-09-30 16:00:00", "2026-10-31 16:00:00"]).fetchall()
    cells = cells_of(answer, REVENUE_BY_TAX)
    assert cells[("35", "vat")] == Cell(("35", "vat"), 2, {"payments": 3, AMOUNT: 190}, 150)
    # a taxpayer of two taxes is one contributor of its province, its largest summed
    assert cells[("35", TOTAL)] == Cell(("35", TOTAL), 2, {"payments": 4, AMOUNT: 200}, 160)
    assert cells[(TOTAL, "vat")].contributors == 3
    assert cells[(TOTAL, TOTAL)] == Cell((TOTAL, TOTAL), 3, {"payments": 5, AMOUNT: 205}, 160)


@pytest.mark.parametrize("dataset", DATASETS, ids=lambda d: d.id)
def test_each_data_set_s_query_transpiles_to_athena(dataset: object) -> None:
    sql = cells_query(dataset)  # type: ignore[arg-type]
    [athena] = sqlglot.transpile(sql, read="duckdb", write="athena")
    sqlglot.parse_one(athena, read="athena")
