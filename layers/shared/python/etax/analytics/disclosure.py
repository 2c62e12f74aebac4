"""Statistical disclosure control of the open data sets (docs/open-data.md).

A data set's release is a two-way table of one month: every cell of its two dimensions, each
dimension's totals and the grand total, each with the number of its contributors (the
taxpayers whose facts it sums) and additive measures (counts, amounts in fen). Before
anything is published:

* **Primary suppression.** A cell from 1 to :data:`MIN_CONTRIBUTORS` - 1 contributors is
  withheld (the small-cell rule: CMS's cell suppression policy, docs/sources.md#open-data), and
  so is a cell whose largest contributor holds more than :data:`DOMINANCE_PERCENT` % of its
  amount (the (1, k) dominance rule: one enterprise's sales would show through a cell of many).
* **Complementary suppression.** A cell withheld alone in a total's row or column could be
  derived as the total minus the cells shown; so every total relation holding exactly one
  withheld cell gets a second one (the shown member with the fewest contributors, else the
  total itself), until none holds one.
* **Audit.** Cells withheld in a pattern can still be solved together (two rows and two
  columns each withholding the same two cells leave a cycle, which is safe; other patterns
  are not). The audit writes each relation as a linear equation over the withheld cells and
  reduces the system exactly (fractions, no floating point): a withheld cell is disclosed
  when its unit vector is a row of the reduced system. A disclosed cell makes one more cell
  withheld, and the whole runs again until none is disclosed.

Which rule withheld a cell is never published: a cell marked "primary" would say that it has
fewer than 11 contributors.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Final

MIN_CONTRIBUTORS: Final = 11  # a cell from 1 to 10 contributors is never shown
DOMINANCE_PERCENT: Final = 85  # nor one whose largest contributor holds more than this share
TOTAL: Final = "total"  # a dimension's value in a total's cell

Key = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell of a release: its dimensions' values (:data:`TOTAL` for a total), the number
    of its contributors, its measures, and the amount of its largest contributor."""

    key: Key
    contributors: int
    values: Mapping[str, int]
    largest: int = 0


@dataclass(frozen=True, slots=True)
class Relation:
    """A published total and the cells it sums (an equation a reader can write)."""

    total: Key
    members: tuple[Key, ...]

    def cells(self) -> tuple[Key, ...]:
        return (self.total, *self.members)


def sensitive(cell: Cell, amount: str) -> bool:
    """Whether ``cell`` is withheld on its own (too few contributors, or one dominating)."""
    if 0 < cell.contributors < MIN_CONTRIBUTORS:
        return True
    total = cell.values.get(amount, 0)
    return total > 0 and cell.largest * 100 > total * DOMINANCE_PERCENT


def relations(keys: Iterable[Key]) -> list[Relation]:
    """The totals of a two-way table and the cells each sums: each row's total, each
    column's total, and the grand total twice (over the row totals, over the column totals)."""
    present = set(keys)
    inner = sorted(k for k in present if TOTAL not in k)
    found: list[Relation] = []
    for position in (0, 1):
        values = sorted({k[position] for k in inner})
        for value in values:
            total = (value, TOTAL) if position == 0 else (TOTAL, value)
            members = tuple(k for k in inner if k[position] == value)
            if total in present:
                found.append(Relation(total, members))
        margins = tuple(sorted(((v, TOTAL) if position == 0 else (TOTAL, v)) for v in values))
        if (TOTAL, TOTAL) in present:
            found.append(Relation((TOTAL, TOTAL),
                                  tuple(m for m in margins if m in present)))
    return found


def disclosed(groups: Iterable[Relation], hidden: set[Key]) -> set[Key]:
    """The withheld cells a reader could solve exactly from the published totals."""
    variables = sorted(hidden)
    index = {key: n for n, key in enumerate(variables)}
    rows: list[list[Fraction]] = []
    for group in groups:
        row = [Fraction(0)] * len(variables)
        for key in group.members:
            if key in index:
                row[index[key]] += 1
        if group.total in index:
            row[index[group.total]] -= 1
        if any(row):
            rows.append(row)
    reduced = _reduced(rows, len(variables))
    found = set()
    for row in reduced:
        nonzero = [n for n, value in enumerate(row) if value]
        if len(nonzero) == 1:
            found.add(variables[nonzero[0]])
    return found


def _reduced(rows: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    """The reduced row echelon form of ``rows`` (exact)."""
    rows = [list(r) for r in rows]
    pivot_row = 0
    for column in range(width):
        pivot = next((r for r in range(pivot_row, len(rows)) if rows[r][column]), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        lead = rows[pivot_row][column]
        rows[pivot_row] = [value / lead for value in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column]:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
        if pivot_row == len(rows):
            break
    return rows[:pivot_row]


def protect(cells: Mapping[Key, Cell], amount: str) -> frozenset[Key]:
    """The cells of a release to withhold: the sensitive ones, and enough others that none
    of them can be derived from what is shown."""
    hidden = {key for key, cell in cells.items() if sensitive(cell, amount)}
    groups = relations(cells)
    while True:
        _complete(groups, hidden, cells, amount)
        exposed = disclosed(groups, hidden)
        if not exposed:
            return frozenset(hidden)
        target = min(exposed)
        near = [g for g in groups if target in g.cells()]
        # a cell of a relation of the solved one; if all of theirs are withheld, of any
        # relation holding a withheld cell
        wider = [g for g in groups if hidden & set(g.cells())]
        pick = next(c for g in (*near, *wider) if (c := _complement(g, hidden, cells, amount)))
        hidden.add(pick)


def _complete(groups: list[Relation], hidden: set[Key], cells: Mapping[Key, Cell],
              amount: str) -> None:
    """Give every relation with exactly one withheld cell a second one."""
    changed = True
    while changed:
        changed = False
        for group in groups:
            if sum(key in hidden for key in group.cells()) == 1:
                pick = _complement(group, hidden, cells, amount)
                if pick is not None:
                    hidden.add(pick)
                    changed = True


def _complement(group: Relation, hidden: set[Key], cells: Mapping[Key, Cell],
                amount: str) -> Key | None:
    """The cell of ``group`` to withhold next: the shown member with the fewest
    contributors (then the smallest amount), else the total; None when all are withheld."""
    shown = [key for key in group.members if key not in hidden]
    if shown:
        return min(shown, key=lambda k: (cells[k].contributors,
                                          abs(cells[k].values.get(amount, 0)), k))
    return None if group.total in hidden else group.total
