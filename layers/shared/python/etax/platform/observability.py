"""The one place where logging, tracing and metrics are set up.

Every function imports ``logger`` and ``metrics`` from here and wraps its
entry point with :func:`instrument`, so correlation ids, cold-start metrics
and log shape are the same everywhere. Service name and namespace come from
the standard Powertools variables the infrastructure sets
(``POWERTOOLS_SERVICE_NAME``, ``POWERTOOLS_METRICS_NAMESPACE``).

Tracing: every function runs with Lambda active tracing (X-Ray segments for
each invocation and its AWS calls are recorded by the service). The X-Ray SDK
(Powertools ``Tracer``) adds in-code subsegments but costs about 0.3 s of
import on every cold start (measured, docs/benchmarks.md), so it is switched
on per function only where that detail is wanted: ``ETAX_XRAY_SDK=1``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
metrics = Metrics()
# Functions without business metrics still publish the cold-start metric; that is not a mistake.
warnings.filterwarnings("ignore", message="No application metrics to publish")

Handler = Callable[[dict[str, Any], Any], Any]


def xray_sdk_enabled() -> bool:
    return os.environ.get("ETAX_XRAY_SDK") == "1"


def instrument(handler: Handler, correlation_id_path: str | None = None) -> Handler:
    """Wrap a Lambda entry point with the platform's logging, metrics (and SDK tracing if on)."""
    wrapped = handler
    if xray_sdk_enabled():
        from aws_lambda_powertools import Tracer  # imported only when switched on: it is slow

        wrapped = Tracer().capture_lambda_handler(wrapped)
    wrapped = metrics.log_metrics(wrapped, capture_cold_start_metric=True)
    return logger.inject_lambda_context(wrapped, correlation_id_path=correlation_id_path)
