#!/usr/bin/env python3
"""Benchmark the analytical store (plan action E19): compaction and queries, in-process.

A generator writes synthetic but realistic raw archives — taxpayers by industry and province
(sizes spread like real registers: many small ones, few large ones), invoices over ``--days``
days with a seasonal swing (more at a month's end and at the year's), one natural-person buyer
in four, one confirmed payment for every ten invoices, and one event in a hundred delivered
twice (the archive's redeliveries) — in the archive's own format (``raw/date=<day>/…jsonl``),
into a local folder that stands for the bucket. The store's own code then compacts every day
(:func:`etax.analytics.service.compact_day`: the spill files, DuckDB's deduplication and
Parquet) and answers queries over the files (:func:`etax.analytics.service.load_views`
and :mod:`etax.analytics.queries`).

Reported for each size (``--sizes``, 10^5, 10^6 and 10^7 invoices by default): the
generation, the compaction (wall time, events a second, the process's peak memory), the raw
and Parquet sizes, and the time of each query, cold (files read the first time) and warm.
Not a test: nothing here asserts a time. ``--write`` puts the figures and a chart into
docs/benchmarks.md (section "Analytical store") and docs/benchmarks/analytics.svg.

    python scripts/bench_analytics.py [--sizes 100000,1000000,10000000] [--days 30] [--write]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

import duckdb  # noqa: E402

import etax.analytics.parties as parties  # noqa: E402
from etax.analytics import queries  # noqa: E402
from etax.analytics.schemas import INVOICES, PAYMENTS  # noqa: E402
from etax.analytics.service import compact_day, load_views  # noqa: E402
from etax.analytics.store import Store  # noqa: E402
from etax.rules import resident_id, uscc  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
CHART = ROOT / "docs" / "benchmarks" / "analytics.svg"
SECTION = "## Analytical store"
PROVINCES = ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
             "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
             "63", "64", "65")
INDUSTRIES = ("retail", "wholesale", "manufacturing", "construction", "catering", "software",
              "transport", "real_estate")
FIRST_DAY = date(2026, 11, 1)
EVENTS_PER_OBJECT = 100  # the archive's batch size
CHINA = timezone(timedelta(hours=8))


class FolderStore(Store):
    """The store's S3 calls on a local folder (the benchmark measures the store's own work,
    not the network)."""

    def __init__(self, root: Path) -> None:
        super().__init__("bench", client=object(), cache=root / "cache")
        self.root = root / "bucket"

    def put(self, key: str, body: bytes, content_type: str) -> None:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    def get(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def keys(self, prefix: str, *, start_after: str = "") -> Iterator[tuple[str, str]]:
        base = self.root / prefix.rsplit("/", 1)[0] if "/" in prefix else self.root
        if not base.exists():
            return
        found = sorted(str(p.relative_to(self.root)) for p in base.rglob("*") if p.is_file())
        for key in found:
            if key.startswith(prefix) and key > start_after:
                yield key, str((self.root / key).stat().st_mtime_ns)

    def delete(self, keys: list[str]) -> None:
        for key in keys:
            (self.root / key).unlink(missing_ok=True)

    def local_copy(self, key: str, etag: str) -> Path:
        return self.root / key


@dataclass(frozen=True)
class Taxpayer:
    code: str
    province: str
    industry: str
    weight: float


def taxpayers(count: int, rng: random.Random) -> list[Taxpayer]:
    found: list[Taxpayer] = []
    while len(found) < count:
        province = rng.choice(PROVINCES)
        body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        code = uscc.complete(f"91{province}0100{body}")
        found.append(Taxpayer(code, province, rng.choice(INDUSTRIES), rng.paretovariate(1.2)))
    return found


def person(rng: random.Random) -> str:
    while True:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(16000))
        head = f"{rng.choice(PROVINCES)}0102{born:%Y%m%d}{rng.randrange(1000):03d}"
        number = head + resident_id.check_character(head)
        if resident_id.is_valid(number):
            return number


def day_weights(days: int) -> list[float]:
    """More invoices at a month's end and in December (the seasonal swing)."""
    weights = []
    for n in range(days):
        day = FIRST_DAY + timedelta(days=n)
        month_end = (day + timedelta(days=1)).day == 1 or day.day >= 26
        weights.append((1.6 if month_end else 1.0) * (1.3 if day.month == 12 else 1.0))
    return weights


def generate(size: int, days: int, store: FolderStore, seed: int = 7) -> dict[str, int]:
    """Write ``size`` invoices (and their payments, and redeliveries) as raw objects."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, repeatable by its seed)
    register = taxpayers(max(100, size // 200), rng)
    cumulative = []
    total = 0.0
    for t in register:
        total += t.weight
        cumulative.append(total)
    people = [person(rng) for _ in range(2000)]
    weights = day_weights(days)
    per_day = [round(size * w / sum(weights)) for w in weights]
    per_day[-1] += size - sum(per_day)
    counts = {"invoices": 0, "payments": 0, "redelivered": 0, "raw_bytes": 0}
    number = 0
    for n, today in enumerate(per_day):
        day = FIRST_DAY + timedelta(days=n)
        batch: list[dict[str, Any]] = []
        for _ in range(today):
            number += 1
            seller = register[_pick(cumulative, rng.random() * total)]
            moment = datetime(day.year, day.month, day.day, 9, tzinfo=CHINA) + timedelta(
                seconds=rng.randrange(10 * 3600))
            stamp = moment.astimezone(CHINA).isoformat()
            buyer = rng.choice(people) if rng.random() < 0.25 else rng.choice(register).code
            amount = int(rng.lognormvariate(9.5, 1.4)) + 100
            batch.append(_envelope(f"i{number}", "tax.invoices", "InvoiceIssued", stamp, {
                "number": f"26{seller.province}{number:016d}", "type": "81",
                "issue_date": day.isoformat(), "seller_credit_code": seller.code,
                "buyer_id": buyer, "total_fen": amount, "amount_fen": amount * 100 // 113,
                "channel": "web"}))
            counts["invoices"] += 1
            if number % 10 == 0:
                batch.append(_envelope(f"p{number}", "tax.filing", "PaymentConfirmed", stamp, {
                    "payment_id": f"pay-{number}", "obligation_id": f"{seller.code}:vat:2026-11",
                    "taxpayer": seller.code, "tax_type": rng.choice(("vat", "vat", "cit")),
                    "period": "2026-11", "amount_fen": amount // 8, "method": "bank_transfer",
                    "confirmed_at": stamp, "office": f"1{seller.province}01000000"}))
                counts["payments"] += 1
            if rng.random() < 0.01:
                batch.append(dict(batch[-1]))
                counts["redelivered"] += 1
            if len(batch) >= EVENTS_PER_OBJECT:
                counts["raw_bytes"] += _write(store, day, batch)
                batch = []
        if batch:
            counts["raw_bytes"] += _write(store, day, batch)
    return counts


def _pick(cumulative: list[float], value: float) -> int:
    low, high = 0, len(cumulative) - 1
    while low < high:
        middle = (low + high) // 2
        if cumulative[middle] < value:
            low = middle + 1
        else:
            high = middle
    return low


def _envelope(event_id: str, source: str, kind: str, time_: str,
              detail: dict[str, Any]) -> dict[str, Any]:
    return {"id": event_id, "source": source, "detail-type": kind, "time": time_,
            "detail": detail}


def _write(store: FolderStore, day: date, batch: list[dict[str, Any]]) -> int:
    body = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in batch).encode()
    store.put(f"raw/date={day.isoformat()}/{batch[0]['id']}.jsonl", body, "application/json")
    return len(body)


QUERIES = {
    "revenue by tax (payments)": (PAYMENTS, queries.revenue("tax", office=False)),
    "revenue by office (payments)": (PAYMENTS, queries.revenue("office", office=False)),
    "invoicing by province (invoices)": (INVOICES, queries.invoicing("province")),
    "invoicing by seller, top 20 (invoices)": (INVOICES, queries.invoicing("seller", top=20)),
}


def run(size: int, days: int) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bench-analytics-"))
    try:
        store = FolderStore(work)
        started = time.perf_counter()
        counts = generate(size, days, store)
        generated = time.perf_counter() - started
        connection = duckdb.connect()
        started = time.perf_counter()
        events = facts = 0
        for n in range(days):
            done = compact_day((FIRST_DAY + timedelta(days=n)).isoformat(), store, connection)
            events += done.events
            facts += done.rows["invoices"]
        compaction = time.perf_counter() - started
        assert facts == counts["invoices"], (facts, counts)
        parquet = sum(p.stat().st_size for p in (store.root / "tables").rglob("*.parquet"))
        last = (FIRST_DAY + timedelta(days=days - 1)).isoformat()
        timings = {}
        start = datetime.combine(FIRST_DAY, datetime.min.time())
        end = start + timedelta(days=days + 1)
        for name, (table, sql) in QUERIES.items():
            runs = []
            for _ in range(3):
                connection = duckdb.connect()
                began = time.perf_counter()
                load_views(connection, store, FIRST_DAY.isoformat(), last, (table,))
                connection.execute(sql, [start, end]).fetchall()
                runs.append(time.perf_counter() - began)
            timings[name] = (runs[0], min(runs[1:]))
        return {"size": size, "events": events, "generated_s": generated,
                "compaction_s": compaction, "raw_bytes": counts["raw_bytes"],
                "parquet_bytes": parquet, "redelivered": counts["redelivered"],
                "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "queries": timings}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(results: list[dict[str, Any]], days: int) -> str:
    lines = [SECTION, "",
             f"`python scripts/bench_analytics.py --days {days}` on this machine (2 cores), "
             f"{datetime.now(CHINA):%Y-%m-%d}: synthetic raw archives of {days} days (one "
             "payment for ten invoices, 1 % of events delivered twice), compacted day by day "
             "by the store's own code, then queried over every day's files. The bucket is a "
             "local folder: the figures are the store's own work, S3's transfer times aside.",
             "", "| invoices | events | compaction | events/s | peak memory | raw | Parquet |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['size']:,} | {r['events']:,} | {r['compaction_s']:.1f} s | "
                     f"{r['events'] / r['compaction_s']:,.0f} | {r['peak_mb']:,.0f} MB | "
                     f"{r['raw_bytes'] / 1e6:,.1f} MB | {r['parquet_bytes'] / 1e6:,.1f} MB |")
    lines += ["", "| query | " + " | ".join(f"{r['size']:,} cold / warm" for r in results)
              + " |", "|---|" + "---:|" * len(results)]
    for name in QUERIES:
        cells = [f"{r['queries'][name][0] * 1000:,.0f} / {r['queries'][name][1] * 1000:,.0f} ms"
                 for r in results]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "![compaction and query time against the number of invoices]"
                  "(benchmarks/analytics.svg)", ""]
    return "\n".join(lines) + "\n"


def chart(results: list[dict[str, Any]]) -> str:
    """A log-log SVG: compaction time and the warm time of each query against the size."""
    width, height, left, bottom = 640, 360, 70, 40
    sizes = [r["size"] for r in results]
    series = {"compaction": [r["compaction_s"] for r in results]}
    for name in QUERIES:
        series[name] = [r["queries"][name][1] for r in results]
    values = [v for vs in series.values() for v in vs]
    lo_x, hi_x = math.log10(min(sizes)), math.log10(max(sizes)) or 1
    lo_y, hi_y = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    hi_x = hi_x if hi_x > lo_x else lo_x + 1

    def x(v: float) -> float:
        return left + (math.log10(v) - lo_x) / (hi_x - lo_x) * (width - left - 20)

    def y(v: float) -> float:
        return height - bottom - (math.log10(v) - lo_y) / max(hi_y - lo_y, 1) * (
            height - bottom - 20)

    colours = ("#c0392b", "#2471a3", "#229954", "#d68910", "#7d3c98")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    for power in range(lo_y, hi_y + 1):
        yy = y(10 ** power)
        parts.append(f'<line x1="{left}" x2="{width - 20}" y1="{yy:.1f}" y2="{yy:.1f}" '
                     'stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">'
                     f'{10 ** power:g} s</text>')
    for size in sizes:
        parts.append(f'<text x="{x(size):.1f}" y="{height - bottom + 16}" '
                     f'text-anchor="middle">{size:,}</text>')
    parts.append(f'<text x="{(width + left) / 2}" y="{height - 6}" text-anchor="middle">'
                 'invoices (log)</text>')
    for n, (name, vs) in enumerate(series.items()):
        points = " ".join(f"{x(s):.1f},{y(v):.1f}" for s, v in zip(sizes, vs, strict=True))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colours[n]}" '
                     'stroke-width="2"/>')
        parts.append(f'<text x="{left + 8}" y="{24 + 14 * n}" fill="{colours[n]}">{name}'
                     f'{" (warm)" if name != "compaction" else ""}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write(text: str, svg: str) -> None:
    CHART.parent.mkdir(parents=True, exist_ok=True)
    CHART.write_text(svg)
    doc = DOC.read_text()
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    doc = pattern.sub(text + "\n", doc) if pattern.search(doc) else (
        doc.replace("## Reading these figures", text + "\n## Reading these figures"))
    DOC.write_text(doc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000,10000000")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    parties._key = lambda: b"benchmark key"  # no secret outside a stage
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        result = run(size, args.days)
        print(json.dumps(result), flush=True)
        results.append(result)
    text = report(results, args.days)
    print(text)
    if args.write:
        write(text, chart(results))


if __name__ == "__main__":
    main()
