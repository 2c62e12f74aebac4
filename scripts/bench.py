"""Benchmarks of the platform, written to docs/benchmarks.md (``make bench``).

Measured here, on a shared and noisy 2-core machine, so every figure is a
median (and p99 where there are enough samples) over many runs, and latencies
through the local stack are also given as a ratio to ``/v1/health`` measured
in the same run:

1. init (import) time of each function in a fresh interpreter of the
   Lambda-like runtime (``.venv-lambda``: Python 3.12 with only boto3), with the
   function's code and both layers on the path, as Lambda imports a handler;
2. the size of each layer, zipped as CDK uploads it;
3. cold start and warm latency through API Gateway on the local stack
   (LocalStack on the host, the app deployed with cdklocal) for ``/v1/health``
   and the registration check. A cold start is forced by changing the
   function's configuration, which makes LocalStack start a new environment.

Usage: python scripts/bench.py [--warm N] [--cold N] [--imports N] [--no-stack] [--write]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import local  # noqa: E402
import localstack_ctl  # noqa: E402

LAMBDA_PYTHON = ROOT / ".venv-lambda" / "bin" / "python"
LAYER_PATHS = [ROOT / "layers" / "shared" / "python",
               ROOT / ".build" / "layers" / "deps" / "python"]
RUNTIME_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
}
IMPORT_TARGET_MS = 150
NOTES = [
    "## Reading these figures",
    "",
    "- Init time is dominated by the AWS SDK: importing boto3 and creating one client costs "
    "about as much as the whole target on this machine (line above the layer table). The "
    "function that touches no AWS service (`platform`) comes closest (150-240 ms across runs "
    "here): Powertools' event handler and logger. Powertools' OpenAPI validation middleware "
    "(about 120 ms more) and the X-Ray SDK (0.3-0.4 s) are kept out of cold starts on purpose "
    "(`etax/platform/api.py`, `etax/platform/observability.py`); reportlab is imported only "
    "when a PDF is rendered.",
    "- The authorizer imports boto3 only on the local stack (its dev issuer's key is in KMS); "
    "with a JWKS URL, as in a real account, it needs no AWS SDK at all.",
    "- What is left for a real account: Lambda SnapStart for Python (3.12 and later) takes "
    "init out of cold starts, and provisioned concurrency keeps the hottest public endpoints "
    "warm; both are deployment settings, not code changes.",
    "- A verification is one DynamoDB call (counted on the botocore client in-process, and "
    "asserted in tests/functional/test_verification.py). A scan makes six: the idempotency "
    "record (PutItem in progress, UpdateItem when done), the invoice (GetItem), the region's "
    "campaign (Query), the draw, the person's counters and the stock shards (one "
    "BatchGetItem), and the one TransactWriteItems.",
    "- Through the local stack, the absolute times are LocalStack's: one Python process serves "
    "API Gateway, Lambda and DynamoDB, so requests/s fall rather than rise from 1 to 8 "
    "concurrent clients; the figures to compare are the ratios to `/v1/health` in the same "
    "run (the registration check costs one GetItem more than health; a verification one "
    "UpdateItem and its JSON).",
    "",
]
REPORT = ROOT / "docs" / "benchmarks.md"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


# -- 1. init time -------------------------------------------------------------------------------

IMPORT_PROBE = (
    "import time, sys; t = time.perf_counter(); import handler; "
    "sys.stdout.write(repr(time.perf_counter() - t))"
)


def function_environments() -> dict[str, dict[str, str]]:
    """Each function's environment as the infrastructure defines it (local stage synth);
    references to other resources become placeholders (nothing is called at import)."""
    import aws_cdk as cdk
    from aws_cdk.assertions import Template

    sys.path.insert(0, str(ROOT))
    import app

    stack = app.build(cdk.App(context={"stage": "local"},
                              builtin_cloud_formation_validation=False))
    functions = Template.from_stack(stack).find_resources("AWS::Lambda::Function")
    environments = {}
    for function in functions.values():
        variables = function["Properties"]["Environment"]["Variables"]
        environments[variables["POWERTOOLS_SERVICE_NAME"]] = {
            name: value if isinstance(value, str) else f"bench-{name.lower()}"
            for name, value in variables.items()}
    return environments


def import_times(function: str, runs: int, environment: dict[str, str]) -> list[float]:
    env = {**RUNTIME_ENV, **environment, "PATH": os.environ.get("PATH", ""),
           "HOME": str(ROOT / ".build"),
           "PYTHONPATH": os.pathsep.join(str(p) for p in [ROOT / "functions" / function,
                                                         *LAYER_PATHS]),
           # Bytecode is cached outside the layers (their asset hash must not change); the
           # first, unmeasured run fills that cache, as a warm host's page cache would be.
           "PYTHONPYCACHEPREFIX": str(ROOT / ".build" / "bench" / "pycache")}
    times = []
    for run in range(runs + 1):
        out = subprocess.run([str(LAMBDA_PYTHON), "-c", IMPORT_PROBE], env=env, check=True,
                             capture_output=True, text=True, cwd=ROOT / "functions" / function)
        if run:
            times.append(float(out.stdout))
    return times


def bench_imports(runs: int) -> list[str]:
    rows = ["| function | median | p90 | target |", "|---|---|---|---|"]
    environments = function_environments()
    for function in sorted(p.name for p in (ROOT / "functions").iterdir() if p.is_dir()):
        times = import_times(function, runs, environments[function])
        median = statistics.median(times)
        verdict = "met" if median * 1000 < IMPORT_TARGET_MS else "**over**"
        rows.append(f"| {function} | {ms(median)} | {ms(percentile(times, 0.9))} | "
                    f"{IMPORT_TARGET_MS} ms: {verdict} |")
    return rows


def bench_boto3_baseline(runs: int) -> str:
    probe = ("import time, sys; t = time.perf_counter(); import boto3; "
             "boto3.client('dynamodb', region_name='us-east-1'); "
             "sys.stdout.write(repr(time.perf_counter() - t))")
    times = [float(subprocess.run([str(LAMBDA_PYTHON), "-c", probe], check=True,
                                  capture_output=True, text=True).stdout) for _ in range(runs)]
    return ms(statistics.median(times))


# -- 2. layer sizes ------------------------------------------------------------------------------


def zipped_size(directory: Path) -> tuple[int, int]:
    buffer = io.BytesIO()
    unzipped = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(directory.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, path.relative_to(directory))
                unzipped += path.stat().st_size
    return buffer.tell(), unzipped


def bench_layers() -> list[str]:
    rows = ["| layer | zipped | unzipped |", "|---|---|---|"]
    for name, directory in (("shared (etax)", ROOT / "layers" / "shared"),
                            ("deps (third-party)", ROOT / ".build" / "layers" / "deps")):
        zipped, unzipped = zipped_size(directory)
        rows.append(f"| {name} | {zipped / 1e6:.2f} MB | {unzipped / 1e6:.2f} MB |")
    return rows


# -- 3. through the local stack ------------------------------------------------------------------


def timed_get(url: str) -> float:
    started = time.perf_counter()
    answer = requests.get(url, timeout=60)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"{url} answered {answer.status_code}: {answer.text[:200]}")
    return elapsed


def force_cold(lambda_client: Any, function_name: str, nonce: int) -> None:
    config = lambda_client.get_function_configuration(FunctionName=function_name)
    variables = dict(config["Environment"]["Variables"], BENCH_NONCE=str(nonce))
    lambda_client.update_function_configuration(FunctionName=function_name,
                                                Environment={"Variables": variables})
    waiter = lambda_client.get_waiter("function_updated_v2")
    waiter.wait(FunctionName=function_name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})


def function_named(lambda_client: Any, service: str) -> str:
    for page in lambda_client.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            env = function.get("Environment", {}).get("Variables", {})
            if env.get("POWERTOOLS_SERVICE_NAME") == service:
                name: str = function["FunctionName"]
                return name
    raise LookupError(f"no function with service {service}")


def bench_stack(warm: int, cold: int) -> list[str]:
    localstack_ctl.setup()
    handle = localstack_ctl.start(localstack_ctl.free_port(), ROOT / ".build" / "bench-localstack")
    try:
        outputs = local.deploy(handle.endpoint)
        local.seed(outputs)
        api = outputs["ApiUrl"]
        lambda_client = local.client("lambda", handle.endpoint)
        endpoints = {
            "GET /v1/health": ("platform", f"{api}/v1/health"),
            "GET /v1/registration/verify/{code}": (
                "registration", f"{api}/v1/registration/verify/91350100M000100Y43"),
        }
        results: dict[str, dict[str, list[float]]] = {}
        for label, (service, url) in endpoints.items():
            name = function_named(lambda_client, service)
            colds = []
            for nonce in range(cold):
                force_cold(lambda_client, name, nonce)
                colds.append(timed_get(url))
            for _ in range(10):
                timed_get(url)  # settle into one warm environment
            results[label] = {"cold": colds, "warm": []}
        # Warm samples interleaved, so both endpoints see the same machine noise.
        for _ in range(warm):
            for label, (_, url) in endpoints.items():
                results[label]["warm"].append(timed_get(url))
        throughput_rows = bench_throughput(api)
    finally:
        handle.stop()
    health_warm = statistics.median(results["GET /v1/health"]["warm"])
    rows = [
        f"| endpoint | cold start (median of {cold}) | warm median | warm p99 "
        f"| warm median ÷ health |",
        "|---|---|---|---|---|",
    ]
    for label, samples in results.items():
        warm_median = statistics.median(samples["warm"])
        rows.append(
            f"| `{label}` | {ms(statistics.median(samples['cold']))} | {ms(warm_median)} | "
            f"{ms(percentile(samples['warm'], 0.99))} | {warm_median / health_warm:.2f} |")
    return [*rows, "", *throughput_rows]


THROUGHPUT_INVOICES = 64
THROUGHPUT_REQUESTS = 150


def rate(requests_: list[Callable[[], Any]], concurrency: int) -> float:
    """Requests per second for ``requests_`` sent from ``concurrency`` threads."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for answer in pool.map(lambda send: send(), requests_):
            if answer.status_code != 200:
                raise RuntimeError(f"answered {answer.status_code}: {answer.text[:200]}")
    return len(requests_) / (time.perf_counter() - started)


def bench_throughput(api: str) -> list[str]:
    """Verification and health requests/s at concurrency 1 and 8 in the same run.

    Every verification is a genuine check of a distinct (invoice, attempt) pair
    within the daily limit, so each one takes the hot path's single UpdateItem.
    """
    token = requests.post(f"{api}/v1/auth/dev-token", timeout=30, json={
        "role": "taxpayer", "subject": "91350100M000100Y43"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    queries = []
    for i in range(THROUGHPUT_INVOICES):
        issued = requests.post(f"{api}/v1/invoices", timeout=60, headers={
            **headers, "Idempotency-Key": f"bench-{time.time_ns()}-{i}"}, json={
            "buyer": {"name": "陈小明", "id_number": "350102199003071234"},
            "items": [{"name": "茶叶", "quantity": "1", "unit_price": "100.00",
                       "tax_rate": "0.09"}], "channel": "api"}).json()
        queries += [{"number": issued["number"], "issue_date": issued["issue_date"],
                     "total": issued["total"]}] * 5
    rows = ["| concurrency | `GET /v1/health` req/s | `POST /v1/invoices/verify` req/s "
            "| verify ÷ health |", "|---|---|---|---|"]
    for concurrency in (1, 8):
        def health_request() -> requests.Response:
            return requests.get(f"{api}/v1/health", timeout=60)

        health = rate([health_request] * THROUGHPUT_REQUESTS, concurrency)
        batch, queries = queries[:THROUGHPUT_REQUESTS], queries[THROUGHPUT_REQUESTS:]
        verify = rate([partial(requests.post, f"{api}/v1/invoices/verify", json=q, timeout=60)
                       for q in batch], concurrency)
        rows.append(f"| {concurrency} | {health:.1f} | {verify:.1f} | {verify / health:.2f} |")
    return [f"Throughput ({THROUGHPUT_REQUESTS} requests per cell, from a second process on "
            "loopback):", "", *rows]


# -- 4. in-process handler time (moto) ------------------------------------------------------------

IN_PROCESS_RESULTS = ROOT / ".build" / "bench" / "in_process.json"


def bench_in_process(checks: int) -> list[str]:
    """Handler time in-process over moto (tests/performance, which writes its figures)."""
    env = {**os.environ, "ETAX_BENCH_CHECKS": str(checks),
           "ETAX_BENCH_OUT": str(IN_PROCESS_RESULTS)}
    subprocess.run([sys.executable, "-m", "pytest", "tests/performance", "-q",
                    "-p", "no:cacheprovider"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    results = json.loads(IN_PROCESS_RESULTS.read_text())
    rows = ["| handler | calls | median | p99 | DynamoDB calls per call (counted) |",
            "|---|---|---|---|---|"]
    for row in results:
        rows.append(f"| {row['handler']} | {row['calls']} | {ms(row['median'])} | "
                    f"{ms(row['p99'])} | {row['dynamodb_calls']} |")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the platform.")
    parser.add_argument("--imports", type=int, default=15, help="fresh imports per function")
    parser.add_argument("--warm", type=int, default=300, help="warm requests per endpoint")
    parser.add_argument("--cold", type=int, default=5, help="forced cold starts per endpoint")
    parser.add_argument("--checks", type=int, default=500, help="in-process verifications")
    parser.add_argument("--no-stack", action="store_true", help="skip the local-stack part")
    parser.add_argument("--write", action="store_true", help=f"write {REPORT.name}")
    args = parser.parse_args()

    sections = [
        f"## Function init time (fresh interpreter, {args.imports} runs each)",
        "",
        *bench_imports(args.imports),
        "",
        f"For scale, `import boto3` plus one client alone: {bench_boto3_baseline(args.imports)} "
        "(median) in the same interpreter.",
        "",
        "## Layer sizes",
        "",
        *bench_layers(),
        "",
        f"## In-process handler time (moto in-process, {args.checks} checks)",
        "",
        *bench_in_process(args.checks),
        "",
    ]
    if not args.no_stack:
        sections += [
            f"## Through API Gateway on the local stack ({args.warm} warm requests each, "
            "sequential, interleaved)",
            "",
            *bench_stack(args.warm, args.cold),
            "",
        ]
    command = "python scripts/bench.py " + " ".join(sys.argv[1:])
    header = [
        "# Benchmarks",
        "",
        f"Made by `{command.strip()}` (`make bench`) on {datetime.now(UTC):%Y-%m-%d}: "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()} "
        "(the Lambda-like runtime of the local stack). The machine is shared and noisy: compare "
        "ratios inside one run, not absolute times across runs.",
        "",
    ]
    text = "\n".join(header + sections + NOTES)
    print(text)
    if args.write:
        REPORT.write_text(text)
        print(json.dumps({"written": str(REPORT.relative_to(ROOT))}))


if __name__ == "__main__":
    main()
