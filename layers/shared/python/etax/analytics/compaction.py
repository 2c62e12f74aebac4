"""Compaction: a day's raw events → the tables' Parquet partitions of that day.

Pure but for DuckDB writing the files: :func:`rows_by_table` turns the day's events into
each table's rows, one per fact (:attr:`Table.key`: the first announcement kept, by event
time then id, so a redelivered or re-announced event counts once), and :func:`write_parquet`
writes one file per province with DuckDB (``COPY … TO … (FORMAT PARQUET)``: typed columns,
zstd). A day is always compacted whole from every raw object of the day, so running it again
(a late event came in) rewrites the same partitions with the late rows in them.

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
from typing import Any

from etax.analytics.schemas import TABLES, Event, Row, Table, row_of


@dataclass(slots=True)
class DayRows:
    tables: dict[str, list[Row]] = field(default_factory=dict)
    refused: dict[str, list[str]] = field(default_factory=dict)  # table → event ids
    duplicates: int = 0


def rows_by_table(events: Iterable[Event], tables: Sequence[Table] = TABLES) -> DayRows:
    """Each table's rows of the day, one per key, the earliest announcement kept."""
    ordered = sorted(events, key=lambda e: (e.time, e.id))
    result = DayRows()
    for table in tables:
        kept: dict[tuple[Any, ...], Row] = {}
        for event in ordered:
            try:
                row = row_of(table, event)
            except (KeyError, ValueError, TypeError):
                result.refused.setdefault(table.name, []).append(event.id)
                continue
            if row is None:
                continue
            key = tuple(row[k] for k in table.key)
            if key in kept:
                result.duplicates += 1
                continue
            kept[key] = row
        result.tables[table.name] = list(kept.values())
    return result


def by_province(rows: Iterable[Row]) -> dict[str, list[Row]]:
    provinces: dict[str, list[Row]] = {}
    for row in rows:
        provinces.setdefault(str(row["province"]), []).append(row)
    return provinces


def select_typed(table: Table, source: str) -> str:
    """A SELECT of ``table``'s columns, typed, from a JSON-lines file ``source``."""
    columns = ", ".join(f"'{c.name}': '{c.type}'" for c in table.columns)
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    if "'" in source:
        raise ValueError(f"a work file's path has no quote: {source!r}")
    return (f"SELECT {names} FROM read_json('{source}', "  # noqa: S608 (the schema's names)
            f"format = 'newline_delimited', columns = {{{columns}}})")


def write_parquet(connection: Any, table: Table, rows: Sequence[Row], work: Path) -> Path:
    """One Parquet file of ``rows`` (the province left out: it is the file's partition),
    written through DuckDB; its path."""
    work.mkdir(parents=True, exist_ok=True)
    source, target = work / f"{table.name}.jsonl", work / f"{table.name}.parquet"
    names = table.column_names()
    with source.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({n: row.get(n) for n in names}, ensure_ascii=False) + "\n")
    connection.execute(f"COPY ({select_typed(table, str(source))}) TO '{target}' "
                       "(FORMAT PARQUET, COMPRESSION ZSTD)")
    source.unlink()
    return target


def partition_key(table: Table, day: str, province: str) -> str:
    return f"{table.prefix}date={day}/province={province}/part-0.parquet"
