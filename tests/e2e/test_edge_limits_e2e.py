"""The route classes' own limits on the local stack, which has no WAF (docs/decisions/0016):
the functions count each client address's requests to a class, at the WAF's figures, and
answer the one over it 429 problem+json with ``Retry-After``.

LocalStack puts ``127.0.0.1`` in every request's ``requestContext.identity.sourceIp``, so
every request of the suites comes from one address: this test spends the Registration class's
real figure (infra/platform/edge.py, 300 per five minutes; one GetItem a request) and, at its
end, takes back the counters it filled, as the fuzz run takes back its failed verifications,
so that the suites after it are not refused.

The limiter's window is fixed and aligned on the epoch (``etax.platform.limits``): requests
that straddle two windows are counted in two counters, so the test starts its spend at least
``SPEND_TIME`` seconds before its window ends (waiting for the next one if need be); the spend
itself takes a few seconds."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from etax.platform.limits import window_start
from infra.platform.edge import ROUTE_CLASSES, limit_of

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

REGISTRATION = next(c for c in ROUTE_CLASSES if c.name == "Registration")
CODE = "91350100M000100Y43"
SPEND_TIME = 60  # seconds the whole spend may take, well above what it does take


def early_in_a_window(window: int, clock: Any = time.time, sleep: Any = time.sleep) -> None:
    """Return when at least ``SPEND_TIME`` seconds of the current window are left."""
    now = clock()
    left = window_start(now, window) + window - now
    if left < SPEND_TIME:
        sleep(left + 1)


def clear_edge_limits(aws: Any, stack: dict[str, Any], prefix: str = "") -> None:
    """Delete the route classes' counters (those whose key begins with ``prefix``)."""
    dynamodb, table = aws("dynamodb"), stack["EdgeLimitsTableName"]
    for page in dynamodb.get_paginator("scan").paginate(
            TableName=table, ProjectionExpression="#k", ExpressionAttributeNames={"#k": "key"}):
        for item in page["Items"]:
            if item["key"]["S"].startswith(prefix):
                dynamodb.delete_item(TableName=table, Key={"key": item["key"]})


@pytest.fixture
def registration_counters(aws: Any, stack: dict[str, Any]) -> Iterator[None]:
    clear_edge_limits(aws, stack, f"{REGISTRATION.name}#")
    yield
    clear_edge_limits(aws, stack, f"{REGISTRATION.name}#")


def test_the_deployed_functions_carry_the_wafs_figures(aws: Any) -> None:
    found = []
    for page in aws("lambda").get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            variables = (function.get("Environment") or {}).get("Variables") or {}
            if "EDGE_LIMITS" in variables:
                found += json.loads(variables["EDGE_LIMITS"])
    assert limit_of(REGISTRATION).as_json() in found


def test_over_the_class_limit_an_address_gets_429_with_retry_after(
        api: str, registration_counters: None) -> None:
    url = f"{api}/v1/registration/verify/{CODE}"
    early_in_a_window(limit_of(REGISTRATION).window)
    with requests.Session() as http, ThreadPoolExecutor(4) as pool:
        statuses = list(pool.map(lambda _: http.get(url, timeout=30).status_code,
                                 range(REGISTRATION.per_ip or 0)))
        assert 429 not in statuses
        refused = http.get(url, timeout=30)
        assert refused.status_code == 429, refused.text
        assert refused.headers["Content-Type"] == "application/problem+json"
        wait = int(refused.headers["Retry-After"])
        assert 1 <= wait <= 300
        body = refused.json()
        assert body["type"] == "urn:etax:problem:rate-limited"
        assert body["retry_after"] == wait
        assert "Registration" in body["detail"]
        # another class is counted apart
        assert http.get(f"{api}/v1/health", timeout=30).status_code == 200
