#!/usr/bin/env python3
"""Benchmark the tax school's library search (etax.school.library), in-process, no stack.

The library's function builds its shelf (BM25 over two-character terms) when the library's
revision moves, in the request that notices it, then answers searches from memory: this
measures the build for the library's ceiling (``MAX_LIBRARY`` documents) and for smaller
shelves, and warm query latency (p50, p99) over a few hundred queries of one to three of the
corpus's words, the filters' pass included. The documents are made deterministically from tax
words (seeded: the same corpus every run).

    python scripts/bench_library.py [--queries 300] [--write]

``--write`` puts the figures into docs/benchmarks.md (section "Tax school library search").
Not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import REPORT, splice_section  # noqa: E402

from etax.school.catalogue import LIBRARY_CATEGORIES, MAX_LIBRARY  # noqa: E402
from etax.school.library import Shelf  # noqa: E402

HEADING = "## Tax school library search"
WORDS = ("增值税", "小规模纳税人", "一般纳税人", "个人所得税", "年度汇算", "专项附加扣除",
         "数电发票", "红字发票", "发票查验", "离境退税", "车船税", "纳税信用", "信用修复",
         "申报期限", "节假日顺延",
         "留抵退税", "税收优惠", "减免税", "电子税务局", "三方协议", "缴款", "完税证明", "开具",
         "办理流程", "所需资料", "常见问题", "政策解读", "操作指南", "填报说明", "征收率", "免征",
         "综合所得", "劳务报酬", "年终奖", "子女教育", "住房租金", "赡养老人", "企业所得税",
         "印花税", "房产税", "城镇土地使用税", "契税", "社保费", "跨区域涉税事项", "税务登记")
TAGS = ("增值税", "个税", "发票", "信用", "申报", "退税", "优惠", "社保")


def corpus(size: int, seed: int = 17) -> list[dict[str, Any]]:
    chance = random.Random(seed)  # noqa: S311 - a repeatable corpus, not a secret
    categories = list(LIBRARY_CATEGORIES)
    documents: list[dict[str, Any]] = []
    for n in range(size):
        title = "".join(chance.sample(WORDS, 3))
        summary = "，".join("".join(chance.sample(WORDS, 3)) for _ in range(5)) + "。"
        documents.append({
            "id": f"lib-{n:016x}", "title": title, "summary": summary,
            "category": categories[n % len(categories)],
            "tags": chance.sample(TAGS, 2), "published_at": f"2026-{1 + n % 12:02d}-01T00:00:00Z"})
    return documents


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(size: int, queries: int) -> str:
    documents = corpus(size)
    builds = []
    for _ in range(5):
        started = time.perf_counter()
        shelf = Shelf.build("bench", documents)
        builds.append(time.perf_counter() - started)
    chance = random.Random(5)  # noqa: S311 - repeatable queries
    asked = ["".join(chance.sample(WORDS, chance.randint(1, 3))) for _ in range(queries)]
    times, hits = [], 0
    for n, query in enumerate(asked):
        started = time.perf_counter()
        found, _ = shelf.search(query, category=None if n % 3 else "guide")
        times.append(time.perf_counter() - started)
        hits += bool(found)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return (f"| {size:,} | {len(shelf.ranking.vocabulary):,} | "
            f"{statistics.median(builds) * 1000:,.1f} ms | "
            f"{percentile(times, 0.5) * 1000:.2f} ms | {percentile(times, 0.99) * 1000:.2f} ms | "
            f"{hits}/{queries} | {peak:.1f} MB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--write", action="store_true")
    arguments = parser.parse_args()
    rows = [measure(size, arguments.queries) for size in (100, 500, MAX_LIBRARY)]
    day = datetime.now(UTC).date().isoformat()
    section = [
        HEADING, "",
        f"Made by `python scripts/bench_library.py --write` on {day}.", "",
        "In-process, one Python 3.12 process on this shared 2-core machine. Build: "
        "`Shelf.build` (two-character terms of each document's title, tags and summary, the "
        "BM25 postings), median of 5, what the library's function does once after each "
        "publication (the revision moved); queries: warm `Shelf.search` calls of one to three "
        "of the corpus's words, a third of them filtered by category, snippets included. "
        f"{MAX_LIBRARY:,} documents is the library's ceiling (`MAX_LIBRARY`).", "",
        "| documents | terms | build (median) | query p50 | query p99 | queries with a hit | "
        "peak memory (process) |",
        "|---|---|---|---|---|---|---|",
        *rows, ""]
    print("\n".join(section))
    if arguments.write:
        REPORT.write_text(splice_section(REPORT.read_text(), HEADING, section))
        print(f"written: {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
