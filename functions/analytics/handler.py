"""Revenue analytics and risk warnings for officers (plan action E19, docs/analytics.md,
docs/risk.md): ``GET /v1/analytics/revenue`` — the revenue collected in a range of months by
tax, province, office or month, read from the analytical store's payments table with DuckDB;
``GET /v1/analytics/risk-warnings`` — a month's risk indicators and the warnings they raise,
each explained. An officer reads its own office's, an administrator the whole country's."""

from __future__ import annotations

import duckdb
from aws_lambda_powertools.logging import correlation_paths

from etax.analytics.reports import Reports
from etax.analytics.results import Revenue, RiskWarnings
from etax.analytics.store import Store
from etax.platform.api import declares, make_resolver
from etax.platform.auth import caller
from etax.platform.observability import instrument

app = make_resolver()
reports = Reports(Store(), duckdb.connect)


def _query(name: str) -> str | None:
    value: str | None = app.current_event.get_query_string_value(name)
    return value


@app.get("/v1/analytics/revenue")
@declares(query={"from": "the first month, 2026-01", "to": "the last month, 2026-12",
                 "by": "tax (default), province, office or month"})
def revenue() -> Revenue:
    return reports.revenue(caller(app, "officer", "admin"), _query("from"), _query("to"),
                           _query("by"))


@app.get("/v1/analytics/risk-warnings")
@declares(query={"month": "the month, 2026-11",
                 "indicator": "one indicator's warnings only (its id; every one if absent)"})
def risk_warnings() -> RiskWarnings:
    return reports.risk_warnings(caller(app, "officer", "admin"), _query("month"),
                                 _query("indicator"))


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
