"""Benchmarks of the platform, written to docs/benchmarks.md (``make bench``).

Measured here, on a shared and noisy 2-core machine, so every figure is a
median (and p99 where there are enough samples) over many runs, and latencies
through the local stack are also given as a ratio to ``/v1/health`` measured
in the same run:

1. init (import) time of every function in a fresh interpreter of the
   Lambda-like runtime (``.venv-lambda``: Python 3.12 with only boto3), with the
   function's code and both layers on the path, as Lambda imports a handler, as a ratio to
   a baseline handler (boto3 and one client) imported in the same interleaved rounds;
2. the size of each layer, zipped as CDK uploads it;
3. cold start and warm latency through API Gateway on the local stack
   (LocalStack on the host, the app deployed with cdklocal) for ``/v1/health``
   and the registration check. A cold start is forced by changing the
   function's configuration, which makes LocalStack start a new environment;
4. the push fan-out: messages per PutEvents / SendMessageBatch call at volume (counted
   in-process over moto, tests/performance/test_fanout.py), and the time 1,000
   notifications put on the bus take to reach the inboxes on the local stack;
5. filing reminders: 1,000 overdue obligations written to the local stack's filing table by
   the filing service, the daily reminder function invoked once, timed until every reminder
   is in its inbox and every channel message is sent.

Usage: python scripts/bench.py [--warm N] [--cold N] [--imports N] [--no-stack] [--write]
       python scripts/bench.py --costs [--checks N] [--write]   (only the cost of one public
       request per route, for docs/capacity.md; its section replaced likewise)
       python scripts/bench.py --init [--imports N] [--write]   (only section 1: its section
       of docs/benchmarks.md is replaced, the rest of the file kept)
       python scripts/bench.py --fanout [--fanout-runs N] [--write]   (only section 4: its
       section of docs/benchmarks.md is replaced, the rest of the file kept)
       python scripts/bench.py --reminders [--reminders-runs N] [--write]   (only section 5,
       likewise)
"""

from __future__ import annotations

import argparse
import ast
import base64
import io
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

import local  # noqa: E402
import localstack_ctl  # noqa: E402

LAMBDA_PYTHON = ROOT / ".venv-lambda" / "bin" / "python"
LAYER_PATHS = [ROOT / "layers" / "shared" / "python",
               ROOT / ".build" / "layers" / "deps" / "python",
               ROOT / ".build" / "layers" / "search" / "python"]  # the search functions' own
RUNTIME_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
}
NOTES = [
    "## Reading these figures",
    "",
    "- Init time is compared with the baseline's (boto3 and one client, what any function "
    "that builds a client at init pays), measured in the same interleaved rounds. No handler "
    "builds a client at init: each gets its clients from `etax.platform.aws` (`lazy`, "
    "`DynamoAccess`), made on the first call that uses them (tests/unit/test_aws_wiring.py), "
    "so the public hot paths (`platform`, `registration`, `verification`, `lottery`) pay "
    "only for Powertools' event handler and logger, pydantic and their own modules. "
    "Powertools' OpenAPI validation middleware (about 120 ms more) and the X-Ray SDK "
    "(0.3-0.4 s) are kept out of cold starts on purpose (`etax/platform/api.py`, "
    "`etax/platform/observability.py`); reportlab is imported only when a PDF is rendered.",
    "- The authorizer touches boto3 only on the local stack (its dev issuer's key is in KMS, "
    "its client made on the first check); with a JWKS URL, as in a real account, it needs no "
    "AWS SDK at all.",
    "- What is left for a real account: Lambda SnapStart for Python (3.12 and later) takes "
    "init out of cold starts, and provisioned concurrency keeps the hottest public endpoints "
    "warm; both are deployment settings, not code changes.",
    "- A genuine verification is one DynamoDB call (counted on the botocore client "
    "in-process, and asserted in tests/functional/test_verification.py); one that fails costs "
    "two (not found, over the limit) or three (mismatch: the invoice's and the caller's "
    "counters, ADR 0006). A scan makes six: the idempotency "
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


def fine_ms(seconds: float) -> str:
    """Milliseconds with the precision a sub-millisecond handler time needs."""
    return f"{seconds * 1000:.2f} ms" if seconds < 0.01 else ms(seconds)


# -- 1. init time -------------------------------------------------------------------------------

INIT_HEADING = "## Function init time"
# Wall time and the interpreter's CPU time of the import: on a dedicated Lambda core they
# are close, but on this shared machine the wall time also counts the waits for a core, so
# the CPU time is what the ratios use.
IMPORT_PROBE = (
    "import time, sys; t = time.perf_counter(); c = time.process_time(); import handler; "
    "sys.stdout.write(repr((time.perf_counter() - t, time.process_time() - c)))"
)
# The baseline: the smallest handler that talks to AWS, importing boto3 and creating one
# client at import as a function that builds its clients at init would.
BASELINE = "(baseline: boto3 + one client)"
BASELINE_HANDLER = '''"""The init baseline: boto3 and one client, nothing else."""
import boto3

client = boto3.client("dynamodb")


def handler(event, context):
    return {}
'''
# The public hot paths and the function serving each: their init must stay within
# HOT_PATH_LIMIT times the baseline's.
HOT_PATHS = {
    "platform": "`GET /v1/health`",
    "acceptance_registration": "`GET /v1/registration/verify/{code}`",
    "verification": "`POST /v1/invoices/verify`, `POST /v1/invoices/qr/parse`",
    "lottery": "`POST /v1/lottery/scan`",
}
HOT_PATH_LIMIT = 1.3


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


def baseline_directory() -> Path:
    directory = ROOT / ".build" / "bench" / "baseline"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "handler.py").write_text(BASELINE_HANDLER)
    return directory


def import_time(directory: Path, environment: dict[str, str]) -> tuple[float, float]:
    """Seconds (wall, CPU) to import ``directory``'s handler in a fresh interpreter of the
    runtime."""
    env = {**RUNTIME_ENV, **environment, "PATH": os.environ.get("PATH", ""),
           "HOME": str(ROOT / ".build"),
           "PYTHONPATH": os.pathsep.join(str(p) for p in [directory, *LAYER_PATHS]),
           # Bytecode is cached outside the layers (their asset hash must not change); the
           # first, unmeasured round fills that cache, as a warm host's page cache would be.
           "PYTHONPYCACHEPREFIX": str(ROOT / ".build" / "bench" / "pycache")}
    out = subprocess.run([str(LAMBDA_PYTHON), "-c", IMPORT_PROBE], env=env, check=True,
                         capture_output=True, text=True, cwd=directory)
    wall, cpu = ast.literal_eval(out.stdout)
    return float(wall), float(cpu)


def function_names() -> list[str]:
    return sorted(p.name for p in (ROOT / "functions").iterdir()
                  if (p / "handler.py").is_file())


def init_times(runs: int) -> dict[str, list[tuple[float, float]]]:
    """``runs`` init times of every function and of the baseline, taken in rounds (each
    round imports the baseline and every function once, each round starting one further on),
    so the noise of the shared machine falls on all of them alike; the first round is not
    counted."""
    environments = function_environments()
    targets: dict[str, tuple[Path, dict[str, str]]] = {BASELINE: (baseline_directory(), {})}
    for function in function_names():
        targets[function] = (ROOT / "functions" / function, environments[function])
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in targets}
    order = list(targets)
    for round_ in range(runs + 1):
        order = order[1:] + order[:1]
        for name in order:
            elapsed = import_time(*targets[name])
            if round_:
                times[name].append(elapsed)
    return times


def init_rows(times: dict[str, list[tuple[float, float]]]) -> list[str]:
    baseline = statistics.median(cpu for _, cpu in times[BASELINE])
    rows = ["| function | CPU median | CPU p90 | median ÷ baseline | wall median | hot path "
            f"(limit {HOT_PATH_LIMIT}× the baseline) |", "|---|---|---|---|---|---|"]
    for name, pairs in times.items():
        samples = [cpu for _, cpu in pairs]
        median = statistics.median(samples)
        ratio = median / baseline
        if name in HOT_PATHS:
            verdict = "met" if ratio <= HOT_PATH_LIMIT else "**over**"
            hot = f"{HOT_PATHS[name]}: {verdict}"
        else:
            hot = ""
        wall = statistics.median(wall for wall, _ in pairs)
        rows.append(f"| {name} | {ms(median)} | {ms(percentile(samples, 0.9))} | "
                    f"{ratio:.2f} | {ms(wall)} | {hot} |")
    return rows


def init_section(runs: int) -> list[str]:
    return [
        f"{INIT_HEADING} (fresh interpreter, {runs} runs each)",
        "",
        "Each function's handler imported in a fresh interpreter of the Lambda-like runtime "
        "(`.venv-lambda`: Python 3.12 with boto3) with its code, both layers and its "
        "environment from the local stage's synth, as Lambda's init does; the baseline is "
        "a handler that only imports boto3 and creates one client. Baseline and functions "
        "are imported in the same rounds, interleaved, and compared as a ratio of the "
        "import's CPU time (the wall time on this shared machine also counts waits for a "
        "core; its median is given for scale):",
        "",
        *init_rows(init_times(runs)),
        "",
    ]


def bench_init_only(runs: int, write: bool) -> None:
    publish_section(init_section(runs), INIT_HEADING, write)


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
                            ("deps (third-party)", ROOT / ".build" / "layers" / "deps"),
                            ("search (jieba and its cache; the two search functions only)",
                             ROOT / ".build" / "layers" / "search")):
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


def bench_stack(warm: int, cold: int, fanout_runs: int = 0, reminders_runs: int = 0
                ) -> tuple[list[str], list[str] | None, list[str] | None]:
    """The endpoint rows, and (with ``fanout_runs``, ``reminders_runs``) the fan-out's and the
    reminders' rows, in one session."""
    with deployed_stack() as (endpoint, outputs):
        local.seed(outputs)
        api = outputs["ApiUrl"]
        lambda_client = local.client("lambda", endpoint)
        endpoints = {
            "GET /v1/health": ("platform", f"{api}/v1/health"),
            "GET /v1/registration/verify/{code}": (
                "acceptance_registration", f"{api}/v1/registration/verify/91350100M000100Y43"),
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
        fanout_rows = bench_fanout_stack(outputs, fanout_runs) if fanout_runs else None
        reminder_rows = (bench_reminders_stack(outputs, reminders_runs) if reminders_runs
                         else None)
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
    return [*rows, "", *throughput_rows], fanout_rows, reminder_rows


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


# -- 4b. the cost of one public request (moto) ----------------------------------------------------

COSTS_RESULTS = ROOT / ".build" / "bench" / "public_costs.json"
COSTS_HEADING = "## Cost of one public request"
COSTS_NOTES = [
    "- Counted in-process over moto (tests/performance/test_public_costs.py): the DynamoDB "
    "operations are those one call makes (the most common set over the calls), counted on the "
    "botocore client; the bytes are the request's and the answer's bodies (median), and the "
    "size of the item a call rewrites where it rewrites a stored one (a write is charged per "
    "started KB of the larger of the item before and after). Handler "
    "time is the handler's own in this process, without API Gateway or Lambda's overhead; "
    "docs/capacity.md turns these figures into capacity and cost.",
]


def bench_costs(calls: int) -> list[str]:
    """One request's cost on each public route (tests/performance/test_public_costs.py)."""
    env = {**os.environ, "ETAX_BENCH_CHECKS": str(calls),
           "ETAX_BENCH_COSTS_OUT": str(COSTS_RESULTS)}
    subprocess.run([sys.executable, "-m", "pytest", "tests/performance/test_public_costs.py",
                    "-q", "-p", "no:cacheprovider"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    rows = ["| route | calls | handler median | handler p99 | DynamoDB operations per call | "
            "request bytes | answer bytes | item rewritten (bytes) |",
            "|---|---|---|---|---|---|---|---|"]
    for row in json.loads(COSTS_RESULTS.read_text()):
        written = f"{row['written_item_bytes']:,}" if row.get("written_item_bytes") else ""
        operations = ", ".join(f"{name} × {count}"
                               for name, count in sorted(row["dynamodb"].items())) or "none"
        rows.append(f"| `{row['route']}` | {row['calls']} | {fine_ms(row['median'])} | "
                    f"{fine_ms(row['p99'])} | {operations} | {row['request_bytes']:,} | "
                    f"{row['answer_bytes']:,} | {written} |")
    return [COSTS_HEADING, "", *rows, "", *COSTS_NOTES, ""]


# -- 5. the push fan-out -------------------------------------------------------------------------

FANOUT_RESULTS = ROOT / ".build" / "bench" / "fanout_calls.json"
FANOUT_NOTIFICATIONS = 1000
FANOUT_PEOPLE = 53
FANOUT_HEADING = "## Push fan-out"
FANOUT_TARGET = 9.5


def run_fanout_calls(count: int) -> None:
    env = {**os.environ, "ETAX_BENCH_FANOUT": str(count),
           "ETAX_BENCH_FANOUT_OUT": str(FANOUT_RESULTS)}
    subprocess.run([sys.executable, "-m", "pytest", "tests/performance/test_fanout.py", "-q",
                    "-p", "no:cacheprovider"], cwd=ROOT, env=env, check=True,
                   capture_output=True)


def fanout_call_rows() -> list[str]:
    f = json.loads(FANOUT_RESULTS.read_text())

    def verdict(value: float) -> str:
        return "met" if value >= FANOUT_TARGET else "**missed**"

    return [
        f"Messages per API call, counted on the botocore client in-process (moto): "
        f"{f['notifications']:,} notifications published with `EventPublisher` to "
        f"{FANOUT_PEOPLE} people with mixed channel choices (one in five the default), "
        f"handed to the notifier {f['notifier_batch']} at a time as its event source does "
        f"(`tests/performance/test_fanout.py`):",
        "",
        "| call | messages | calls | messages per call | target ≥ 9.5 |",
        "|---|---|---|---|---|",
        f"| `PutEvents` (events onto the bus) | {f['notifications']:,} | "
        f"{f['put_events_calls']} | {f['events_per_call']:.2f} | "
        f"{verdict(f['events_per_call'])} |",
        f"| `SendMessageBatch` (notifier → channel queues) | {f['channel_messages']:,} | "
        f"{f['send_message_batch_calls']} | {f['messages_per_sqs_call']:.2f} | "
        f"{verdict(f['messages_per_sqs_call'])} |",
        f"| both | {f['notifications'] + f['channel_messages']:,} | "
        f"{f['put_events_calls'] + f['send_message_batch_calls']} | "
        f"{f['messages_per_call']:.2f} | {verdict(f['messages_per_call'])} |",
    ]


def fanout_people() -> list[str]:
    from etax.rules import resident_id

    people = []
    for n in range(FANOUT_PEOPLE):
        first17 = f"44030519880808{n:03d}"
        people.append(first17 + resident_id.check_character(first17))
    return people


FANOUT_CHOICES: list[dict[str, Any]] = [
    {"channels": {"sms": {"address": "13800138000"}, "wechat": {"address": "oWx-bench-01"},
                  "email": {"address": "bench@example.cn"}, "app": {}}},
    {"channels": {"sms": {"address": "13900139000"}, "app": {}}},
    {"channels": {"wechat": {"address": "oWx-bench-02"}}},
    {"channels": {}},
]


def expected_deliveries(people: list[str], count: int) -> int:
    """How many channel messages the providers must send for ``count`` notifications."""
    from etax.notifications.preferences import DEFAULT, PreferencesIn, from_request, resolve

    per_person = []
    for n, person in enumerate(people):
        preferences = DEFAULT if not n % 5 else from_request(
            PreferencesIn.model_validate(FANOUT_CHOICES[n % len(FANOUT_CHOICES)]),
            updated_at="-")
        per_person.append(len(resolve(preferences, person, "filing.reminder")))
    return sum(per_person[i % len(people)] for i in range(count))


def sent_deliveries(dynamodb: Any, ledger: str, prefix: str) -> int:
    """The providers' sends of this run (their books; a benchmark may scan)."""
    total = 0
    for page in dynamodb.get_paginator("scan").paginate(
            TableName=ledger, FilterExpression="begins_with(#k, :sent)",
            ExpressionAttributeNames={"#k": "key"},
            ExpressionAttributeValues={":sent": {"S": "sent#"}}):
        total += sum(1 for item in page["Items"]
                     if item["key"]["S"].split("#")[2].startswith(prefix))
    return total


def set_fanout_preferences(api: str, people: list[str]) -> None:
    choices = FANOUT_CHOICES
    for n, person in enumerate(people):
        if not n % 5:
            continue  # one in five sets nothing: the default (the app)
        token = requests.post(f"{api}/v1/auth/dev-token", timeout=30, json={
            "role": "taxpayer", "subject": person}).json()["token"]
        answer = requests.put(f"{api}/v1/me/notification-preferences", timeout=30,
                              headers={"Authorization": f"Bearer {token}"},
                              json=choices[n % len(choices)])
        if answer.status_code != 200:
            raise RuntimeError(f"preferences refused: {answer.text[:200]}")


def queues_idle(sqs: Any, urls: list[str]) -> bool:
    for url in urls:
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])
        if any(v != "0" for v in attributes["Attributes"].values()):
            return False
    return True


def function_log_messages(outputs: dict[str, Any], service: str, phrase: str,
                          since_ms: int) -> list[str] | None:
    """The log messages of the function of ``service`` containing ``phrase`` since ``since_ms``
    (None if its logs cannot be read)."""
    endpoint = outputs["Endpoint"]
    lambda_client = local.client("lambda", endpoint)
    logs = local.client("logs", endpoint)
    try:
        name = function_named(lambda_client, service)
        configured = lambda_client.get_function_configuration(FunctionName=name).get(
            "LoggingConfig", {}).get("LogGroup")
        # LocalStack writes to /aws/lambda/<name> whatever the function's logging config says
        messages: list[str] = []
        for group in (configured, f"/aws/lambda/{name}"):
            if not group or messages:
                continue
            try:
                pages = list(logs.get_paginator("filter_log_events").paginate(
                    logGroupName=group, startTime=since_ms, filterPattern=f'"{phrase}"'))
            except logs.exceptions.ResourceNotFoundException:
                continue
            messages += [event["message"] for page in pages for event in page["events"]]
    except (LookupError, KeyError) as error:
        print(f"{service} logs not read: {error}", file=sys.stderr)
        return None
    return messages


def logged_records(messages: list[str], phrase: str) -> list[dict[str, Any]]:
    """The JSON log records (Powertools' structured lines) among ``messages`` whose message
    is ``phrase``."""
    records = []
    for message in messages:
        for line in message.splitlines():
            if phrase not in line or "{" not in line:
                continue
            try:
                record = json.loads(line[line.index("{"):])
            except ValueError:
                continue
            if isinstance(record, dict) and record.get("message") == phrase:
                records.append(record)
    return records


def notifier_log_counts(outputs: dict[str, Any], since_ms: int) -> tuple[int, int] | None:
    """(SendMessageBatch calls, messages sent) the notifier logged since ``since_ms``."""
    messages = function_log_messages(outputs, "notifier", "notifications ran", since_ms)
    if messages is None:
        return None
    calls = sent = 0
    for record in logged_records(messages, "notifications ran"):
        calls += int(record.get("send_message_batch_calls", 0))
        sent += int(record.get("messages_sent", 0))
    return (calls, sent) if calls else None


def in_inboxes(dynamodb: Any, table: str, people: list[str], prefix: str) -> int:
    """How many inbox entries with ids starting ``prefix`` exist (one Query per person)."""
    total = 0
    for person in people:
        total += int(dynamodb.query(
            TableName=table, Select="COUNT",
            KeyConditionExpression="recipient = :p AND begins_with(sk, :n)",
            ExpressionAttributeValues={":p": {"S": person},
                                       ":n": {"S": f"n#{prefix}"}})["Count"])
    return total


def bench_fanout_stack(outputs: dict[str, Any], runs: int) -> list[str]:
    """Time for FANOUT_NOTIFICATIONS notifications put on the bus (PutEvents, ten per call)
    to be in the inboxes, and for every channel queue to be drained, ``runs`` times."""
    from etax.platform.events import DomainEvent, EventPublisher

    endpoint = outputs["Endpoint"]
    api = outputs["ApiUrl"]
    people = fanout_people()
    set_fanout_preferences(api, people)
    dynamodb = local.client("dynamodb", endpoint)
    sqs = local.client("sqs", endpoint)
    table = outputs["NotificationsTableName"]
    queues = [outputs["NotifierQueueUrl"], *(outputs[f"Notification{c}QueueUrl"]
                                             for c in ("Sms", "Wechat", "Email", "App"))]
    expected = expected_deliveries(people, FANOUT_NOTIFICATIONS)
    dead_letters = [outputs["NotifierDeadLetterQueueUrl"], *(
        outputs[f"Notification{c}DeadLetterQueueUrl"] for c in ("Sms", "Wechat", "Email", "App"))]
    rows = ["| run | notifications | `PutEvents` calls | all in the inboxes | every channel "
            "delivered | channel messages sent (expected) | notifier `SendMessageBatch` calls "
            "(messages per call) |",
            "|---|---|---|---|---|---|---|"]
    inbox_times, drained_times = [], []
    for run in range(1, runs + 1):
        prefix = f"bench-{time.time_ns()}-"
        events = [DomainEvent("ReminderDue", {"notification": {
            "id": f"{prefix}{i}", "recipient": people[i % len(people)],
            "kind": "filing.reminder", "title": "申报提醒",
            "body": "您有一项增值税申报将于本月15日到期，请及时办理。"}})
            for i in range(FANOUT_NOTIFICATIONS)]
        publisher = EventPublisher(local.client("events", endpoint), outputs["EventBusName"],
                                   "tax.filing")
        since_ms = int(time.time() * 1000) - 1000
        started = time.perf_counter()
        publisher.publish(events)
        deadline = started + 900
        while in_inboxes(dynamodb, table, people, prefix) < FANOUT_NOTIFICATIONS:
            if time.perf_counter() > deadline:
                raise RuntimeError("the notifications did not reach the inboxes in 15 min")
            time.sleep(0.5)
        inbox_times.append(time.perf_counter() - started)
        while not queues_idle(sqs, queues):
            if time.perf_counter() > deadline:
                raise RuntimeError("the channel queues did not drain in 15 min")
            time.sleep(0.5)
        drained_times.append(time.perf_counter() - started)
        counted = notifier_log_counts(outputs, since_ms)
        calls = (f"{counted[0]} ({counted[1] / counted[0]:.2f})" if counted
                 else "not in the logs")
        delivered = sent_deliveries(dynamodb, outputs["NotificationLedgerTableName"], prefix)
        if not queues_idle(sqs, dead_letters):
            raise RuntimeError("messages in a dead-letter queue: see the notifier's logs")
        rows.append(f"| {run} | {FANOUT_NOTIFICATIONS:,} | {publisher.calls} | "
                    f"{inbox_times[-1]:.1f} s | {drained_times[-1]:.1f} s | "
                    f"{delivered:,} ({expected:,}) | {calls} |")
    rows.append(f"| median | | | {statistics.median(inbox_times):.1f} s | "
                f"{statistics.median(drained_times):.1f} s | | |")
    return [
        f"{FANOUT_NOTIFICATIONS:,} notifications put on the bus (`EventPublisher`, ten per "
        f"`PutEvents`) for {FANOUT_PEOPLE} people with the same mix of channel choices, "
        "timed from the first `PutEvents` until all are in the inboxes (counted in the table "
        "every 0.5 s), then until the notifier queue and the four channel queues are empty "
        "(every delivery handled), on the local stack:",
        "",
        *rows,
    ]


FANOUT_NOTES = [
    "- The notifier takes up to 250 events per invocation (SQS event source, batching "
    "window 1 s) and sends the channel messages of the whole batch together, queue by "
    "queue: only the last call to each of the four channel queues per invocation can be "
    "short, so the larger the batch, the closer to ten (about 9.4 at 100 per batch with "
    "this mix, 9.7 at 250, 9.8 at 500, counted the same way).",
    "- On the local stack the notifier logs its calls (the last column): a batch the event "
    "source hands over while events are still arriving can be short, which costs a few "
    "calls (a run at 170 calls is 9.43 messages per `SendMessageBatch` alone, 9.64 with the "
    "`PutEvents` calls).",
    "- Entries a `SendMessageBatch` or `PutEvents` call did not take are retried (and "
    "counted as calls above); what still fails makes its event fail alone "
    "(`batchItemFailures`) so SQS delivers it again: nothing is dropped, and the "
    "conditional writes keep the inbox and each channel to one delivery.",
    "- On the local stack, one LocalStack process on 2 shared cores (other stacks were "
    "running on the machine at the same time) serves the bus, the queues, DynamoDB and "
    "every Lambda worker, and the notifier's invocations ran one after another, so the "
    "times are LocalStack's, not a throughput a region would have. What the runs do show exactly: "
    "every notification is in its inbox once (the entry's key is the id), the providers "
    "sent exactly the expected channel messages (their books, counted), and no dead-letter "
    "queue holds anything.",
]


def fanout_section(runs: int, stack_rows: list[str] | None) -> list[str]:
    lines = [FANOUT_HEADING, "", *fanout_call_rows(), ""]
    if stack_rows is not None:
        lines += [*stack_rows, ""]
    return [*lines, *FANOUT_NOTES, ""]


def splice_section(text: str, heading: str, section: list[str]) -> str:
    """``text`` with the section under ``heading`` replaced (or inserted before the notes)."""
    lines = text.splitlines()
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")),
                   len(lines))
    else:
        start = end = next((i for i, line in enumerate(lines)
                            if line == "## Reading these figures"), len(lines))
    return "\n".join([*lines[:start], *section, *lines[end:]]) + "\n"


def made_by() -> str:
    """The command line that made the figures, as the report quotes it."""
    return ("python scripts/bench.py " + " ".join(sys.argv[1:])).strip()


def publish_section(section: list[str], heading: str, write: bool) -> None:
    """Print one section (heading, blank, body) stamped with its command and date; with
    ``write``, splice it into the report in place of the section whose heading starts with
    ``heading`` (the init heading carries its run count)."""
    stamped = [*section[:2], f"Made by `{made_by()}` on {datetime.now(UTC):%Y-%m-%d}.", "",
               *section[2:]]
    print("\n".join(stamped))
    if write:
        text = REPORT.read_text()
        current = next((line for line in text.splitlines() if line.startswith(heading)), heading)
        REPORT.write_text(splice_section(text, current, stamped))
        print(json.dumps({"written": str(REPORT.relative_to(ROOT))}))


@contextmanager
def deployed_stack() -> Iterator[tuple[str, dict[str, Any]]]:
    """A fresh local stack with the app deployed: its endpoint and the stack outputs; stopped
    on the way out."""
    localstack_ctl.setup()
    handle = localstack_ctl.start(localstack_ctl.free_port(), ROOT / ".build" / "bench-localstack")
    try:
        yield handle.endpoint, local.deploy(handle.endpoint)
    finally:
        handle.stop()


def bench_fanout_only(runs: int, write: bool) -> None:
    run_fanout_calls(FANOUT_NOTIFICATIONS)
    with deployed_stack() as (_endpoint, outputs):
        stack_rows = bench_fanout_stack(outputs, runs)
    publish_section(fanout_section(runs, stack_rows), FANOUT_HEADING, write)


# -- 6. reminders to the inboxes (local stack) ----------------------------------------------------

REMINDERS = 1000
REMINDERS_HEADING = "## Filing reminders"
REMINDER_OFFICE = "13501000000"  # Fuzhou: the office an admin names for codes 91350100…
REMINDER_CODE_PREFIX = "91350100MA"
REMINDER_REPORT = re.compile(r"REPORT RequestId: (?P<request>\S+)\s+"
                             r"Duration: (?P<duration>[\d.]+) ms"
                             r"(?:.*?Init Duration: (?P<init>[\d.]+) ms)?")


def reminder_taxpayers(tag: str, count: int = REMINDERS) -> list[str]:
    """``count`` (at most 1,000) distinct credit codes of one run, with their check character;
    ``tag`` (4 characters of the code alphabet, e.g. hex digits) makes the run's codes new."""
    from etax.rules import uscc

    if count > 1000 or len(tag) != 4:
        raise ValueError("at most 1,000 codes per 4-character tag")
    return [uscc.complete(f"{REMINDER_CODE_PREFIX}{tag}{n:03d}") for n in range(count)]


def overdue_period(day: date) -> str:
    """The latest monthly VAT period whose deadline (holiday extensions included) is before
    ``day`` and inside the reminder window, so the run for ``day`` reminds it."""
    from etax.filing import deadlines

    first = day - timedelta(days=deadlines.reminder_window_days())
    this_month = day.year * 12 + day.month - 1
    for back in range(1, 4):
        index = this_month - back
        period = f"{index // 12}-{index % 12 + 1:02d}"
        if first <= deadlines.deadline("vat", period).due_date < day:
            return period
    raise RuntimeError(f"no monthly VAT period overdue on {day} inside the reminder window")


def seed_overdue(dynamodb: Any, table: str, taxpayers: list[str], period: str,
                 workers: int = 4) -> None:
    """One open VAT obligation of ``period`` per taxpayer, written by the filing service as
    ``POST /v1/filing/obligations`` by an admin naming the office writes it (the deadline from
    the calendar, the ``by_due`` shard), into the filing table ``table``."""
    from etax.filing.repository import FilingRepository
    from etax.filing.requests import ObligationRequest
    from etax.filing.service import FilingService
    from etax.platform.auth import Principal

    os.environ["FILING_TABLE"] = table  # what the repository reads, as in the function
    service = FilingService(FilingRepository(dynamodb), registry=None)
    admin = Principal(role="admin", subject="admin-0001")

    def create(taxpayer: str) -> None:
        service.create_obligation(admin, ObligationRequest(
            taxpayer=taxpayer, tax_type="vat", period=period, tax_office=REMINDER_OFFICE))

    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(create, taxpayers))


def reminders_in_inboxes(dynamodb: Any, table: str, prefix: str) -> int:
    """Inbox entries whose notification id starts with ``prefix``: one ``Select=COUNT`` Scan
    (a page per MB), not a Query per recipient, so polling 1,000 recipients every second
    does not load the stack being measured."""
    total = 0
    for page in dynamodb.get_paginator("scan").paginate(
            TableName=table, Select="COUNT", FilterExpression="begins_with(sk, :n)",
            ExpressionAttributeValues={":n": {"S": f"n#{prefix}"}}):
        total += int(page["Count"])
    return total


def report_durations(text: str) -> tuple[float, float | None] | None:
    """(duration, init duration or None) in seconds from a Lambda ``REPORT`` line in ``text``."""
    found = REMINDER_REPORT.search(text)
    if found is None:
        return None
    init = found.group("init")
    return float(found.group("duration")) / 1000, float(init) / 1000 if init else None


def invoke_reminders(client: Any, function: str, day: date) -> tuple[dict[str, Any], str, float]:
    """Invoke the reminder function for ``day`` and wait: (its summary, its log tail, the
    seconds the call took)."""
    started = time.perf_counter()
    answer = client.invoke(FunctionName=function, LogType="Tail",
                           Payload=json.dumps({"date": day.isoformat()}).encode())
    elapsed = time.perf_counter() - started
    payload = answer["Payload"].read()
    if "FunctionError" in answer:
        raise RuntimeError(f"the reminder run failed: {payload[:500]!r}")
    tail = base64.b64decode(answer.get("LogResult", "")).decode(errors="replace")
    summary: dict[str, Any] = json.loads(payload)
    return summary, tail, elapsed


def reminder_run_logs(outputs: dict[str, Any], tail: str, since_ms: int
                      ) -> tuple[tuple[float, float | None] | None, int | None]:
    """(duration and init duration, PutEvents calls) of the run: from the invocation's log tail,
    else from its log group (which can lag a few seconds)."""
    durations = report_durations(tail)
    records = logged_records([tail], "reminders sent")
    for _ in range(10):
        if durations is not None and records:
            break
        messages = function_log_messages(outputs, "filing_reminders", "reminders sent",
                                         since_ms) or []
        records = records or logged_records(messages, "reminders sent")
        reports = function_log_messages(outputs, "filing_reminders", "REPORT", since_ms) or []
        durations = durations or next(
            (d for d in map(report_durations, reports) if d is not None), None)
        time.sleep(1.0)
    calls = int(records[-1]["put_events_calls"]) if records and \
        "put_events_calls" in records[-1] else None
    return durations, calls


def bench_reminders_stack(outputs: dict[str, Any], runs: int) -> list[str]:
    """``runs`` times: REMINDERS new overdue obligations, the reminder function invoked once
    (forced cold, as a daily run starts), timed until every reminder is in its inbox and until
    every channel message is sent."""
    from botocore.config import Config

    from etax.filing.reminders import KIND
    from etax.notifications.preferences import DEFAULT, resolve
    from etax.rules.dates import business_date

    endpoint = outputs["Endpoint"]
    dynamodb = local.client("dynamodb", endpoint)
    sqs = local.client("sqs", endpoint)
    lambda_client = local.client("lambda", endpoint)
    # one attempt (a retried invocation would be another run) and time to finish
    invoker = local.client("lambda", endpoint,
                           config=Config(read_timeout=900, retries={"total_max_attempts": 1}))
    function = outputs["FilingRemindersFunctionName"]
    table = outputs["NotificationsTableName"]
    queues = [outputs["NotifierQueueUrl"], *(outputs[f"Notification{c}QueueUrl"]
                                             for c in ("Sms", "Wechat", "Email", "App"))]
    dead_letters = [outputs["NotifierDeadLetterQueueUrl"], *(
        outputs[f"Notification{c}DeadLetterQueueUrl"] for c in ("Sms", "Wechat", "Email", "App"))]
    day = business_date(datetime.now(UTC))
    period = overdue_period(day)
    rows = ["| run | due (reminded) | function duration (init) | invoke returned | `PutEvents` "
            "calls | all in the inboxes | every channel delivered | channel messages sent "
            "(expected) | notifier `SendMessageBatch` calls (messages per call) |",
            "|---|---|---|---|---|---|---|---|---|"]
    durations, inbox_times, drained_times, seed_times = [], [], [], []
    due_date = ""
    for run in range(1, runs + 1):
        tag = f"{(time.time_ns() // 1000 + run) % 0x10000:04X}"
        taxpayers = reminder_taxpayers(tag)
        prefix = f"reminder:{REMINDER_CODE_PREFIX}{tag}"
        expected = sum(len(resolve(DEFAULT, t, KIND)) for t in taxpayers)  # nobody chose
        seeding = time.perf_counter()
        seed_overdue(dynamodb, outputs["FilingTableName"], taxpayers, period)
        seed_times.append(time.perf_counter() - seeding)
        due_date = dynamodb.get_item(TableName=outputs["FilingTableName"], Key={
            "pk": {"S": f"taxpayer#{taxpayers[0]}"},
            "sk": {"S": f"obligation#vat#{period}"}})["Item"]["due_date"]["S"]
        force_cold(lambda_client, function, run)  # a daily run starts in a new environment
        since_ms = int(time.time() * 1000) - 1000
        started = time.perf_counter()
        deadline = started + 900
        with ThreadPoolExecutor(max_workers=1) as pool:
            invocation = pool.submit(invoke_reminders, invoker, function, day)
            while reminders_in_inboxes(dynamodb, table, prefix) < REMINDERS:
                if invocation.done() and invocation.exception() is not None:
                    invocation.result()  # raises the run's error
                if time.perf_counter() > deadline:
                    raise RuntimeError("the reminders did not reach the inboxes in 15 min")
                time.sleep(1.0)
            inbox_times.append(time.perf_counter() - started)
            summary, tail, invoked = invocation.result()
        while not queues_idle(sqs, queues):
            if time.perf_counter() > deadline:
                raise RuntimeError("the channel queues did not drain in 15 min")
            time.sleep(1.0)
        drained_times.append(time.perf_counter() - started)
        if summary["reminded"] != REMINDERS:
            raise RuntimeError(f"the run reminded {summary['reminded']}, not {REMINDERS}")
        exact = in_inboxes(dynamodb, table, taxpayers, "reminder:")
        if exact != REMINDERS:  # one reminder in each inbox, no more
            raise RuntimeError(f"{exact} reminders in the run's inboxes, not {REMINDERS}")
        if not queues_idle(sqs, dead_letters):
            raise RuntimeError("messages in a dead-letter queue: see the notifier's logs")
        delivered = sent_deliveries(dynamodb, outputs["NotificationLedgerTableName"], prefix)
        counted = notifier_log_counts(outputs, since_ms)
        batches = (f"{counted[0]} ({counted[1] / counted[0]:.2f})" if counted
                   else "not in the logs")
        timing, put_calls = reminder_run_logs(outputs, tail, since_ms)
        if timing is not None:
            durations.append(timing[0])
            duration = f"{timing[0]:.1f} s" + (f" ({timing[1]:.1f} s)" if timing[1] else "")
        else:
            duration = "not in the logs"
        rows.append(f"| {run} | {summary['due']:,} ({summary['reminded']:,}) | {duration} | "
                    f"{invoked:.1f} s | {put_calls if put_calls is not None else 'not logged'} | "
                    f"{inbox_times[-1]:.1f} s | {drained_times[-1]:.1f} s | "
                    f"{delivered:,} ({expected:,}) | {batches} |")
    median_duration = f"{statistics.median(durations):.1f} s" if durations else ""
    rows.append(f"| median | | {median_duration} | | | {statistics.median(inbox_times):.1f} s "
                f"| {statistics.median(drained_times):.1f} s | | |")
    return [
        f"Each run writes {REMINDERS:,} open VAT obligations of period {period} (due "
        f"{due_date}) for {REMINDERS:,} taxpayers new to the stack (credit codes with their "
        "check character, `etax.rules.uscc`), through the filing service as "
        "`POST /v1/filing/obligations` by an admin naming the tax office writes them (so each "
        "carries its `by_due` entry), into the local stack's filing table "
        f"({statistics.median(seed_times):.0f} s a run, not timed below); none of them has "
        "chosen channels (the default: the app). The reminder function is then forced to a "
        "cold start, as a daily run starts, and invoked once with "
        f"`{{\"date\": \"{day.isoformat()}\"}}`; timed from the invocation until all "
        f"{REMINDERS:,} reminders are in the inboxes (a `Select=COUNT` Scan of the "
        "notifications table for the run's ids every second; then one Query per taxpayer "
        "checks exactly one reminder each), then until the notifier queue and the four "
        "channel queues are empty. The function's duration (and its init) is its `REPORT` "
        "line; its `PutEvents` calls and the notifier's `SendMessageBatch` calls are what "
        "they log:",
        "",
        *rows,
    ]


REMINDER_NOTES = [
    "- Counted in-process (tests/functional/test_filing.py, over moto, 1,050 obligations due, "
    "pages of 20): the run makes only `Query` on the `by_due` index, one per shard and page "
    "(16 shards; at the default 500 items a page, 1,050 obligations are 16 Queries; the "
    "test's pages of 20 make it paginate) and one conditional `UpdateItem` per reminder (the "
    "claim for the day), never a `Scan`; 105 `PutEvents` calls for 1,049 reminders (9.99 "
    "entries per call); a second run the same day makes only the Queries and publishes "
    "nothing.",
    "- On the local stack the runs share one day: a later run also reads the earlier runs' "
    "obligations (already reminded that day, so skipped without a write), which is why its "
    "due count grows while it reminds exactly its own 1,000.",
    "- One LocalStack process on 2 cores shared with other work serves DynamoDB, the bus, the "
    "queues and every Lambda worker (the reminder run, the notifier, the four channel "
    "senders) at once, so the times are LocalStack's on this machine, not what a region "
    "would do; what the runs show exactly is that each reminder reached its inbox once, the "
    "providers sent exactly the expected channel messages, and no dead-letter queue holds "
    "anything.",
]


def reminders_section(stack_rows: list[str] | None) -> list[str]:
    lines = [REMINDERS_HEADING, ""]
    if stack_rows is not None:
        lines += [*stack_rows, ""]
    else:
        lines += ["The local-stack timing (1,000 reminders to the inboxes) is taken by "
                  "`python scripts/bench.py --reminders --write`; not run here.", ""]
    return [*lines, *REMINDER_NOTES, ""]


def bench_reminders_only(runs: int, write: bool) -> None:
    with deployed_stack() as (_endpoint, outputs):
        stack_rows = bench_reminders_stack(outputs, runs)
    publish_section(reminders_section(stack_rows), REMINDERS_HEADING, write)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the platform.")
    parser.add_argument("--imports", type=int, default=15, help="fresh imports per function")
    parser.add_argument("--warm", type=int, default=300, help="warm requests per endpoint")
    parser.add_argument("--cold", type=int, default=5, help="forced cold starts per endpoint")
    parser.add_argument("--checks", type=int, default=500, help="in-process verifications")
    parser.add_argument("--no-stack", action="store_true", help="skip the local-stack part")
    parser.add_argument("--write", action="store_true", help=f"write {REPORT.name}")
    parser.add_argument("--fanout", action="store_true",
                        help="only the push fan-out (its section of the report replaced)")
    parser.add_argument("--fanout-runs", type=int, default=3,
                        help="1,000-notification runs on the local stack")
    parser.add_argument("--costs", action="store_true",
                        help="only the cost of one public request (in-process, moto)")
    parser.add_argument("--init", action="store_true",
                        help="only the function init times (their section replaced)")
    parser.add_argument("--reminders", action="store_true",
                        help="only the filing reminders (their section of the report replaced)")
    parser.add_argument("--reminders-runs", type=int, default=3,
                        help="1,000-reminder runs on the local stack")
    args = parser.parse_args()
    if args.fanout:
        bench_fanout_only(args.fanout_runs, args.write)
        return
    if args.reminders:
        bench_reminders_only(args.reminders_runs, args.write)
        return
    if args.costs:
        publish_section(bench_costs(args.checks), COSTS_HEADING, args.write)
        return
    if args.init:
        bench_init_only(args.imports, args.write)
        return

    sections = [
        *init_section(args.imports),
        "## Layer sizes",
        "",
        *bench_layers(),
        "",
        f"## In-process handler time (moto in-process, {args.checks} checks)",
        "",
        *bench_in_process(args.checks),
        "",
        *bench_costs(min(args.checks, 200)),
    ]
    fanout_rows = reminder_rows = None
    if not args.no_stack:
        stack_rows, fanout_rows, reminder_rows = bench_stack(
            args.warm, args.cold, args.fanout_runs, args.reminders_runs)
        sections += [
            f"## Through API Gateway on the local stack ({args.warm} warm requests each, "
            "sequential, interleaved)",
            "",
            *stack_rows,
            "",
        ]
    sections += fanout_section(args.fanout_runs, fanout_rows)  # tests/performance wrote it
    sections += reminders_section(reminder_rows)
    header = [
        "# Benchmarks",
        "",
        f"Made by `{made_by()}` (`make bench`) on {datetime.now(UTC):%Y-%m-%d}: "
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
