#!/usr/bin/env python3
"""Benchmark the annual credit evaluation (plan action D12), in-process, no stack needed.

A run over a synthetic register of ``--taxpayers`` taxpayers (100,000 by default), through the
board's own code: :meth:`etax.credit.service.CreditService.run_page` for every message of the
run (the segments of a parallel Scan, one page of 100 taxpayers a message, each page queueing
the next), with the real repositories (``RegistryRepository``, ``FilingRepository``,
``CreditRepository``) over a **counting fake** of the low-level DynamoDB client. The fake
answers the calls the run makes (``Scan`` of a segment, ``Query`` of a partition, conditional
``PutItem``, ``UpdateItem``) and counts them; each taxpayer's twelve VAT obligations of the year
are made when its partition is queried, deterministically from its index (about one in five
filed late, one in seven paid late, one in forty with a surcharge outstanding, one in a
thousand listed as a serious violator), so the register need not be held in memory. Reported:
wall time, taxpayers a second, DynamoDB calls a taxpayer by operation, the levels given, the
process's peak memory (max RSS), and a second delivery of each segment's first page (nothing
written).

    python scripts/bench_credit.py [--taxpayers 100000] [--segments 8] [--write]

``--write`` puts the figures into docs/benchmarks.md (section "Credit evaluation"). Not a
test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import time
import zlib
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))
os.environ.setdefault("REGISTRY_TABLE", "registry")
os.environ.setdefault("FILING_TABLE", "filing")
os.environ.setdefault("CREDIT_TABLE", "credit")

from etax.acceptance.registration.repository import RegistryRepository  # noqa: E402
from etax.credit.repository import CreditRepository  # noqa: E402
from etax.credit.service import CreditService  # noqa: E402
from etax.filing.repository import FilingRepository  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
SECTION = "## Credit evaluation"
YEAR = 2025
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # the year over: the final evaluation


class ConditionalCheckFailed(Exception):
    pass


class Exceptions:
    ConditionalCheckFailedException = ConditionalCheckFailed


def code_of(index: int) -> str:
    return f"9135{index:014d}"


def registry_item(index: int) -> dict[str, Any]:
    return {"credit_code": {"S": code_of(index)}, "name": {"S": f"示例企业{index}"},
            "status": {"S": "active"},
            "registration_date": {"S": "2024-06-01" if index % 50 == 0 else "2016-03-01"},
            "tax_office_code": {"S": "13501000000"}, "tax_office_name": {"S": "福州"},
            "taxpayer_type": {"S": "general"}, "legal_representative": {"S": "林"},
            "revision": {"N": "1"}, "updated_at": {"S": "2026-01-01T00:00:00+00:00"}}


def _day(month: int, day: int) -> str:
    return f"{YEAR}-{month:02d}-{day:02d}"


def obligation_items(index: int) -> list[dict[str, Any]]:
    """The taxpayer's VAT obligations of periods 2024-12 to 2025-11 (due in 2025)."""
    code = code_of(index)
    items = []
    for month in range(1, 13):
        period = f"{YEAR - 1}-12" if month == 1 else f"{YEAR}-{month - 1:02d}"
        seed = zlib.crc32(f"{code}{month}".encode())
        late_filing = seed % 60 == 0   # about one return in 60: a fifth of taxpayers a year
        late_payment = seed % 84 == 1  # about one in 84: a seventh of taxpayers
        surcharge = 1_500 if seed % 480 == 2 else 0
        filed = _day(month, 25 if late_filing else 10)
        paid = _day(month, 28 if late_payment else 12)
        ident = f"{code}:vat:{period}"
        items.append({
            "pk": {"S": f"taxpayer#{code}"}, "sk": {"S": f"obligation#vat#{period}"},
            "obligation_id": {"S": ident}, "taxpayer": {"S": code}, "tax_type": {"S": "vat"},
            "period": {"S": period}, "due_date": {"S": _day(month, 15)},
            "statutory_due": {"S": _day(month, 15)}, "extension": {"S": "none"},
            "status": {"S": "paid"}, "version": {"N": "3"}, "created_by": {"S": "x"},
            "created_at": {"S": "2025-01-01T00:00:00+00:00"},
            "filed_at": {"S": f"{filed}T02:00:00+00:00"},
            "paid_at": {"S": f"{paid}T02:00:00+00:00"},
            "tax_fen": {"N": "100000"}, "tax_paid_fen": {"N": "100000"},
            "surcharge_accrued_fen": {"N": str(surcharge)}, "surcharge_paid_fen": {"N": "0"},
            "overpaid_fen": {"N": "0"}, "accrued_through": {"NULL": True}})
    return items


def listing_items(index: int) -> list[dict[str, Any]]:
    if index % 1000 != 7:
        return []
    code = code_of(index)
    return [{"pk": {"S": f"taxpayer#{code}"}, "sk": {"S": "listing#case"},
             "case_id": {"S": f"case-{index}"}, "credit_code": {"S": code},
             "listed_on": {"S": "2025-09-01"}}]


class CountingDynamo:
    """The calls the run makes, answered from the synthetic register and counted."""

    exceptions = Exceptions

    def __init__(self, taxpayers: int) -> None:
        self.taxpayers = taxpayers
        self.calls: Counter[str] = Counter()
        self.ratings: dict[str, str] = {}  # credit code → the run that rated it
        self.levels: Counter[str] = Counter()

    def scan(self, *, TableName: str, Segment: int, TotalSegments: int, Limit: int,
             ExclusiveStartKey: dict[str, Any] | None = None) -> dict[str, Any]:
        self.calls["Scan"] += 1
        # the segment holds every index ≡ Segment (mod TotalSegments), in order
        start = Segment if ExclusiveStartKey is None else \
            int(ExclusiveStartKey["credit_code"]["S"][4:]) + TotalSegments
        indexes = list(range(start, self.taxpayers, TotalSegments))[:Limit]
        page: dict[str, Any] = {"Items": [registry_item(i) for i in indexes]}
        if indexes and indexes[-1] + TotalSegments < self.taxpayers:
            page["LastEvaluatedKey"] = {"credit_code": {"S": code_of(indexes[-1])}}
        return page

    def query(self, *, TableName: str, ExpressionAttributeValues: dict[str, Any],
              **_: Any) -> dict[str, Any]:
        self.calls["Query"] += 1
        index = int(ExpressionAttributeValues[":pk"]["S"].removeprefix("taxpayer#")[4:])
        items = obligation_items(index) if TableName == "filing" else listing_items(index)
        return {"Items": items}

    def put_item(self, *, TableName: str, Item: dict[str, Any],
                 ConditionExpression: str | None = None, **_: Any) -> dict[str, Any]:
        self.calls["PutItem"] += 1
        code, run = Item["credit_code"]["S"], Item.get("run_id", {}).get("S")
        if ConditionExpression and self.ratings.get(code) == run:
            raise ConditionalCheckFailed()
        self.ratings[code] = str(run)
        self.levels[Item["level"]["S"]] += 1
        return {}

    def update_item(self, **_: Any) -> dict[str, Any]:
        self.calls["UpdateItem"] += 1
        return {}


class Collected:
    """The run's queue: the messages sent, delivered in order."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.sent = 0

    def send(self, messages: Any) -> None:
        self.messages.extend(messages)
        self.sent += len(messages)


def run(taxpayers: int, segments: int) -> dict[str, Any]:
    db = CountingDynamo(taxpayers)
    queue = Collected()
    service = CreditService(CreditRepository(db), FilingRepository(db), RegistryRepository(db),
                            fanout=queue, now=lambda: NOW)
    first = [{"run_id": "bench", "year": YEAR, "segment": i, "segments": segments}
             for i in range(segments)]
    delivered: list[dict[str, Any]] = []
    started = time.perf_counter()
    pending, written = list(first), 0
    while pending:
        message = pending.pop(0)
        delivered.append(message)
        written += service.run_page(message)
        pending.extend(queue.messages)
        queue.messages.clear()
    elapsed = time.perf_counter() - started
    calls = dict(db.calls)
    levels = dict(sorted(db.levels.items()))
    # the first page of every segment delivered a second time: nothing is written again
    again = sum(service.run_page(message) for message in delivered[:segments])
    return {"taxpayers": taxpayers, "segments": segments, "messages": len(delivered),
            "written": written, "seconds": elapsed, "calls": calls, "levels": levels,
            "again": again, "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            / 1024}


def report(figures: dict[str, Any]) -> str:
    n = figures["taxpayers"]
    calls = figures["calls"]
    per = ", ".join(f"`{op}` {count / n:.2f}" for op, count in sorted(calls.items()))
    levels = ", ".join(f"{level} {count:,}" for level, count in figures["levels"].items())
    return "\n".join([
        SECTION, "",
        f"Made by `python scripts/bench_credit.py --taxpayers {n} --segments "
        f"{figures['segments']} --write` on {date.today().isoformat()}.", "",
        "One annual run (year 2025, evaluated after the year's end) over a synthetic register, "
        "in-process through the board's own code (`CreditService.run_page` for each message, the "
        "real repositories) over a counting fake of the DynamoDB client that makes each "
        "taxpayer's twelve VAT obligations when its partition is read (scripts/bench_credit.py "
        "says how many are late); messages delivered one after another in one process:", "",
        "| taxpayers | segments | messages | wall time | taxpayers/s | DynamoDB calls a taxpayer "
        "| peak memory (max RSS) |",
        "|---|---|---|---|---|---|---|",
        f"| {n:,} | {figures['segments']} | {figures['messages']:,} | "
        f"{figures['seconds']:.1f} s | {n / figures['seconds']:,.0f} | "
        f"{sum(calls.values()) / n:.2f} ({per}) | {figures['max_rss_mb']:.0f} MB |", "",
        f"- Levels given: {levels}.",
        f"- A taxpayer costs two Queries (its partition of the filing table, its partition of "
        f"the credit table) and one conditional `PutItem`; a page of 100 costs one `Scan` and "
        f"one `UpdateItem` (the run's progress) besides. {figures['written']:,} ratings were "
        f"written; the first page of each segment delivered a second time wrote "
        f"{figures['again']} (the conditional write per taxpayer and run).",
        "- In Lambda the pages of the segments run in parallel (one message a page, each "
        "queueing the next): the wall time of a run is about this one's divided by the "
        "segments, plus the queue's delivery between pages.", ""])


def write(section: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    pattern = re.compile(rf"{re.escape(SECTION)}\n.*?(?=\n## )", re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: section.rstrip("\n") + "\n", text)
    else:
        marker = "## Reading these figures"
        text = text.replace(marker, section + "\n" + marker) if marker in text \
            else text + "\n" + section
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--taxpayers", type=int, default=100_000)
    parser.add_argument("--segments", type=int, default=8)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    section = report(run(args.taxpayers, args.segments))
    print(section)
    if args.write:
        write(section)


if __name__ == "__main__":
    main()
