"""Compaction: a day's raw events → the tables' Parquet partitions of that day.

The day's raw objects are read one at a time, and each event's row of each table
(:func:`etax.analytics.schemas.rows_of`) is appended to that table's spill file (JSON lines in
the function's temporary storage): the memory holds one raw object, never the day, however
many events the day has (docs/benchmarks.md, the analytical store). DuckDB then reads each
spill file once and writes the table's partitions, one Parquet file per province (typed
columns, zstd), keeping one row per fact (:attr:`Table.key`: the first announcement, by event
time then id), so a redelivered or re-announced event counts once. A day is always compacted
whole from every raw object of the day, so running it again (a late event came in) rewrites
the same partitions with the late rows in them.

An event whose detail does not fit its table (a field missing, an amount that is not an
integer) is left out of that table and counted in ``refused`` (the compactor logs the counts
with the event ids): it stays in the raw archive, and a fixed mapping picks it up when the
day is compacted again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from etax.analytics.schemas import TABLES, Event, Table, rows_of


@dataclass(slots=True)
class Spilled:
    rows: dict[str, int] = field(default_factory=dict)  # rows spilled per table
    refused: dict[str, list[str]] = field(default_factory=dict)  # table → event ids


class Spill:
    """Each table's rows, appended to its JSON-lines file under ``work`` as events come."""

    def __init__(self, work: Path, tables: Sequence[Table] = TABLES) -> None:
        work.mkdir(parents=True, exist_ok=True)
        self.tables = tables
        self.paths = {t.name: work / f"{t.name}.jsonl" for t in tables}
        self._files: dict[str, IO[str]] = {}
        self.result = Spilled({t.name: 0 for t in tables})

    def __enter__(self) -> Spill:
        self._files = {name: path.open("w", encoding="utf-8")
                       for name, path in self.paths.items()}
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for handle in self._files.values():
            handle.close()

    def add(self, events: Iterable[Event]) -> None:
        for event in events:
            for table in self.tables:
                try:
                    rows = rows_of(table, event)
                except (KeyError, ValueError, TypeError):
                    self.result.refused.setdefault(table.name, []).append(event.id)
                    continue
                for row in rows:
                    self._files[table.name].write(json.dumps(row, ensure_ascii=False) + "\n")
                self.result.rows[table.name] += len(rows)


def _quoted(path: Path) -> str:
    if "'" in str(path):
        raise ValueError(f"a work file's path has no quote: {path}")
    return f"'{path}'"


def select_facts(table: Table, source: Path) -> str:
    """One row per fact of ``table`` from its spill file ``source``, typed, its province
    included (the partition column)."""
    columns = ", ".join(f"'{c.name}': '{c.type}'" for c in table.columns)
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    keys = ", ".join(f'"{k}"' for k in table.key)
    return (f"SELECT {names}, province FROM read_json({_quoted(source)}, "  # noqa: S608 (schema)
            f"format = 'newline_delimited', columns = {{{columns}, 'province': 'VARCHAR'}}) "
            f"QUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY event_time, event_id) = 1")


def write_partitions(connection: Any, table: Table, source: Path,
                     target: Path) -> tuple[int, dict[str, list[Path]]]:
    """Write ``table``'s facts from its spill file into ``target/province=<NN>/`` (Parquet);
    the number of facts and each province's files."""
    if source.stat().st_size == 0:
        return 0, {}
    target.parent.mkdir(parents=True, exist_ok=True)
    connection.execute(
        f"COPY ({select_facts(table, source)}) TO {_quoted(target)} "
        "(FORMAT PARQUET, COMPRESSION ZSTD, PARTITION_BY (province), "
        "FILENAME_PATTERN 'part-{i}', OVERWRITE_OR_IGNORE)")
    files: dict[str, list[Path]] = {}
    for path in sorted(target.glob("province=*/*.parquet")):
        files.setdefault(path.parent.name.removeprefix("province="), []).append(path)
    listed = ", ".join(_quoted(p) for paths in files.values() for p in paths)
    [(count,)] = connection.execute(
        f"SELECT count(*) FROM read_parquet([{listed}])").fetchall()  # noqa: S608 (our files)
    return int(count), files


def partition_key(table: Table, day: str, province: str, name: str = "part-0.parquet") -> str:
    return f"{table.prefix}date={day}/province={province}/{name}"
