"""The public route classes' request limits, counted by the functions themselves where no WAF
counts them (docs/decisions/0016-edge-protection.md).

On every stage but ``local`` AWS WAF counts each client IP's requests to a route class
(``infra.platform.edge.ROUTE_CLASSES``, ``per_ip`` per five minutes) and blocks the excess
before it reaches a function. LocalStack has no WAF, so on ``local`` the infrastructure hands
each function serving a class that class's figures in ``EDGE_LIMITS`` (JSON, :class:`Limit`),
and the counters' table in ``EDGE_LIMITS_TABLE``; :func:`etax.platform.api.make_resolver`
then checks every request to a route of a class before the route runs, so no route of a class
can forget it. Without ``EDGE_LIMITS`` (every other stage) nothing is checked and no DynamoDB
call is added.

* The window is fixed (``window`` seconds, aligned on the epoch): one conditional UpdateItem per
  request and counter (:func:`etax.platform.dynamo.count_under`), its item kept until a window
  after its own ends (TTL). A request over the limit is answered 429 problem+json with
  ``Retry-After``: whole seconds to the window's end.
* The client is API Gateway's ``requestContext.identity.sourceIp``, the address the
  connection came from; never a header the client sends (``X-Forwarded-For`` is whatever the
  client wrote). Counters are keyed by a digest of it: no address is stored.
* A class with ``per_identity`` (the lottery scan) also counts each signed-in subject's
  requests, wherever they come from (the person's draw limits count draws, not requests).
* A check that cannot reach DynamoDB lets the request through with a logged warning (fails
  open): the limit guards capacity, and refusing everyone while its table is away would make
  the outage the public's.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from etax.platform.aws import DynamoAccess
from etax.platform.dynamo import count_under
from etax.platform.errors import TooManyRequests
from etax.platform.observability import logger
from etax.platform.tables import EDGE_LIMITS

VARIABLE = "EDGE_LIMITS"  # the classes a function serves, as the infrastructure set them


@dataclass(frozen=True, slots=True)
class Limit:
    """One route class's figures: at most ``per_ip`` requests per client IP (and
    ``per_identity`` per signed-in subject) to its ``routes`` in each ``window`` seconds."""

    name: str
    routes: tuple[str, ...]  # "METHOD /path/{param}", as infra.platform.edge lists them
    per_ip: int
    window: int
    per_identity: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "routes": list(self.routes), "per_ip": self.per_ip,
                "window": self.window, "per_identity": self.per_identity}

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> Limit:
        per_identity = value.get("per_identity")
        return cls(str(value["name"]), tuple(str(r) for r in value["routes"]),
                   int(value["per_ip"]), int(value["window"]),
                   int(per_identity) if per_identity is not None else None)


def window_start(now: float, window: int) -> int:
    """The start (epoch seconds) of the fixed window ``now`` falls in."""
    return int(now // window) * window


def retry_after(now: float, window: int) -> int:
    """``Retry-After``: whole seconds from ``now`` to the end of its window (at least 1)."""
    return max(1, math.ceil(window_start(now, window) + window - now))


def client_digest(kind: str, value: str) -> str:
    """A counter's client part: a digest, so no address or subject is stored or logged."""
    return f"{kind}:{hashlib.sha256(f'{kind}:{value}'.encode()).hexdigest()[:32]}"


def counter_key(limit: Limit, start: int, who: str) -> str:
    """The counter's key; it begins with the class's name (what a function's grant allows)."""
    return f"{limit.name}#{start}#{who}"


def route_of(method: str, declared_path: str) -> str:
    """``METHOD /path/{param}`` for a route declared ``/path/<param>`` (Powertools' form)."""
    return f"{method.upper()} {declared_path.replace('<', '{').replace('>', '}')}"


def source_ip(event: Mapping[str, Any]) -> str:
    """The connection's address as API Gateway saw it (never a client-sent header)."""
    identity = (event.get("requestContext") or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


def clock() -> float:
    """The limiter's clock (epoch seconds), looked up on each check."""
    return time.time()


class Limiter(DynamoAccess):
    """Counts requests to the limited routes (``limits``) in the table named ``table``."""

    def __init__(self, limits: tuple[Limit, ...], table: str, client: Any | None = None,
                 now: Callable[[], float] | None = None) -> None:
        super().__init__(client)
        self.table = table
        self.now = now or (lambda: clock())
        self.by_route = {route: limit for limit in limits for route in limit.routes}

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Limiter | None:
        """The limiter the infrastructure configured, or None (no ``EDGE_LIMITS``)."""
        raw = environ.get(VARIABLE)
        if not raw:
            return None
        table = environ.get(EDGE_LIMITS.variable)
        if not table:
            raise RuntimeError(f"{VARIABLE} is set without {EDGE_LIMITS.variable} "
                               "(infrastructure bug)")
        return cls(tuple(Limit.from_json(v) for v in json.loads(raw)), table)

    def check(self, route: str, event: Mapping[str, Any], subject: str | None) -> None:
        """Count this request to ``route``; 429 with ``Retry-After`` when over a limit."""
        limit = self.by_route.get(route)
        if limit is None:
            return
        now = self.now()
        if not self._admitted(limit, now, client_digest("ip", source_ip(event)), limit.per_ip):
            self._refuse(limit, now, f"more than {limit.per_ip} requests from this address")
        if limit.per_identity is not None and subject is not None and \
                not self._admitted(limit, now, client_digest("sub", subject), limit.per_identity):
            self._refuse(limit, now, f"more than {limit.per_identity} requests by this caller")

    def _admitted(self, limit: Limit, now: float, who: str, ceiling: int) -> bool:
        start = window_start(now, limit.window)
        try:
            return count_under(self.db, self.table, counter_key(limit, start, who), ceiling,
                               start + 2 * limit.window)
        except Exception as error:
            logger.warning("edge limit not checked: the request is let through",
                           extra={"route_class": limit.name, "error": type(error).__name__})
            return True

    @staticmethod
    def _refuse(limit: Limit, now: float, what: str) -> None:
        wait = retry_after(now, limit.window)
        raise TooManyRequests(f"{what} to the {limit.name} routes in {limit.window} s; retry "
                              f"in {wait} s", retry_after=wait)
