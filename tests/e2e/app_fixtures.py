"""Fixtures for tests of the deployed app: the CDK app deployed once per session to the
session's LocalStack (``localstack`` fixture), the demo data seeded, and clients for it."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "scripts") not in sys.path:
    sys.path.insert(0, str(ROOT / "scripts"))

import local  # noqa: E402  (scripts/local.py: the same deploy and seed `make up` runs)


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest) -> dict[str, Any]:
    """Outputs of the deployed, seeded app (as in local-outputs.json): a LocalStack of the
    session's own, deployed and seeded; or, with ``ETAX_E2E_OUTPUTS=local-outputs.json``, the
    stack ``make up`` is running (quicker while working on a test; the suites assume a fresh
    stack, so a full run uses its own)."""
    running = os.environ.get("ETAX_E2E_OUTPUTS")
    if running:
        outputs: dict[str, Any] = json.loads(Path(running).read_text())
        return outputs
    localstack = request.getfixturevalue("localstack")
    assembly = shared_assembly(localstack.endpoint)
    with one_at_a_time("e2e-deploy"):
        outputs = local.deploy(localstack.endpoint, assembly)
    local.seed(outputs)
    return outputs


@contextmanager
def one_at_a_time(name: str) -> Iterator[None]:
    """Hold ``.build/<name>.lock`` (shared by the run's workers) for the block.

    The workers' deploys take turns: two deploys side by side on two cores took 253 s and
    202 s, where one alone takes about 90 s (docs/benchmarks.md); in turns the first worker
    starts its tests after one deploy while the second deploys."""
    (ROOT / ".build").mkdir(parents=True, exist_ok=True)
    with (ROOT / ".build" / f"{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def shared_assembly(endpoint: str) -> Path:
    """The app synthesized once for the whole test run, whichever worker comes first (the
    others wait on a lock), into ``.build/cdk.out-e2e``: each worker's stack deploys from it,
    instead of each synthesizing the same app at the same time on a machine of two cores."""
    assembly = ROOT / ".build" / "cdk.out-e2e"
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid-{os.getpid()}"
    assembly.parent.mkdir(parents=True, exist_ok=True)
    with (ROOT / ".build" / "cdk.out-e2e.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = ROOT / ".build" / "cdk.out-e2e.run"
        if not (stamp.exists() and stamp.read_text() == run and assembly.is_dir()):
            shutil.rmtree(assembly, ignore_errors=True)
            local.synthesize(endpoint, assembly)
            stamp.write_text(run)
    return assembly


@pytest.fixture(scope="session")
def api(stack: dict[str, Any]) -> str:
    """The API's base URL (``…/_aws/execute-api/<id>/v1``)."""
    url: str = stack["ApiUrl"]
    return url


@pytest.fixture(scope="session")
def aws(stack: dict[str, Any]) -> Callable[[str], Any]:
    """``aws("sqs")`` → a boto3 client for the local stack."""
    return lambda service: local.client(service, stack["Endpoint"])


@contextmanager
def bus_tap(aws: Callable[[str], Any], stack: dict[str, Any], name: str,
            pattern: dict[str, Any]) -> Iterator[str]:
    """A queue of the test's own behind a rule on the platform bus matching ``pattern`` (what a
    subscriber of the bus would see); the rule, its target and the queue go when it ends."""
    sqs, bridge, bus = aws("sqs"), aws("events"), stack["EventBusName"]
    unique = f"e2e-{name}-{uuid.uuid4().hex[:8]}"
    url: str = sqs.create_queue(QueueName=unique)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
        "Attributes"]["QueueArn"]
    bridge.put_rule(Name=unique, EventBusName=bus, EventPattern=json.dumps(pattern))
    bridge.put_targets(Rule=unique, EventBusName=bus, Targets=[{"Id": "queue", "Arn": arn}])
    try:
        yield url
    finally:
        bridge.remove_targets(Rule=unique, EventBusName=bus, Ids=["queue"])
        bridge.delete_rule(Name=unique, EventBusName=bus)
        sqs.delete_queue(QueueUrl=url)


def function_of(aws: Callable[[str], Any], service: str) -> dict[str, Any] | None:
    """The deployed function of ``service`` (its ``POWERTOOLS_SERVICE_NAME``), or None."""
    lam = aws("lambda")
    for page in lam.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            variables = (function.get("Environment") or {}).get("Variables") or {}
            if variables.get("POWERTOOLS_SERVICE_NAME") == service:
                found: dict[str, Any] = function
                return found
    return None


def log_lines(aws: Callable[[str], Any], function: dict[str, Any], since: float) -> list[str]:
    """What ``function`` logged since ``since`` (epoch seconds): its named log group's and
    Lambda's default group's (where the local stack writes, its logging configuration being
    accepted but not applied)."""
    named = (function.get("LoggingConfig") or {}).get("LogGroup")
    lines: list[str] = []
    for group in sorted({f"/aws/lambda/{function['FunctionName']}", *([named] if named else [])}):
        try:
            lines += [e["message"] for page in aws("logs").get_paginator(
                "filter_log_events").paginate(logGroupName=group, startTime=int(since * 1000))
                      for e in page["events"]]
        except aws("logs").exceptions.ResourceNotFoundException:
            continue
    return lines


def function_errors(aws: Callable[[str], Any], service: str, since: float) -> list[str]:
    """The error lines the function of ``service`` logged since ``since``, each cut to 1,000
    characters: what a test's failure message quotes when the stack answered a 5xx, so that
    the cause is read from the run."""
    function = function_of(aws, service)
    if function is None:
        return [f"no function of service {service}"]
    return [m[:1000] for m in log_lines(aws, function, since)
            if '"level":"ERROR"' in m.replace(" ", "") or "Traceback" in m
            or "Task timed out" in m]
