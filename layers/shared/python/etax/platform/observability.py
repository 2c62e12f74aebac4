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

Privacy: every log line goes through :class:`MaskingFormatter`, which masks the resident ID
numbers in it (first 6 and last 4 kept, :mod:`etax.platform.privacy`) and bounds each value at
:data:`LOG_VALUE_LIMIT` characters, whatever a caller passed in ``extra`` or an exception said.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import LogRecord

from etax.platform.privacy import mask_text, scrub

LOG_VALUE_LIMIT = 4000  # characters of one logged value (a stack trace fits, a 100 kB input not)


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON log lines, each value bounded and every resident ID in them masked."""

    def serialize(self, log: LogRecord) -> str:
        bounded = {key: scrub(value, LOG_VALUE_LIMIT) for key, value in log.items()}
        return mask_text(super().serialize(bounded))


logger = Logger(logger_formatter=MaskingFormatter())
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
