"""The route classes' own limits where no WAF counts (etax.platform.limits): the fixed window,
Retry-After to its end, the counters' keys, the client from API Gateway only, and failing
open when the counters cannot be reached."""

from __future__ import annotations

import json
from typing import Any

import pytest

from etax.platform.errors import TooManyRequests
from etax.platform.limits import (
    Limit,
    Limiter,
    client_digest,
    retry_after,
    route_of,
    source_ip,
    window_start,
)

LIMIT = Limit("Registration", ("GET /v1/registration/verify/{credit_code}",), per_ip=2,
              window=300)
SCAN = Limit("LotteryScan", ("POST /v1/lottery/scan",), per_ip=5, window=300, per_identity=2)
ROUTE = "GET /v1/registration/verify/{credit_code}"


class Conditional(Exception):
    pass


class FakeDynamo:
    """``update_item`` as DynamoDB answers ``count_under``'s conditional ADD."""

    class exceptions:
        ConditionalCheckFailedException = Conditional

    def __init__(self) -> None:
        self.items: dict[str, dict[str, int]] = {}

    def update_item(self, **request: Any) -> None:
        key = request["Key"]["key"]["S"]
        limit = int(request["ExpressionAttributeValues"][":limit"]["N"])
        item = self.items.setdefault(key, {"n": 0})
        if item["n"] >= limit:
            raise Conditional
        item["n"] += 1
        item["expires_at"] = int(request["ExpressionAttributeValues"][":ttl"]["N"])


class Unreachable:
    class exceptions:
        ConditionalCheckFailedException = Conditional

    def update_item(self, **request: Any) -> None:
        raise ConnectionError("no route to DynamoDB")


def event(ip: str = "203.0.113.7", forwarded: str | None = None) -> dict[str, Any]:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return {"headers": headers, "requestContext": {"identity": {"sourceIp": ip}}}


def limiter(db: Any, now: float, *limits: Limit) -> Limiter:
    return Limiter(limits or (LIMIT,), "edge-limits", client=db, now=lambda: now)


def test_the_window_is_fixed_and_retry_after_runs_to_its_end() -> None:
    assert window_start(1_000_000.0, 300) == 999_900
    assert retry_after(999_900.0, 300) == 300
    assert retry_after(1_000_000.0, 300) == 200
    assert retry_after(1_000_199.2, 300) == 1  # rounded up: never before the end
    assert retry_after(1_000_199.99, 300) == 1


def test_over_the_limit_is_429_with_retry_after_and_the_next_window_counts_afresh() -> None:
    db = FakeDynamo()
    for _ in range(2):
        limiter(db, 1_000_000.0).check(ROUTE, event(), None)
    with pytest.raises(TooManyRequests) as refused:
        limiter(db, 1_000_000.0).check(ROUTE, event(), None)
    assert refused.value.status == 429
    assert refused.value.headers == {"Retry-After": "200"}
    assert refused.value.body()["retry_after"] == 200
    limiter(db, 1_000_200.0).check(ROUTE, event(), None)  # the next window
    (key, *_) = db.items
    assert key.startswith("Registration#999900#ip:")
    assert "203.0.113.7" not in key
    assert db.items[key]["expires_at"] == 999_900 + 600


def test_another_address_and_other_routes_are_not_counted_against_it() -> None:
    db = FakeDynamo()
    for _ in range(2):
        limiter(db, 1_000_000.0).check(ROUTE, event(), None)
    limiter(db, 1_000_000.0).check(ROUTE, event("198.51.100.9"), None)
    limiter(db, 1_000_000.0).check("GET /v1/me", event(), None)
    assert len(db.items) == 2


def test_the_client_is_api_gateways_source_ip_never_a_forwarded_header() -> None:
    db = FakeDynamo()
    for n in range(2):
        limiter(db, 1_000_000.0).check(ROUTE, event(forwarded=f"192.0.2.{n}"), None)
    with pytest.raises(TooManyRequests):
        limiter(db, 1_000_000.0).check(ROUTE, event(forwarded="192.0.2.99"), None)
    assert source_ip({"requestContext": {}}) == "unknown"


def test_a_signed_in_caller_is_counted_wherever_it_calls_from() -> None:
    db = FakeDynamo()
    route = "POST /v1/lottery/scan"
    limiter(db, 1_000_000.0, SCAN).check(route, event("203.0.113.1"), "350102199003071234")
    limiter(db, 1_000_000.0, SCAN).check(route, event("203.0.113.2"), "350102199003071234")
    with pytest.raises(TooManyRequests) as refused:
        limiter(db, 1_000_000.0, SCAN).check(route, event("203.0.113.3"),
                                             "350102199003071234")
    assert "by this caller" in refused.value.detail
    assert "350102199003071234" not in json.dumps(db.items)
    limiter(db, 1_000_000.0, SCAN).check(route, event("203.0.113.3"), "another-subject")


def test_counters_out_of_reach_let_the_request_through() -> None:
    limiter(Unreachable(), 1_000_000.0).check(ROUTE, event(), None)  # no exception: fails open


def test_the_figures_travel_in_the_environment() -> None:
    environ = {"EDGE_LIMITS": json.dumps([SCAN.as_json()]), "EDGE_LIMITS_TABLE": "t"}
    configured = Limiter.from_environment(environ)
    assert configured is not None
    assert configured.by_route == {"POST /v1/lottery/scan": SCAN}
    assert Limiter.from_environment({}) is None
    with pytest.raises(RuntimeError):
        Limiter.from_environment({"EDGE_LIMITS": "[]"})


def test_a_declared_route_is_named_as_the_route_classes_name_it() -> None:
    assert route_of("get", "/v1/registration/verify/<credit_code>") == ROUTE
    assert client_digest("ip", "a") != client_digest("sub", "a")
