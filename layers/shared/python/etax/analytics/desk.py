"""The officers' revenue desk (docs/analytics.md#the-revenue-desk): the largest movements of
a month's revenue and the taxpayers behind them; the yearly plans and the progress against
them; the charts of both; and the daily briefing pushed to the officers who asked for it.
Who may read what is checked here (an officer its own office, an administrator every
office); the figures come from the analytical store, the plans from the analytics table, the
day from the clock — never from the request."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from etax.analytics import charts, plans
from etax.analytics.archive import CHINA
from etax.analytics.reports import Reports, office_of
from etax.analytics.repository import BriefingSubscriptions, RevenuePlans
from etax.analytics.requests import PlanRequest
from etax.analytics.results import (
    Briefed,
    BriefingSubscription,
    Movements,
    Mover,
    PlanHistory,
    PlanProgress,
    PlanView,
)
from etax.analytics.risk import months_before
from etax.analytics.service import (
    checked_month,
    collected,
    collected_rows,
    day_bounds,
    month_bounds,
    movements,
    payment_views,
)
from etax.analytics.store import Store
from etax.errors import Invalid, NotFound
from etax.platform.auth import Principal
from etax.platform.dev_identities import TAX_OFFICE
from etax.platform.events import DomainEvent, Publisher
from etax.rules.dates import utc_stamp
from etax.rules.money import format_yuan

YEAR = re.compile(r"20[2-9][0-9]")
"""a plan's year: 2020 to 2099"""
AGAINST = ("previous-month", "previous-year")
TOP_DEFAULT, TOP_MAX = 10, 50
BRIEFING_EVENT = "RevenueBriefing"
TAX_NAMES = {"vat": "增值税", "iit_annual": "个人所得税（年度汇算）", "vehicle_vessel": "车船税"}


def checked_year(value: str | None, field: str = "year") -> int:
    if value is None or not YEAR.fullmatch(value):
        raise Invalid("a year, 2020 to 2099 (e.g. 2026)", field=field)
    return int(value)


def checked_office(value: str | None, field: str = "office") -> str:
    if value is None or not TAX_OFFICE.fullmatch(value):
        raise Invalid("a tax office's code, 11 digits (e.g. 13501000000)", field=field)
    return value


def percent(bp: int | None) -> str:
    """Basis points as a percentage with two decimals: ``4012`` → ``"40.12%"``."""
    if bp is None:
        return "—"
    sign = "-" if bp < 0 else ""
    whole, rest = divmod(abs(bp), 100)
    return f"{sign}{whole}.{rest:02d}%"


class RevenueDesk:
    def __init__(self, reports: Reports, store: Store, connect: Any, plans_: RevenuePlans,
                 subscriptions: BriefingSubscriptions, publisher: Publisher,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.reports = reports
        self.store = store
        self.connect = connect
        self.plans = plans_
        self.subscriptions = subscriptions
        self.publisher = publisher
        self.now = now

    def today(self) -> date:
        return self.now().astimezone(CHINA).date()

    # -- movements ----------------------------------------------------------------------------

    def movements(self, principal: Principal, month: str | None, against: str | None,
                  top: str | None) -> Movements:
        """``month``'s revenue against the month before (or the same month a year before),
        and the ``top`` taxpayers whose revenue moved most, the largest change first."""
        chosen = checked_month(month, "month")
        basis = against or AGAINST[0]
        if basis not in AGAINST:
            raise Invalid(f"one of {', '.join(AGAINST)}", field="against")
        count = TOP_DEFAULT if top is None else _bounded(top, "top", 1, TOP_MAX)
        earlier = months_before(chosen, 1 if basis == AGAINST[0] else 12)[0]
        office = office_of(principal)
        connection = self.connect()
        try:
            moved = movements(connection, self.store, month_bounds(earlier, earlier),
                              month_bounds(chosen, chosen), office, count)
        finally:
            connection.close()
        change = moved.after_fen - moved.before_fen
        return Movements(
            chosen, earlier, office or "all", moved.before_fen, moved.after_fen, change,
            plans.basis_points(change, moved.before_fen),
            [Mover(t, b, a, a - b, plans.basis_points(a - b, b)) for t, b, a in moved.movers],
            moved.files)

    # -- plans --------------------------------------------------------------------------------

    def set_plan(self, principal: Principal, year: str, office: str,
                 request: PlanRequest) -> PlanView:
        """An administrator sets ``office``'s plan for ``year`` (a new revision, kept)."""
        chosen, where = checked_year(year), checked_office(office)
        taxes = {tax: int(amount * 100) for tax, amount in request.taxes.items()}
        known = plans.known_taxes()
        for tax in taxes:
            if tax not in known:
                raise Invalid(f"a tax the platform collects: {', '.join(known)}",
                              field=f"taxes.{tax}")
        current = self.plans.get(chosen, where)
        values = {"taxes": taxes, "revision": (current["revision"] if current else 0) + 1,
                  "set_by": principal.subject, "set_at": utc_stamp(self.now()),
                  "reason": request.reason}
        self.plans.set(chosen, where, values, current["revision"] if current else None)
        return _plan_view(chosen, where, values)

    def plan_history(self, principal: Principal, year: str, office: str) -> PlanHistory:
        chosen, where = checked_year(year), checked_office(office)
        own = office_of(principal)
        if own is not None and own != where:
            raise NotFound(f"no plan of {where} for {chosen}")
        revisions = self.plans.history(chosen, where)
        if not revisions:
            raise NotFound(f"no plan of {where} for {chosen}")
        return PlanHistory(chosen, where, [_plan_view(chosen, where, r) for r in revisions])

    def progress(self, principal: Principal, year: str | None) -> PlanProgress:
        """The progress of ``year`` to today: an officer's own office, an administrator's
        every office with a plan or a collection."""
        chosen = checked_year(year)
        return self._progress(chosen, self.today(), office_of(principal))

    def _progress(self, year: int, day: date, office: str | None,
                  rows: list[tuple[Any, ...]] | None = None) -> PlanProgress:
        """The progress of ``year`` to ``day``: of ``office``, or every office with a plan or a
        collection; ``rows`` the year's collected rows if the caller read them already."""
        elapsed, days = plans.time_progress(year, day)
        last = min(day, date(year, 12, 31))
        stored = self.plans.of_year(year)
        files = 0
        if rows is None and elapsed:
            connection = self.connect()
            try:
                rows, files = collected(connection, self.store,
                                        *day_bounds(date(year, 1, 1), last))
            finally:
                connection.close()
        by_office = plans.by_office(rows or [])
        offices = [office] if office is not None else sorted(set(stored) | set(by_office))
        return PlanProgress(
            year, last.isoformat(), elapsed, days, plans.basis_points(elapsed, days) or 0,
            [plans.progress(o, stored[o]["taxes"] if o in stored else None,
                            by_office.get(o, {}), elapsed, days,
                            revision=stored[o]["revision"] if o in stored else None,
                            set_at=stored[o]["set_at"] if o in stored else None)
             for o in offices], files)

    # -- charts -------------------------------------------------------------------------------

    def revenue_chart(self, principal: Principal, first: str | None, last: str | None,
                      by: str | None) -> str:
        report = self.reports.revenue(principal, first, last, by)
        span = (report.from_month if report.from_month == report.to_month
                else f"{report.from_month} – {report.to_month}")
        return charts.bar_chart(
            f"税收收入 Revenue by {report.by} · {span}",
            f"office {report.office} · {report.payments} payments · "
            f"total {format_yuan(report.total_fen)} yuan",
            [charts.Bar(TAX_NAMES.get(r.key, r.key) if report.by == "tax" else r.key,
                        r.amount_fen, f"{format_yuan(r.amount_fen)}")
             for r in sorted(report.rows, key=lambda r: (-r.amount_fen, r.key))],
            empty="no revenue collected in these months")

    def plan_chart(self, principal: Principal, year: str | None) -> str:
        """An office's progress tax by tax (an officer), or every office's (an
        administrator), the time progress marked."""
        shown = self.progress(principal, year)
        if len(shown.offices) == 1:
            [one] = shown.offices
            bars = [charts.Bar(TAX_NAMES.get(t.tax, t.tax), t.progress_bp or 0,
                               f"{percent(t.progress_bp)} of {format_yuan(t.plan_fen)}"
                               if t.plan_fen is not None else "no plan")
                    for t in one.taxes]
            subtitle = (f"office {one.office} · collected {format_yuan(one.collected_fen)} "
                        f"yuan · {percent(one.progress_bp)} of the plan")
        else:
            bars = [charts.Bar(o.office, o.progress_bp or 0,
                               percent(o.progress_bp) if o.plan_fen is not None else "no plan")
                    for o in shown.offices]
            subtitle = f"{len(shown.offices)} offices"
        return charts.bar_chart(
            f"收入计划完成进度 Plan progress {shown.year} · to {shown.as_of}",
            subtitle, bars,
            marker=(shown.time_progress_bp, f"序时进度 {percent(shown.time_progress_bp)}"),
            empty="no plan and no revenue this year")

    # -- the daily briefing -------------------------------------------------------------------

    def subscription(self, principal: Principal) -> BriefingSubscription:
        office = _officer_office(principal)
        at = self.subscriptions.get(office, principal.subject)
        if at is None:
            raise NotFound("not subscribed to the daily revenue briefing")
        return BriefingSubscription(principal.subject, office, at)

    def subscribe(self, principal: Principal) -> BriefingSubscription:
        office = _officer_office(principal)
        at = self.subscriptions.subscribe(office, principal.subject, utc_stamp(self.now()))
        return BriefingSubscription(principal.subject, office, at)

    def unsubscribe(self, principal: Principal) -> None:
        office = _officer_office(principal)
        if not self.subscriptions.unsubscribe(office, principal.subject):
            raise NotFound("not subscribed to the daily revenue briefing")

    def brief(self, day: date | None = None) -> Briefed:
        """The briefing of ``day`` (yesterday, Asia/Shanghai, by default) to every subscribed
        officer of each office: the day's collections, the month's and the year's so far, and
        the year's plan progress. Its notification id is the office's and the day's, so a
        second run reaches each inbox once."""
        chosen = day or self.today() - timedelta(days=1)
        subscribed = self.subscriptions.every()
        if not subscribed:
            return Briefed(chosen.isoformat(), 0, 0)
        # the year's payments made a view once; the day, the month and the year read from it
        connection = self.connect()
        try:
            payment_views(connection, self.store, *day_bounds(date(chosen.year, 1, 1), chosen))
            daily = collected_rows(connection, *day_bounds(chosen, chosen))
            monthly = collected_rows(connection, *day_bounds(chosen.replace(day=1), chosen))
            yearly = collected_rows(connection, *day_bounds(date(chosen.year, 1, 1), chosen))
        finally:
            connection.close()
        today, month = plans.by_office(daily), plans.by_office(monthly)
        count = {o: sum(int(r[2]) for r in daily if r[0] == o) for o in subscribed}
        year = self._progress(chosen.year, chosen, None, yearly)
        progress = {o.office: o for o in year.offices}
        events = []
        for office, officers in sorted(subscribed.items()):
            standing = progress.get(office) or plans.progress(office, None, {}, 0, 1)
            title = f"收入日报 {chosen.isoformat()} · {office}"
            body = (f"{chosen.month}月{chosen.day}日入库 "
                    f"{format_yuan(sum(today.get(office, {}).values()))} 元"
                    f"（{count.get(office, 0)} 笔）；本月累计 "
                    f"{format_yuan(sum(month.get(office, {}).values()))} 元；本年累计 "
                    f"{format_yuan(standing.collected_fen)} 元")
            if standing.plan_fen is not None:
                body += (f"，年度计划 {format_yuan(standing.plan_fen)} 元，完成 "
                         f"{percent(standing.progress_bp)}，序时进度 "
                         f"{percent(year.time_progress_bp)}")
            figures = {"office": office, "day": chosen.isoformat(),
                       "day_fen": sum(today.get(office, {}).values()),
                       "payments": count.get(office, 0),
                       "month_fen": sum(month.get(office, {}).values()),
                       "year_fen": standing.collected_fen, "plan_fen": standing.plan_fen,
                       "progress_bp": standing.progress_bp,
                       "time_progress_bp": year.time_progress_bp}
            events += [DomainEvent(BRIEFING_EVENT, {
                **figures,
                "notification": {"id": f"revenue-briefing:{office}:{chosen.isoformat()}",
                                 "recipient": officer, "kind": "analytics.revenue_briefing",
                                 "title": title, "body": body + "。",
                                 "link": f"/v1/analytics/revenue-plans/{chosen.year}"}})
                for officer in officers]
        self.publisher.publish(events)
        return Briefed(chosen.isoformat(), len(subscribed), len(events))


def _officer_office(principal: Principal) -> str:
    if principal.role != "officer" or not principal.tax_office:
        raise Invalid("an officer's token names its tax office", field="authorization")
    return principal.tax_office


def _bounded(value: str, field: str, low: int, high: int) -> int:
    if not value.isascii() or not value.isdigit() or not low <= int(value[:6]) <= high:
        raise Invalid(f"a whole number from {low} to {high}", field=field)
    return int(value)


def _plan_view(year: int, office: str, values: dict[str, Any]) -> PlanView:
    taxes = dict(sorted(values["taxes"].items()))
    return PlanView(year, office, taxes, sum(taxes.values()), int(values["revision"]),
                    values.get("set_by"), values.get("set_at"), values.get("reason"))
