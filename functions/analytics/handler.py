"""Revenue analytics, risk warnings and the watch-list for officers (plan action E19,
docs/analytics.md, docs/risk.md): ``GET /v1/analytics/revenue`` — the revenue collected in a
range of months by tax, province, office or month, read from the analytical store's payments
table with DuckDB; ``GET /v1/analytics/risk-warnings`` — a month's risk indicators and the
warnings they raise, each explained, with each indicator's precision; the watch-list — the
cases a month's run opened (``/v1/analytics/risk-cases``), each judged once by an officer of its
office; ``POST /v1/analytics/risk-runs`` — an administrator runs a month now. The revenue desk
(docs/analytics.md#the-revenue-desk): a month's largest movements and the taxpayers behind
them, the yearly plans and their progress, the charts of both (SVG), and the subscription to
the daily briefing (sent by ``analytics_briefing``). The 360° view of an enterprise and the
office's key enterprises (docs/analytics.md#the-360-view). An officer reads its own office's,
an administrator the whole country's."""

from __future__ import annotations

from typing import Any

import duckdb
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.logging import correlation_paths

from etax.acceptance.registration.repository import RegistryRepository
from etax.analytics.desk import RevenueDesk
from etax.analytics.profile import Profiles
from etax.analytics.reports import Reports
from etax.analytics.repository import (
    BriefingSubscriptions,
    IssuingQuotas,
    KeyEnterprises,
    RevenuePlans,
    RiskCases,
)
from etax.analytics.requests import (
    KeyEnterpriseRequest,
    PlanRequest,
    RunRequest,
    VerdictRequest,
)
from etax.analytics.results import (
    BriefingSubscription,
    EnterpriseProfile,
    KeyEnterprise,
    KeyEnterpriseList,
    Movements,
    PlanHistory,
    PlanProgress,
    Revenue,
    RiskCase,
    RiskCasePage,
    RiskWarnings,
)
from etax.analytics.service import checked_month
from etax.analytics.store import Store
from etax.analytics.watchlist import SOURCE, Watchlist
from etax.credit.repository import CreditRepository
from etax.platform.api import declares, make_resolver, parse_body
from etax.platform.auth import caller
from etax.platform.aws import lazy
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.once import Once
from etax.platform.settings import required

app = make_resolver()
once = Once(app)
publisher = EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), SOURCE)
watchlist = Watchlist(RiskCases(), publisher)
store = Store()
reports = Reports(store, duckdb.connect, watchlist.precision, IssuingQuotas().of)
desk = RevenueDesk(reports, store, duckdb.connect, RevenuePlans(), BriefingSubscriptions(),
                   publisher)
ratings = CreditRepository()


def _rating(credit_code: str) -> dict[str, Any] | None:
    """The enterprise's newest credit rating: its year, level and score."""
    found = ratings.latest_rating(credit_code)
    if found is None:
        return None
    rating, _ = found
    return {"year": rating.year, "level": rating.level, "score": rating.score,
            "provisional": rating.provisional}


profiles = Profiles(store, duckdb.connect, RegistryRepository(), _rating, watchlist.cases,
                    KeyEnterprises())
CASE = "/v1/analytics/risk-cases/{case_id}"
PLAN = "/v1/analytics/revenue-plans/{year}/{office}"
SVG = {"Cache-Control": "no-store", "Content-Security-Policy": "default-src 'none'; "
                                                                "style-src 'unsafe-inline'"}


def _query(name: str) -> str | None:
    value: str | None = app.current_event.get_query_string_value(name)
    return value


@app.get("/v1/analytics/revenue")
@declares(query={"from": "the first month, 2026-01", "to": "the last month, 2026-12",
                 "by": "tax (default), province, office, month or industry"})
def revenue() -> Revenue:
    return reports.revenue(caller(app, "officer", "admin"), _query("from"), _query("to"),
                           _query("by"))


@app.get("/v1/analytics/revenue/movements")
@declares(query={"month": "the month, 2026-11",
                 "against": "previous-month (default) or previous-year",
                 "top": "how many taxpayers behind the movement, 1 to 50 (default 10)"})
def revenue_movements() -> Movements:
    return desk.movements(caller(app, "officer", "admin"), _query("month"), _query("against"),
                          _query("top"))


@app.get("/v1/analytics/revenue-plans/<year>")
def plan_progress(year: str) -> PlanProgress:
    return desk.progress(caller(app, "officer", "admin"), year)


@app.put("/v1/analytics/revenue-plans/<year>/<office>")
def set_plan(year: str, office: str) -> dict[str, Any]:
    principal = caller(app, "admin")
    return once.parsed(principal, f"PUT {PLAN.format(year=year, office=office)}", PlanRequest,
                       lambda body: desk.set_plan(principal, year, office, body))


@app.get("/v1/analytics/revenue-plans/<year>/<office>")
@declares(problems=(404,))
def plan_history(year: str, office: str) -> PlanHistory:
    return desk.plan_history(caller(app, "officer", "admin"), year, office)


@app.get("/v1/analytics/charts/revenue")
@declares(query={"from": "the first month, 2026-01", "to": "the last month, 2026-12",
                 "by": "tax (default), province, office, month or industry"})
def revenue_chart() -> Response[str]:
    drawn = desk.revenue_chart(caller(app, "officer", "admin"), _query("from"), _query("to"),
                               _query("by"))
    return Response(status_code=200, content_type="image/svg+xml", body=drawn, headers=SVG)


@app.get("/v1/analytics/charts/plan")
@declares(query={"year": "the plan's year, 2026"})
def plan_chart() -> Response[str]:
    drawn = desk.plan_chart(caller(app, "officer", "admin"), _query("year"))
    return Response(status_code=200, content_type="image/svg+xml", body=drawn, headers=SVG)


@app.get("/v1/analytics/briefings/me")
@declares(problems=(404,))
def briefing() -> BriefingSubscription:
    return desk.subscription(caller(app, "officer"))


@app.put("/v1/analytics/briefings/me")
def subscribe() -> BriefingSubscription:
    return desk.subscribe(caller(app, "officer"))


@app.delete("/v1/analytics/briefings/me")
@declares(problems=(404,))
def unsubscribe() -> Response[str]:
    desk.unsubscribe(caller(app, "officer"))
    return Response(status_code=204, body="")


@app.get("/v1/analytics/risk-warnings")
@declares(query={"month": "the month, 2026-11",
                 "indicator": "one indicator's warnings only (its id; every one if absent)"})
def risk_warnings() -> RiskWarnings:
    return reports.risk_warnings(caller(app, "officer", "admin"), _query("month"),
                                 _query("indicator"))


@app.post("/v1/analytics/risk-runs")
def risk_run() -> dict[str, Any]:
    principal = caller(app, "admin")
    return once.parsed(principal, "POST /v1/analytics/risk-runs", RunRequest,
                       lambda body: watchlist.run(body.month, reports.warnings_of(body.month)))


@app.get("/v1/analytics/risk-cases")
@declares(query={"month": "the month, 2026-11",
                 "indicator": "one indicator's cases only (its id)",
                 "verdict": "open (none yet), confirmed or false_alarm",
                 "cursor": "the `next` of the page read before (from the start if absent)"})
def risk_cases() -> RiskCasePage:
    principal = caller(app, "officer", "admin")
    return watchlist.page(principal, checked_month(_query("month"), "month"),
                          _query("indicator"), _query("verdict"), _query("cursor"))


@app.get("/v1/analytics/risk-cases/<case_id>")
@declares(problems=(404,))
def risk_case(case_id: str) -> RiskCase:
    return watchlist.read(caller(app, "officer", "admin"), case_id)


@app.post("/v1/analytics/risk-cases/<case_id>/verdict")
@declares(problems=(404,))
def verdict(case_id: str) -> dict[str, Any]:
    principal = caller(app, "officer", "admin")
    return once.parsed(principal, f"POST {CASE.format(case_id=case_id)}/verdict",
                       VerdictRequest,
                       lambda body: watchlist.decide(principal, case_id, body.verdict,
                                                     body.note))


@app.get("/v1/analytics/enterprises/<credit_code>")
@declares(problems=(404,))
def enterprise(credit_code: str) -> EnterpriseProfile:
    return profiles.view(caller(app, "officer", "admin"), credit_code)


@app.get("/v1/analytics/key-enterprises")
@declares(query={"office": "the tax office (an administrator's: required; an officer's: its "
                           "own, if given)"})
def key_enterprises() -> KeyEnterpriseList:
    return profiles.listed(caller(app, "officer", "admin"), _query("office"))


@app.put("/v1/analytics/key-enterprises/<credit_code>")
@declares(problems=(404,))
def mark_key_enterprise(credit_code: str) -> KeyEnterprise:
    principal = caller(app, "officer", "admin")
    return profiles.mark(principal, credit_code, parse_body(app, KeyEnterpriseRequest))


@app.delete("/v1/analytics/key-enterprises/<credit_code>")
@declares(problems=(404,))
def unmark_key_enterprise(credit_code: str) -> Response[str]:
    profiles.unmark(caller(app, "officer", "admin"), credit_code)
    return Response(status_code=204, body="")


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
