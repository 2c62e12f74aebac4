"""The risk indicators' watch-list (docs/risk.md#the-watch-list): a month's run opens a case
for each warning its indicators raise and announces it (``RiskCaseOpened``: the information-on-
demand board warns the taxpayer); officers read their office's cases and give each a verdict,
once; the verdicts make each indicator's precision. Who may read what is checked here; the
warnings come from the caller (:func:`etax.analytics.service.risk_warnings` over the store)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from etax.analytics import cases as rules
from etax.analytics.reports import office_of
from etax.analytics.repository import RiskCases
from etax.analytics.results import RiskCase, RiskCasePage, RiskRun
from etax.analytics.risk import INDICATORS, Warning
from etax.errors import Invalid, NotFound, Refused
from etax.platform.auth import Principal
from etax.platform.events import DomainEvent, Publisher
from etax.rules import uscc
from etax.rules.dates import utc_stamp

SOURCE = "tax.analytics"
FILTERS = (rules.OPEN, *rules.VERDICTS)


def case_view(item: dict[str, Any]) -> RiskCase:
    return RiskCase(
        id=item["id"], month=item["month"], indicator=item["indicator"],
        taxpayer=item["taxpayer"], office=item.get("office"), industry=item.get("industry"),
        figures=item.get("figures", {}), records=item.get("records", {}),
        opened_at=item["opened_at"], warning_id=item["warning_id"],
        verdict=item.get("verdict"), verdict_by=item.get("verdict_by"),
        verdict_note=item.get("verdict_note"), verdict_at=item.get("verdict_at"))


class Watchlist:
    def __init__(self, cases: RiskCases, publisher: Publisher,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.cases = cases
        self.publisher = publisher
        self.now = now

    # -- the run ------------------------------------------------------------------------------

    def run(self, month: str, warnings: Sequence[Warning]) -> RiskRun:
        """Open a case for each of ``warnings`` (``month``'s) not open yet and announce every
        case not announced yet — a run cut short between the two is finished by the next, the
        taxpayer warned once (the warning's id is the case's) — then record the run."""
        at = utc_stamp(self.now())
        opened = announced = 0
        for warning in warnings:
            case = rules.case_of(warning, at)
            if self.cases.open(case):
                opened += 1
            else:
                stored = self.cases.get(case["id"])
                if stored is None or stored.get("announced"):
                    continue
                case = stored
            if not uscc.is_valid(case["taxpayer"]):
                continue  # a person's pseudonym in the store: no one to address the warning to
            self.publisher.publish([DomainEvent(rules.EVENT,
                                                rules.announcement(case, warning))])
            self.cases.announced(case["id"])
            announced += 1
        self.cases.record_run(month, {"ran_at": at, "warnings": len(warnings),
                                      "opened": opened})
        return RiskRun(month, len(warnings), opened, announced, at)

    def due(self, today: Any) -> str | None:
        """The month a scheduled run takes ``today`` (Asia/Shanghai), None if it was run."""
        month = rules.due_month(today)
        return None if self.cases.run_of(month) else month

    # -- officers -----------------------------------------------------------------------------

    def page(self, principal: Principal, month: str, indicator: str | None,
             verdict: str | None, cursor: str | None) -> RiskCasePage:
        if indicator is not None and indicator not in INDICATORS:
            raise Invalid(f"one of {', '.join(INDICATORS)}", field="indicator")
        if verdict is not None and verdict not in FILTERS:
            raise Invalid(f"one of {', '.join(FILTERS)}", field="verdict")
        office = office_of(principal)
        items, following = self.cases.page(month, office, cursor, indicator=indicator,
                                           verdict=verdict)
        return RiskCasePage(month, office or "all", [case_view(i) for i in items], following)

    def _reachable(self, principal: Principal, identifier: str) -> dict[str, Any]:
        parsed = rules.parse_case_id(identifier)
        if parsed is None:
            raise NotFound(f"no case {identifier[:60]}")
        if principal.role != "admin" and (principal.role != "officer"
                                          or principal.tax_office != parsed[1]):
            raise Refused("an officer reads and judges its own office's cases")
        case = self.cases.get(identifier)
        if case is None:
            raise NotFound(f"no case {identifier}")
        return case

    def read(self, principal: Principal, identifier: str) -> RiskCase:
        return case_view(self._reachable(principal, identifier))

    def decide(self, principal: Principal, identifier: str, verdict: str,
               note: str) -> RiskCase:
        """The officer's verdict on a case of its office (an administrator's on any), once."""
        case = self._reachable(principal, identifier)
        rules.ensure_undecided(case)
        self.cases.decide(case, verdict, f"{principal.role}:{principal.subject}", note,
                          utc_stamp(self.now()))
        return self.read(principal, identifier)

    def precision(self) -> dict[str, dict[str, Any]]:
        """Each indicator's verdict counts and precision (every office's verdicts)."""
        counts = self.cases.verdicts()
        return {i: rules.precision_of(i, counts.get(i, {})) for i in INDICATORS}
