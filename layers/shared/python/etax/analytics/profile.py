"""The officers' 360° view of an enterprise and their office's key enterprises (重点税源企业;
docs/analytics.md#the-360-view): what the registry says of it now, its credit rating, and the
last twelve months of its invoicing (issued and received, by month), returns, payments and
refunds from the analytical store, with the watch-list's cases about it. An officer sees the
enterprises of its own office (another office's is 404, as if it did not exist), an
administrator every one; the office is the registry's, never the request's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from etax.analytics import queries
from etax.analytics.archive import CHINA
from etax.analytics.desk import checked_office
from etax.analytics.reports import office_of
from etax.analytics.repository import KeyEnterprises, RiskCases
from etax.analytics.requests import KeyEnterpriseRequest
from etax.analytics.results import (
    EnterpriseProfile,
    KeyEnterprise,
    KeyEnterpriseList,
    MonthInvoicing,
)
from etax.analytics.risk import months_before
from etax.analytics.schemas import INVOICES, PAYMENTS, REFUNDS, RETURNS
from etax.analytics.service import day_bounds, load_views, utc_naive
from etax.analytics.store import Store
from etax.errors import Invalid, NotFound
from etax.platform.auth import Principal
from etax.rules import uscc
from etax.rules.dates import utc_stamp

MONTHS = 12  # the months an enterprise's view covers, this one included


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):  # the store's instants: UTC without an offset
        return utc_stamp(value.replace(tzinfo=UTC))
    return str(value)


class Profiles:
    def __init__(self, store: Store, connect: Any, registry: Any,
                 rating: Callable[[str], dict[str, Any] | None], cases: RiskCases,
                 keys: KeyEnterprises,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.store = store
        self.connect = connect
        self.registry = registry  # RegistryRepository: get(credit_code) → record or None
        self.rating = rating  # the newest credit rating's level, score and year, or None
        self.cases = cases
        self.keys = keys
        self.now = now

    def _record(self, principal: Principal, credit_code: str) -> Any:
        """The registry's record of ``credit_code`` if ``principal`` may see it: an officer of
        its office or an administrator; otherwise, or unregistered, NotFound."""
        if not uscc.is_valid(credit_code):
            raise Invalid("a unified social credit code (18 characters, its check character "
                          "right)", field="credit_code")
        record = self.registry.get(credit_code)
        visible = record is not None and (
            principal.role == "admin"
            or (principal.role == "officer" and principal.tax_office == record.tax_office_code))
        if not visible:
            raise NotFound(f"no enterprise {credit_code} of your office")
        return record

    def today(self) -> date:
        return self.now().astimezone(CHINA).date()

    def view(self, principal: Principal, credit_code: str) -> EnterpriseProfile:
        record = self._record(principal, credit_code)
        today = self.today()
        this_month = f"{today:%Y-%m}"
        months = [*months_before(this_month, MONTHS - 1), this_month]
        first = date.fromisoformat(f"{months[0]}-01")
        since, _ = day_bounds(first, today)
        connection = self.connect()
        try:
            files = load_views(connection, self.store, first.isoformat(),
                               (today + timedelta(days=3)).isoformat(),
                               (INVOICES, RETURNS, PAYMENTS, REFUNDS))
            end = today + timedelta(days=1)
            issued = connection.execute(queries.invoicing_by_month("seller"),
                                        [credit_code, first, end]).fetchall()
            received = connection.execute(queries.invoicing_by_month("buyer"),
                                          [credit_code, first, end]).fetchall()
            start = utc_naive(since)
            returns = connection.execute(queries.enterprise_returns(),
                                         [credit_code, start]).fetchall()
            payments = connection.execute(queries.enterprise_payments(),
                                          [credit_code, start]).fetchall()
            refunds = connection.execute(queries.enterprise_refunds(),
                                         [credit_code, start]).fetchall()
        finally:
            connection.close()
        out = {str(m): (int(n or 0), int(fen or 0)) for m, n, fen in issued}
        into = {str(m): (int(n or 0), int(fen or 0)) for m, n, fen in received}
        office = record.tax_office_code
        mark = self.keys.get(office, credit_code)
        cases = self.cases.of_taxpayer(months, office, credit_code)
        return EnterpriseProfile(
            credit_code=credit_code, months=[months[0], months[-1]],
            registration=record.owner_view(), key_enterprise=mark,
            rating=self.rating(credit_code),
            invoicing=[MonthInvoicing(m, *out.get(m, (0, 0)), *into.get(m, (0, 0)))
                       for m in months],
            returns=[{"obligation_id": o, "tax_type": t, "period": p, "return_kind": k,
                      "sales_fen": None if s is None else int(s), "tax_due_fen": int(d or 0),
                      "filed_at": _iso(at)} for o, t, p, k, s, d, at in returns],
            payments=[{"payment_id": i, "tax_type": t, "period": p, "amount_fen": int(a or 0),
                       "method": m, "confirmed_at": _iso(at)}
                      for i, t, p, a, m, at in payments],
            refunds=[{"case_id": c, "refund_kind": k, "amount_fen": int(a or 0),
                      "paid_at": _iso(at)} for c, k, a, at in refunds],
            risk_cases=[{"id": c["id"], "month": c["month"], "indicator": c["indicator"],
                         "verdict": c.get("verdict"), "warning_id": c.get("warning_id")}
                        for c in cases],
            files_read=sum(files.values()))

    # -- the office's key enterprises -----------------------------------------------------

    def mark(self, principal: Principal, credit_code: str,
             request: KeyEnterpriseRequest) -> KeyEnterprise:
        record = self._record(principal, credit_code)
        values = {"marked_by": principal.subject, "marked_at": utc_stamp(self.now())}
        if request.note is not None:
            values["note"] = request.note
        kept = self.keys.mark(record.tax_office_code, credit_code, values)
        return KeyEnterprise(credit_code, record.name, record.tax_office_code,
                             kept["marked_by"], kept["marked_at"], kept.get("note"))

    def unmark(self, principal: Principal, credit_code: str) -> None:
        """No longer a key enterprise (done, whether it was one or not)."""
        record = self._record(principal, credit_code)
        self.keys.unmark(record.tax_office_code, credit_code)

    def listed(self, principal: Principal, office: str | None) -> KeyEnterpriseList:
        """An officer's own office's key enterprises; an administrator names the office."""
        own = office_of(principal)  # an officer's (its token's); None for an administrator
        if own is None:
            chosen = checked_office(office)
        elif office is not None and office != own:
            raise Invalid("an officer reads its own office's list only", field="office")
        else:
            chosen = own
        marks = self.keys.of(chosen)
        names = {m["credit_code"]: self.registry.get(m["credit_code"]) for m in marks}
        return KeyEnterpriseList(chosen, [
            KeyEnterprise(m["credit_code"], getattr(names[m["credit_code"]], "name", None),
                          chosen, m["marked_by"], m["marked_at"], m.get("note"))
            for m in marks])
