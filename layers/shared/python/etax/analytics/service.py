"""The analytical store's three jobs: archive a batch of events, compact a day, answer a
query (docs/analytics.md). The S3 files are behind :class:`~etax.analytics.store.Store`,
the dirty days behind :class:`~etax.analytics.repository.DirtyDays`; the DuckDB connection
is given by the caller (the archive's function does not carry DuckDB)."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from etax.analytics import queries, risk, risk_store
from etax.analytics.archive import (
    CHINA,
    by_day,
    events_in,
    lines_of,
    raw_day_prefix,
    raw_key,
)
from etax.analytics.compaction import Spill, partition_key, write_partitions
from etax.analytics.repository import DirtyDays
from etax.analytics.results import RevenueRow
from etax.analytics.schemas import (
    FIRST_DAY,
    INVOICE_LINES,
    INVOICES,
    PARTITIONS,
    PAYMENTS,
    RETURNS,
    TABLES,
    TAXPAYERS,
    Event,
    Table,
)
from etax.analytics.store import Store
from etax.errors import Invalid

MONTH = re.compile(r"(19|20)\d{2}-(0[1-9]|1[0-2])")
"""a month the store's reports take: 1900-01 to 2099-12 (a year 0001 or 9999 would take the
date arithmetic out of range; the store begins in 2024, so an earlier month has nothing)"""
LAST_DAY = "9999-12-31"  # a range's end that takes every day there is


def checked_month(value: str | None, field: str) -> str:
    """``value`` if it is a month ``YYYY-MM``; else Invalid naming ``field``."""
    if value is None or not MONTH.fullmatch(value):
        raise Invalid("a month, YYYY-MM, from 1900-01 to 2099-12 (e.g. 2026-12)", field=field)
    return value


@dataclass(frozen=True, slots=True)
class Archived:
    objects: int
    events: int
    days: tuple[str, ...]


def archive(events: Sequence[Event], store: Store, days: DirtyDays) -> Archived:
    """Write ``events`` to the raw archive (one object per day) and mark their days."""
    grouped = by_day(events)
    for day, batch in sorted(grouped.items()):
        store.put(raw_key(day, batch), lines_of(batch), "application/x-ndjson")
        days.mark(day)
    return Archived(len(grouped), len(events), tuple(sorted(grouped)))


@dataclass(frozen=True, slots=True)
class Compacted:
    day: str
    events: int
    rows: dict[str, int]
    duplicates: int
    damaged_lines: int
    refused: dict[str, list[str]]
    files_written: int
    files_removed: int


def compact_day(day: str, store: Store, connection: Any,
                tables: Sequence[Table] = TABLES) -> Compacted:
    """Rewrite every table's partitions of ``day`` from all of the day's raw objects (read
    one at a time: :mod:`etax.analytics.compaction`)."""
    events = damaged = written = removed = 0
    facts: dict[str, int] = {}
    work = Path(tempfile.mkdtemp(prefix=f"compact-{day}-"))
    try:
        with Spill(work / "spill", tables) as spill:
            for key, _ in store.keys(raw_day_prefix(day)):
                found, bad = events_in(store.get(key))
                spill.add(found)
                events += len(found)
                damaged += bad
        for table in tables:
            count, files = write_partitions(connection, table, spill.paths[table.name],
                                            work / "tables" / table.name)
            facts[table.name] = count
            prefix = f"{table.prefix}date={day}/"
            before = {key for key, _ in store.keys(prefix)}
            kept = set()
            for province, paths in sorted(files.items()):
                for path in paths:
                    key = partition_key(table, day, province, path.name)
                    store.put(key, path.read_bytes(), "application/vnd.apache.parquet")
                    kept.add(key)
                    written += 1
            stale = sorted(before - kept)  # a province with no row left (a mapping fixed)
            store.delete(stale)
            removed += len(stale)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    spilled = spill.result
    duplicates = sum(spilled.rows[name] - count for name, count in facts.items())
    return Compacted(day, events, facts, duplicates, damaged, spilled.refused, written, removed)


def compact_pending(store: Store, days: DirtyDays, connection: Any) -> list[Compacted]:
    """Compact every dirty day, and forget those no archive write touched meanwhile."""
    done = []
    for day, marks in days.pending():
        done.append(compact_day(day, store, connection))
        days.clear(day, marks)
    return done


def _empty(table: Table) -> str:
    columns = [*((c.name, c.type) for c in table.columns), *((p[0], p[1]) for p in PARTITIONS)]
    return "SELECT " + ", ".join(f'CAST(NULL AS {t}) AS "{n}"' for n, t in columns) + " LIMIT 0"


def load_views(connection: Any, store: Store, first_day: str, last_day: str,
               tables: Sequence[Table] = (PAYMENTS,)) -> dict[str, int]:
    """Make each table a view over its files of the days from ``first_day`` to ``last_day``
    (copied locally when they changed); the number of files each reads."""
    counts = {}
    for table in tables:
        files = [store.local_copy(key, etag)
                 for key, etag in store.partitions(table.prefix, first_day, last_day)]
        counts[table.name] = len(files)
        if any("'" in str(f) for f in files):
            raise ValueError("a cached file's path has no quote")
        if files:
            listed = ", ".join(f"'{f}'" for f in files)
            # by name with the empty table: a column added to the table's version after a
            # file was written reads NULL from it (docs/analytics.md)
            source = (f"((SELECT * FROM read_parquet([{listed}], "  # noqa: S608 (our own paths)
                      "hive_partitioning = true, union_by_name = true, "
                      "hive_types = {'date': DATE, 'province': VARCHAR})) "
                      f"UNION ALL BY NAME ({_empty(table)}))")
        else:
            source = f"({_empty(table)})"
        connection.execute(f'CREATE OR REPLACE VIEW "{table.name}" AS '
                           f"{queries.deduplicated(table, source + ' AS files')}")
    return counts


def month_bounds(first: str, last: str) -> tuple[datetime, datetime]:
    """The instants (UTC) bounding the Asia/Shanghai months ``first`` to ``last``
    (``YYYY-MM``), the last included."""
    start = datetime.combine(date.fromisoformat(f"{first}-01"), time(), CHINA)
    end_month = date.fromisoformat(f"{last}-01")
    following = (end_month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, datetime.combine(following, time(), CHINA)


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """The instants bounding the Asia/Shanghai days ``first`` to ``last``, both included."""
    return (datetime.combine(first, time(), CHINA),
            datetime.combine(last + timedelta(days=1), time(), CHINA))


def revenue(connection: Any, store: Store, *, first: str, last: str, by: str,
            office: str | None) -> tuple[list[RevenueRow], int]:
    """Revenue collected in the months ``first`` to ``last`` grouped ``by``, for ``office``
    alone when it is given; and the number of files read."""
    start, end = month_bounds(first, last)
    # a payment's partition is the day it was announced: the day it was confirmed or, for a
    # late announcement, a few days after; three days' slack at the end covers it
    files = payment_views(connection, store, start, end)
    if by == "industry":  # each payer's newest registration says its industry
        files |= load_views(connection, store, FIRST_DAY, LAST_DAY, (TAXPAYERS,))
    parameters: list[Any] = [utc_naive(start), utc_naive(end)]
    if office is not None:
        parameters.append(office)
    answer = connection.execute(queries.revenue(by, office=office is not None),
                                parameters).fetchall()
    return ([RevenueRow(str(key), int(count), int(amount)) for key, count, amount in answer],
            sum(files.values()))


def payment_views(connection: Any, store: Store, start: datetime,
                  end: datetime) -> dict[str, int]:
    """The payments view over the partitions that may hold payments confirmed from
    ``start`` to ``end``: a payment's partition is the day it was announced, the day it was
    confirmed or, for a late announcement, a few days after; three days' slack covers it."""
    return load_views(connection, store, start.date().isoformat(),
                      (end.date() + timedelta(days=3)).isoformat())


def collected(connection: Any, store: Store, start: datetime,
              end: datetime) -> tuple[list[tuple[Any, ...]], int]:
    """The collected query's rows (office, tax, payments, fen) from ``start`` to ``end``, and
    the number of files read."""
    files = payment_views(connection, store, start, end)
    return collected_rows(connection, start, end), sum(files.values())


def collected_rows(connection: Any, start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    """The collected query's rows from ``start`` to ``end`` over the payments view already
    made (:func:`payment_views` of a range that holds this one)."""
    rows = connection.execute(queries.collected(), [utc_naive(start), utc_naive(end)]).fetchall()
    return [tuple(row) for row in rows]


@dataclass(frozen=True, slots=True)
class Moved:
    before_fen: int
    after_fen: int
    movers: list[tuple[str, int, int]]  # taxpayer, before, after; the largest change first
    files: int


def movements(connection: Any, store: Store, before: tuple[datetime, datetime],
              after: tuple[datetime, datetime], office: str | None, top: int) -> Moved:
    """The revenue of the ranges ``before`` and ``after`` (of ``office`` alone when given),
    and the ``top`` taxpayers whose revenue moved most between them."""
    files = payment_views(connection, store, min(before[0], after[0]), max(before[1], after[1]))
    bounds = [utc_naive(moment) for moment in (*before, *after)]
    parameters: list[Any] = [*bounds, *bounds] + ([office] if office is not None else [])
    row = connection.execute(queries.movement_totals(office=office is not None),
                             parameters).fetchone()
    moved = connection.execute(queries.movers(office=office is not None),
                               [*parameters, top]).fetchall()
    return Moved(int(row[0] or 0) if row else 0, int(row[1] or 0) if row else 0,
                 [(str(t), int(b or 0), int(a or 0)) for t, b, a in moved],
                 sum(files.values()))


def utc_naive(moment: datetime) -> datetime:
    """The store's timestamps are UTC without an offset (:func:`etax.analytics.schemas.instant`)."""
    return moment.astimezone(UTC).replace(tzinfo=None)


def risk_warnings(connection: Any, store: Store, month: str,
                  quotas: Callable[[Sequence[str]], Mapping[str, int]] | None = None
                  ) -> tuple[list[risk.Warning], int]:
    """The risk warnings of ``month`` (``YYYY-MM``, Asia/Shanghai; :mod:`etax.analytics.risk`)
    and the number of files read: the invoices and their classified lines of that month and
    the eleven before it (the small-scale standard's twelve months, the goods bought), the
    month's VAT returns and, in a quarter's last month, the quarter's (filed within a year
    after it), and every registration (the newest says the taxpayer's industry, office and
    type); ``quotas`` reads the monthly issuing quotas (fen) of the sellers that invoiced in
    the month, if given."""
    first = risk.months_before(month, max(risk.HISTORY_MONTHS, risk.STANDARD_MONTHS - 1))[0]
    start, end = month_bounds(first, month)
    month_start, _ = month_bounds(month, month)
    # an invoice's partition is the day it was announced, its issue day or a few days after;
    # a return is filed in the month after its period, or late
    files = load_views(connection, store, start.date().isoformat(),
                       (end.date() + timedelta(days=3)).isoformat(), (INVOICES, INVOICE_LINES))
    files |= load_views(connection, store, month_start.date().isoformat(),
                        (end.date() + timedelta(days=366)).isoformat(), (RETURNS,))
    files |= load_views(connection, store, FIRST_DAY, LAST_DAY, (TAXPAYERS,))
    invoiced = connection.execute(risk_store.invoicing_query(),
                                  [start.date(), end.date()]).fetchall()
    filed = connection.execute(risk_store.returns_query(),
                               [month, risk.quarter_ending(month) or month]).fetchall()
    links = risk_store.links_of(connection.execute(risk_store.links_query(), [
        month_start.date(), end.date(), risk.CIRCLE_FLOOR_FEN]).fetchall())
    traded = risk_store.traded_of(connection.execute(risk_store.traded_query(), [
        month_start.date(), end.date(), start.date(), end.date()]).fetchall())
    taxpayers = sorted({row[0] for row in invoiced} | {row[0] for row in filed}
                       | {link.seller for link in links} | {link.buyer for link in links}
                       | {row.taxpayer for row in traded})
    registered = connection.execute(risk_store.registrations_query(len(taxpayers)),
                                    taxpayers).fetchall() if taxpayers else []
    inputs = risk_store.rows_to_inputs(invoiced, filed, registered)
    sellers = sorted({row[0] for row in invoiced if row[1] == month})
    held = quotas(sellers) if quotas is not None and sellers else {}
    return risk.assess(month, *inputs, links, held, traded), sum(files.values())
