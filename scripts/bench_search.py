#!/usr/bin/env python3
"""Benchmark the Chinese search kit (ADR 0022), in-process, no stack needed.

- jieba's initialisation in a fresh interpreter: its dictionary parsed, or its cache as the
  search layer ships it loaded (``scripts/build_layers.py``), interleaved runs;
- the index of the seeded corpus (the library's provisions in force today and the knowledge
  base's current articles) and of a synthetic corpus of 50,000 provisions made
  deterministically from the real provisions' vocabulary: build time, artefact size, load time
  (``SearchIndex.from_bytes``), the process's peak memory;
- query latency, warm, in-process: ``SearchIndex.search`` over a few hundred queries (the
  vocabulary's words, one to three at a time, and real-style questions), p50 and p99.

    python scripts/bench_search.py [--queries 300] [--synthetic 50000] [--write]

``--write`` puts the figures into docs/benchmarks.md (section "Chinese search"). Not a test:
nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEARCH_LAYER = ROOT / ".build" / "layers" / "search" / "python"
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))
if SEARCH_LAYER.is_dir():
    sys.path.insert(0, str(SEARCH_LAYER))  # jieba as the search functions get it

from etax.knowledge.indexing import current_articles  # noqa: E402
from etax.knowledge.search import Document, SearchIndex, documents_of  # noqa: E402
from etax.knowledge.text import tokenizer  # noqa: E402
from etax.regulations.model import KINDS, STATUSES  # noqa: E402
from etax.regulations.seeds import corpus  # noqa: E402

REPORT = ROOT / "docs" / "benchmarks.md"
HEADING = "## Chinese search"
QUESTIONS = ("个税年度汇算什么时候截止？", "IIT 汇算 deadline", "專票和普票有什么区别", "小规模 1%",
             "离境退税怎么办理", "车船税 减免", "上了黑名单怎么修复信用", "数电票",
             "子女教育扣除每月多少", "增值税税率", "纳税信用等级", "发票管理办法")
INIT_PROBE = """
import logging, os, sys, tempfile, time
started = time.perf_counter()
import jieba
imported = time.perf_counter()
jieba.setLogLevel(logging.WARNING)
k = jieba.Tokenizer()
mode, folder = sys.argv[1], sys.argv[2]
if mode == "parse":  # etax.knowledge.text.tokenizer: parsed, no cache read or written
    k.FREQ, k.total = k.gen_pfdict(k.get_dict_file())
    k.initialized = True
elif mode == "default":  # jieba's own: no cache yet, so it parses and writes one
    k.tmp_dir = tempfile.mkdtemp(dir=folder)
    k.initialize()
else:  # a cache made at package time, loaded
    k.tmp_dir, k.cache_file = folder, "jieba.cache"
    k.initialize()
print(imported - started, time.perf_counter() - imported)
if mode == "default":
    import shutil
    shutil.rmtree(k.tmp_dir)
"""
MODES = ("parse", "default", "cache")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms" if seconds < 0.1 else f"{seconds * 1000:,.0f} ms"


def mb(size: float) -> str:
    return f"{size / 1e6:.2f} MB"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def jieba_init(runs: int) -> tuple[list[float], dict[str, list[float]]]:
    """Fresh interpreters of the functions' Python with the search layer: the import of jieba,
    and its dictionary read three ways (:data:`MODES`), interleaved; the first round is not
    counted."""
    folder = ROOT / ".build" / "bench" / "jieba"
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(SEARCH_LAYER), "PYTHONDONTWRITEBYTECODE": "1"}
    python = ROOT / ".venv-lambda" / "bin" / "python"
    python = python if python.exists() else Path(sys.executable)
    subprocess.run([str(python), "-W", "ignore", "-c", INIT_PROBE, "cache-build", str(folder)],
                   env=env, check=True, capture_output=True)  # the package-time cache
    imports: list[float] = []
    reads: dict[str, list[float]] = {mode: [] for mode in MODES}
    for round_ in range(runs + 1):
        for mode in MODES:
            out = subprocess.run([str(python), "-W", "ignore", "-c", INIT_PROBE, mode,
                                  str(folder)], env=env, check=True, capture_output=True,
                                 text=True)
            imported, read = (float(v) for v in out.stdout.split())
            if round_:
                imports.append(imported)
                reads[mode].append(read)
    return imports, reads


def synthetic(count: int, seed: int = 12366) -> list[Document]:
    """``count`` provisions written from the real provisions' words (jieba's precise mode),
    drawn by their frequency, 20-60 words each; titles and facets from the real works."""
    works = corpus()
    segmenter = tokenizer()
    words: Counter[str] = Counter()
    for work in works:
        for version in work.versions:
            for p in version.provisions:
                words.update(w for w in segmenter.lcut(p.text) if w.strip())
    vocabulary, weights = zip(*sorted(words.items()), strict=True)
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    documents = []
    for n in range(count):
        work = works[n % len(works)]
        text = "".join(rng.choices(vocabulary, weights, k=rng.randint(20, 60))) + "。"
        documents.append(Document(
            f"synthetic-{n // 50:04d}#{n % 50 + 1}", "provision",
            f"{work.title}（合成{n // 50}）第{n % 50 + 1}条", text,
            {"type": rng.choice(list(KINDS)), "status": rng.choice(STATUSES),
             "issuer": ";".join(work.issuers), "date": work.issued.isoformat(),
             "work_id": f"synthetic-{n // 50:04d}", "provision": str(n % 50 + 1),
             "label": f"第{n % 50 + 1}条"}, work.document_number))
    return documents


def queries(documents: list[Document], count: int, seed: int = 95) -> list[str]:
    segmenter = tokenizer()
    vocabulary = sorted({w for d in documents[:2000] for w in segmenter.lcut(d.text)
                         if len(w.strip()) > 1})
    rng = random.Random(seed)  # noqa: S311 - a reproducible corpus, not a secret
    asked = list(QUESTIONS)
    while len(asked) < count:
        asked.append(" ".join(rng.sample(vocabulary, rng.randint(1, 3))))
    return asked[:count]


def measure(name: str, documents: list[Document], asked: list[str], builds: int) -> list[str]:
    build_times = []
    for _ in range(builds):
        started = time.perf_counter()
        index = SearchIndex.build(documents)
        build_times.append(time.perf_counter() - started)
    data = index.to_bytes()
    load_times = []
    for _ in range(3):
        started = time.perf_counter()
        loaded = SearchIndex.from_bytes(data)
        load_times.append(time.perf_counter() - started)
    for query in asked[:20]:  # warm
        loaded.search(query)
    latencies = []
    hits = 0
    for query in asked:
        started = time.perf_counter()
        found = loaded.search(query, k=10)
        latencies.append(time.perf_counter() - started)
        hits += bool(found)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return [f"| {name} | {len(documents):,} | {len(loaded.ranking.vocabulary):,} | "
            f"{ms(statistics.median(build_times))} | {mb(len(data))} | "
            f"{ms(statistics.median(load_times))} | {ms(percentile(latencies, 0.5))} | "
            f"{ms(percentile(latencies, 0.99))} | {hits}/{len(asked)} | {mb(peak)} |"]


def section(query_count: int, synthetic_count: int, init_runs: int) -> list[str]:
    day = datetime.now(UTC).date()
    seeded = documents_of(corpus(), current_articles(day), day)
    asked = queries(seeded, query_count)
    tokenizer()
    rows = ["| corpus | documents | terms | build (median) | artefact | load from bytes "
            "(median of 3) | query p50 | query p99 | queries with a hit | peak memory "
            "(process) |", "|---|---|---|---|---|---|---|---|---|---|"]
    rows += measure("seeded (library in force today + current articles)", seeded, asked, 5)
    made = synthetic(synthetic_count)
    asked_synthetic = queries(made, query_count)
    rows += measure(f"synthetic ({synthetic_count:,} provisions)", made, asked_synthetic, 1)
    imports, reads = jieba_init(init_runs)
    return [
        HEADING, "",
        f"Made by `{' '.join(['python scripts/bench_search.py', *sys.argv[1:]])}` on "
        f"{date.today():%Y-%m-%d}.", "",
        "In-process, one Python 3.12 process on this shared 2-core machine (ADR 0022). Build: "
        "`SearchIndex.build` (normalising, segmenting with jieba in search mode, synonyms, the "
        "BM25 postings); artefact: `to_bytes` (zlib); load: `from_bytes`, what the search "
        f"function does on a cold start; queries: {query_count} warm `search(q, k=10)` calls "
        "(real-style questions and one to three words of the corpus's vocabulary), "
        "normalisation and segmentation of the query included. The synthetic provisions are "
        "20-60 words drawn by frequency from the real provisions' words (seeded: the same "
        "corpus every run).", "",
        *rows, "",
        f"jieba in a fresh interpreter of the functions' Python with the search layer "
        f"({init_runs} runs each, interleaved; median, p90): `import jieba` "
        f"{ms(statistics.median(imports))}, {ms(percentile(imports, 0.9))} (its bytecode "
        "compiled at package time); reading its dictionary as the kit does (parsed, no "
        f"cache) {ms(statistics.median(reads['parse']))}, "
        f"{ms(percentile(reads['parse'], 0.9))}; as jieba does by default on a fresh "
        f"machine (parsed, then its 9 MB cache written) "
        f"{ms(statistics.median(reads['default']))}, "
        f"{ms(percentile(reads['default'], 0.9))}; from a cache made at package time "
        f"{ms(statistics.median(reads['cache']))}, {ms(percentile(reads['cache'], 0.9))}. "
        "The search function reads the dictionary once, during its init phase, not in a "
        "request.", "",
    ]


def publish(lines: list[str], write: bool) -> None:
    print("\n".join(lines))
    if not write:
        return
    text = REPORT.read_text().splitlines()
    if HEADING in text:
        start = text.index(HEADING)
        end = next((i for i in range(start + 1, len(text)) if text[i].startswith("## ")),
                   len(text))
    else:
        start = end = next((i for i, line in enumerate(text)
                            if line == "## Reading these figures"), len(text))
    REPORT.write_text("\n".join([*text[:start], *lines, *text[end:]]) + "\n")
    print(f"written: {REPORT.relative_to(ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--synthetic", type=int, default=50_000)
    parser.add_argument("--init-runs", type=int, default=5)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    publish(section(args.queries, args.synthetic, args.init_runs), args.write)


if __name__ == "__main__":
    main()
