"""The cost of one request on each public route, for docs/capacity.md (``make bench`` through
scripts/bench.py ``--costs``) — not part of `make test`: figures are written down, never
asserted (the machine is shared and noisy).

Writes a JSON list to $ETAX_BENCH_COSTS_OUT: per route, the calls made, the handler's median
and p99 time in-process over moto, the DynamoDB operations one call makes (counted on the
botocore client, by operation), and the request and answer body sizes in bytes.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from etax.rules import resident_id
from tests.functional.conftest import (
    ApiCalls,
    LambdaContext,
    load_handler,
    sample_event,
    with_token_expiry,
)
from tests.functional.test_acceptance_registration import put_record
from tests.functional.test_invoices import request
from tests.functional.test_lottery import WALLET, campaign_body, create, new_invoice
from tests.performance.test_handler_time import p99, raise_quota

CALLS = int(os.environ.get("ETAX_BENCH_CHECKS", "100"))
OUT = Path(os.environ.get("ETAX_BENCH_COSTS_OUT", ".build/bench/public_costs.json"))
CREDIT_CODE = "91350100M000100Y43"
QR = "01,10,011001605111,80100798,64.9,20161018,85342965681116380258"
RESULTS: list[dict[str, Any]] = []


def attribute_bytes(value: dict[str, Any]) -> int:
    """An attribute value's size as DynamoDB counts it (close enough for capacity units:
    strings and binaries by their bytes, numbers about one byte per two digits, plus overheads
    for maps and lists)."""
    [(kind, inner)] = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        return len(inner.lstrip("-").replace(".", "")) // 2 + 1
    if kind == "B":
        return len(inner)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + attribute_bytes(v) for k, v in inner.items())
    if kind == "L":
        return 3 + sum(1 + attribute_bytes(v) for v in inner)
    return sum(len(item.encode()) if isinstance(item, str) else len(item) for item in inner)


def item_bytes(table: str, key: dict[str, Any]) -> int:
    """The stored item's size: what a write that rewrites it is charged for (1 KB units)."""
    import boto3

    item = boto3.client("dynamodb").get_item(TableName=table, Key=key)["Item"]
    return sum(len(name.encode()) + attribute_bytes(value) for name, value in item.items())


def measure(route: str, module: Any, events: list[dict[str, Any]], api_calls: ApiCalls,
            ok: int = 200, written_item: tuple[str, dict[str, Any]] | None = None) -> None:
    """Call ``module`` once per event; record the route's figures."""
    times: list[float] = []
    operations: Counter[tuple[str, ...]] = Counter()
    request_bytes: list[int] = []
    answer_bytes: list[int] = []
    for event in events:
        event = with_token_expiry(event)
        api_calls.clear()
        started = time.perf_counter()
        answer = module.handler(event, LambdaContext())
        times.append(time.perf_counter() - started)
        assert answer["statusCode"] == ok, answer.get("body")
        operations[tuple(sorted(api_calls.of("dynamodb")))] += 1
        request_bytes.append(len((event.get("body") or "").encode()))
        answer_bytes.append(len((answer.get("body") or "").encode()))
    usual, _ = operations.most_common(1)[0]
    RESULTS.append({
        "route": route, "calls": len(times), "median": statistics.median(times),
        "p99": p99(times), "dynamodb": dict(Counter(usual)),
        "request_bytes": round(statistics.median(request_bytes)),
        "answer_bytes": round(statistics.median(answer_bytes)),
        "written_item_bytes": item_bytes(*written_item) if written_item else None,
    })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(RESULTS, indent=1, ensure_ascii=False))


def test_public_route_costs(invoicing: Any, lottery_fn: Any, api_calls: ApiCalls) -> None:
    raise_quota()
    put_record(CREDIT_CODE)
    measure("GET /v1/health", load_handler("platform"),
            [sample_event("platform/health.json") for _ in range(CALLS)], api_calls)
    measure("GET /v1/registration/verify/{credit_code}", load_handler("acceptance_registration"),
            [sample_event("acceptance_registration/verify.json") for _ in range(CALLS)],
            api_calls)

    issued = []
    for i in range(max(1, CALLS // 5)):
        event = sample_event("invoices/issue.json")
        event["headers"]["Idempotency-Key"] = f"cost-{i}"
        issued.append(json.loads(invoicing.handler(with_token_expiry(event),
                                                   LambdaContext())["body"]))
    verification = load_handler("verification")
    checks = []
    for summary in issued:
        for _ in range(5):  # a genuine check, up to the daily limit of five
            event = request("POST", "/v1/invoices/verify", body={
                "number": summary["number"], "issue_date": summary["issue_date"],
                "total": summary["total"]})
            event["requestContext"]["identity"] = {"sourceIp": "203.0.113.7"}
            checks.append(event)
    measure("POST /v1/invoices/verify", verification, checks, api_calls,
            written_item=("invoices", {"number": {"S": issued[-1]["number"]}}))
    measure("POST /v1/invoices/qr/parse", verification,
            [request("POST", "/v1/invoices/qr/parse", body={"payload": QR})
             for _ in range(CALLS)], api_calls)

    for name in ("vat", "iit_withholding"):
        measure(f"POST {sample_event(f'calculators/{name}.json')['path']}",
                load_handler("calculators"),
                [sample_event(f"calculators/{name}.json") for _ in range(CALLS)], api_calls)

    scans = max(1, CALLS // 5)
    assert create(lottery_fn, campaign_body("cost", expected=max(1000, scans * 5), daily=5,
                                            monthly=50))["statusCode"] == 201
    events = []
    for i in range(scans):
        head = f"35010219900101{i % 1000:03d}"
        person = head + resident_id.check_character(head)
        invoice = new_invoice(invoicing, f"cost-scan-{i}", buyer=person)
        events.append(request("POST", "/v1/lottery/scan", body={
            "number": invoice["number"], "issue_date": invoice["issue_date"],
            "total": invoice["total"], "payout": WALLET}, who=("taxpayer", person),
            key=f"cost-scan-{i}"))
    measure("POST /v1/lottery/scan", lottery_fn, events, api_calls, ok=201)
