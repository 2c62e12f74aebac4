"""In-process handler time over moto, for `make bench` (scripts/bench.py) — not part of
`make test`: figures are written down, never asserted (the machine is shared and noisy).

Writes a JSON list to $ETAX_BENCH_OUT: per handler, the number of calls, median and p99
seconds, and the DynamoDB calls each call made (counted on the botocore client).
"""

from __future__ import annotations

import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from etax.rules import resident_id
from tests.functional.conftest import (
    SELLER,
    ApiCalls,
    LambdaContext,
    call,
    load_handler,
    sample_event,
)
from tests.functional.test_lottery import campaign_body, create, new_invoice, scan

CHECKS = int(os.environ.get("ETAX_BENCH_CHECKS", "100"))
OUT = Path(os.environ.get("ETAX_BENCH_OUT", ".build/bench/in_process.json"))


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


RESULTS: list[dict[str, Any]] = []


def record(handler: str, times: list[float], dynamodb_calls: set[int]) -> None:
    RESULTS.append({"handler": handler, "calls": len(times),
                    "median": statistics.median(times), "p99": p99(times),
                    "dynamodb_calls": ", ".join(str(n) for n in sorted(dynamodb_calls))})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(RESULTS, indent=1))


def raise_quota() -> None:
    """Room for every benchmark invoice in the seller's monthly quota."""
    import boto3

    boto3.client("dynamodb").put_item(TableName="quotas", Item={
        "key": {"S": f"quota#{SELLER}"}, "monthly_fen": {"N": str(10**12)}})


def test_verification_handler_time(invoicing: Any, api_calls: ApiCalls) -> None:
    raise_quota()
    queries = []
    for i in range(max(1, CHECKS // 5)):
        event = sample_event("invoices/issue.json")
        event["headers"]["Idempotency-Key"] = f"bench-{i}"
        issued = call(invoicing, event)["json"]
        queries += [{"number": issued["number"], "issue_date": issued["issue_date"],
                     "total": issued["total"]}] * 5
    verification = load_handler("verification")
    event = sample_event("verification/verify.json")
    times, dynamodb_calls = [], set()
    for query in queries:
        event["body"] = json.dumps(query)
        api_calls.clear()
        started = time.perf_counter()
        answer = verification.handler(event, LambdaContext())
        times.append(time.perf_counter() - started)
        assert json.loads(answer["body"])["result_code"] == "001"
        dynamodb_calls.add(len(api_calls.of("dynamodb")))
    record("verification (`POST /v1/invoices/verify`, genuine checks)", times, dynamodb_calls)


def test_scan_handler_time(invoicing: Any, lottery_fn: Any, api_calls: ApiCalls) -> None:
    raise_quota()
    scans = max(1, CHECKS // 5)
    assert create(lottery_fn, campaign_body("bench", expected=max(1000, scans * 5), daily=5,
                                            monthly=50))["statusCode"] == 201
    people = []
    for i in range(scans):
        head = f"35010219900101{i % 1000:03d}"
        people.append(head + resident_id.check_character(head))
    invoices = [new_invoice(invoicing, f"bench-scan-{i}", buyer=people[i]) for i in range(scans)]
    times, dynamodb_calls = [], set()
    for person, invoice in zip(people, invoices, strict=True):
        api_calls.clear()
        started = time.perf_counter()
        answer = scan(lottery_fn, invoice, who=("taxpayer", person))
        times.append(time.perf_counter() - started)
        assert answer["statusCode"] == 201, answer["json"]
        dynamodb_calls.add(len(api_calls.of("dynamodb")))
    record("lottery scan (`POST /v1/lottery/scan`, with its Idempotency-Key records)", times,
           dynamodb_calls)
