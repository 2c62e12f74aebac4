"""The officers' reports over the analytical store: who may read what, and the checks of a
report's parameters (errors name the query parameter)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from etax.analytics import queries, risk
from etax.analytics.results import Revenue, RiskWarnings
from etax.analytics.service import checked_month, revenue, risk_warnings
from etax.analytics.store import Store
from etax.errors import Invalid
from etax.platform.auth import Principal
from etax.rules.dates import months_between

MAX_MONTHS = 36


def checked_range(first: str | None, last: str | None) -> tuple[str, str]:
    first, last = checked_month(first, "from"), checked_month(last, "to")
    count = months_between(first, last)
    if count < 1:
        raise Invalid("a month not before `from`", field="to")
    if count > MAX_MONTHS:
        raise Invalid(f"at most {MAX_MONTHS} months from `from`", field="to")
    return first, last


def office_of(principal: Principal) -> str | None:
    """The office whose figures ``principal`` reads: an officer its own, an administrator
    every office (None)."""
    if principal.role == "admin":
        return None
    if not principal.tax_office:
        raise Invalid("an officer's token names its tax office", field="authorization")
    return principal.tax_office


class Reports:
    def __init__(self, store: Store, connect: Any,
                 precision: Callable[[], dict[str, dict[str, Any]]] | None = None,
                 quotas: Callable[[Sequence[str]], Mapping[str, int]] | None = None) -> None:
        self.store = store
        self.connect = connect  # a new DuckDB connection (duckdb.connect)
        # each indicator's verdicts and precision (the watch-list's), if the caller keeps them
        self.precision = precision or dict
        self.quotas = quotas  # the sellers' monthly issuing quotas, if the caller reads them

    def warnings_of(self, month: str) -> list[risk.Warning]:
        """Every warning of ``month``, nationwide, as the store holds it now."""
        connection = self.connect()
        try:
            return risk_warnings(connection, self.store, month, self.quotas)[0]
        finally:
            connection.close()

    def revenue(self, principal: Principal, first: str | None, last: str | None,
                by: str | None) -> Revenue:
        grouping = by or "tax"
        if grouping not in queries.GROUPINGS:
            raise Invalid(f"one of {', '.join(queries.GROUPINGS)}", field="by")
        start, end = checked_range(first, last)
        office = office_of(principal)
        connection = self.connect()
        try:
            rows, files = revenue(connection, self.store, first=start, last=end, by=grouping,
                                  office=office)
        finally:
            connection.close()
        return Revenue(start, end, grouping, office or "all", rows,
                       sum(r.payments for r in rows), sum(r.amount_fen for r in rows), files)

    def risk_warnings(self, principal: Principal, month: str | None,
                      indicator: str | None) -> RiskWarnings:
        """The warnings of ``month`` (required), of one ``indicator`` when given: an
        officer's own office's taxpayers, an administrator's all."""
        chosen = checked_month(month, "month")
        if indicator is not None and indicator not in risk.INDICATORS:
            raise Invalid(f"one of {', '.join(risk.INDICATORS)}", field="indicator")
        office = office_of(principal)
        connection = self.connect()
        try:
            found, files = risk_warnings(connection, self.store, chosen, self.quotas)
        finally:
            connection.close()
        shown = [w for w in found if (office is None or w.office == office)
                 and (indicator is None or w.indicator == indicator)]
        wanted = [i for i in risk.INDICATORS.values() if indicator in (None, i.id)]
        judged = self.precision()
        return RiskWarnings(
            chosen, office or "all",
            [{**i.as_dict(), "warnings": sum(w.indicator == i.id for w in shown),
              **judged.get(i.id, {})} for i in wanted],
            [w.as_dict() for w in shown], files)
