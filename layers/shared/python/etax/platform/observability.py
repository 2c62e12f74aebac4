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
and ``+86`` mobile numbers in it (first 6 and last 4 kept, :mod:`etax.platform.privacy`), drops
bearer tokens, masks the values of fields named for a person's data (``phone``, ``bank_card``,
``account``, ``name``, …: :data:`etax.platform.privacy.PERSONAL_FIELDS`) and bounds each value at
:data:`LOG_VALUE_LIMIT` characters, whatever a caller passed in ``extra`` or an exception said.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Literal

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from aws_lambda_powertools.logging.types import LogRecord

from etax.platform.privacy import mask_fields, mask_text, scrub

LOG_VALUE_LIMIT = 4000  # characters of one logged value (a stack trace fits, a 100 kB input not)


class MaskingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON log lines, each value bounded and a person's data in them masked."""

    def serialize(self, log: LogRecord) -> str:
        bounded = {key: scrub(value, LOG_VALUE_LIMIT)
                   for key, value in mask_fields(dict(log)).items()}
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


# ---- business metrics ------------------------------------------------------------------------
# The fixed set of business metrics, each with the one dimension it may carry and that
# dimension's values (anything else is published as "other": a dimension never takes a value
# from a request, so no taxpayer, invoice number or person ever becomes one). Every metric is
# published with the ``service`` dimension alone as well (the dashboard's line) and, where it
# has one, with ``service`` and its own dimension. infra/platform/observability.py
# ``BUSINESS_METRICS`` puts each on the dashboard; docs/architecture.md lists them.
BusinessMetric = Literal[
    "InvoiceVerifications", "QrParses", "LotteryDraws", "PrizesPaid", "PrizesPaidFen",
    "PrizePayoutsFailed", "RefundsPaid", "RefundsPaidFen", "InvoicesIssued",
    "InvoicesRedLettered", "InvoicesVoided", "ReturnsFiled", "PaymentsConfirmed",
    "Registrations"]
BUSINESS_DIMENSIONS: dict[str, tuple[str, frozenset[str]]] = {
    "InvoiceVerifications": ("result", frozenset({"001", "002", "006", "009"})),
    "QrParses": ("result", frozenset({"parsed", "refused"})),
    "LotteryDraws": ("result", frozenset({"won", "no_prize", "sold_out"})),
    "PaymentsConfirmed": ("method", frozenset({"bank_transfer", "pos", "online_banking",
                                               "mobile_banking", "third_party"})),
    "Registrations": ("kind", frozenset({"temporary", "withholding_agent",
                                         "natural_person"})),
}
AMOUNTS = frozenset({"PrizesPaidFen", "RefundsPaidFen"})  # sums of fen, not counts
# Facts announced by the outboxes (etax.platform.outbox, after the bus took them: the write
# they come from is committed) → the metric each counts, and the detail field summed in fen.
ANNOUNCED: dict[str, tuple[BusinessMetric, tuple[BusinessMetric, str] | None]] = {
    "InvoiceIssued": ("InvoicesIssued", None),
    "InvoiceRedIssued": ("InvoicesRedLettered", None),
    "InvoiceVoided": ("InvoicesVoided", None),
    "PrizePaid": ("PrizesPaid", ("PrizesPaidFen", "prize_fen")),
    "PrizePayoutFailed": ("PrizePayoutsFailed", None),
    "RefundPaid": ("RefundsPaid", ("RefundsPaidFen", "approved_fen")),
}


def business(name: BusinessMetric, value: int = 1, dimension: str | None = None) -> None:
    """Publish one business metric now (one EMF line on stdout, its own dimensions), after the
    fact it counts was written. ``dimension`` is the value of the metric's own dimension
    (:data:`BUSINESS_DIMENSIONS`); a value outside its set is published as ``other``."""
    from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

    one = EphemeralMetrics()
    unit = MetricUnit.NoUnit if name in AMOUNTS else MetricUnit.Count
    one.add_metric(name=name, unit=unit, value=value)
    if name in BUSINESS_DIMENSIONS:
        key, values = BUSINESS_DIMENSIONS[name]
        one.add_dimension(key, dimension if dimension in values else "other")
        one.add_dimensions(service=one.service or "unknown")  # the total, for the dashboard
    one.flush_metrics()


def announced(detail_type: str, detail: Mapping[str, Any]) -> None:
    """The business metrics of one fact an outbox announced (:data:`ANNOUNCED`)."""
    counted = ANNOUNCED.get(detail_type)
    if counted is None:
        return
    metric, amount = counted
    business(metric)
    if amount is not None and isinstance(detail.get(amount[1]), int | Decimal):
        business(amount[0], int(detail[amount[1]]))
