"""The refund routes' logic: apply, read a case, an office's review queue, officer decisions.

Which tax office a case belongs to (docs/decisions/0009-refund-pipeline.md):

* an **enterprise** (its credit code is in the registry): the office the registry names;
* a **natural person**: for an IIT annual refund that names its employer (the withholding
  agent, a registered credit code), the employer's office — the reconciliation is filed with
  the office of the place of employment; otherwise the office of the prefecture of the
  person's resident-ID address code: ``1`` + the first four digits + ``000000``, the form of
  the office codes in the registry (``13501000000`` is Fuzhou, region ``3501``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from etax.platform.api import validation_problem
from etax.platform.auth import Principal, ensure_can_reach_taxpayer
from etax.platform.errors import BadRequest, Conflict, Forbidden, NotFound, Unprocessable
from etax.refunds.cases import SUBMITTED, Case, Stage
from etax.refunds.pipeline import decide
from etax.refunds.repository import CaseExists, RefundRepository, decode_cursor
from etax.refunds.requests import (
    MODELS,
    ExportRefundIn,
    GeneralRefundIn,
    IitAnnualRefundIn,
    RefundIn,
)
from etax.registration.records import RegistrationRecord, Status, TaxpayerType
from etax.rules import resident_id
from etax.rules.money import format_yuan
from etax.rules.refunds import (
    KINDS,
    PurchaseLine,
    RateTable,
    RefundRuleError,
    export_refund,
    general_refund_fen,
    iit_annual_refund_fen,
)
from etax.rules.tax_offices import prefecture_office
from etax.rules.verification import business_date

CASE_ID = re.compile(r"^RF[0-9]{8}[0-9A-F]{10}$")
MAX_PAGE = 100


class Registry(Protocol):
    def get(self, credit_code: str) -> RegistrationRecord | None: ...


@dataclass(frozen=True, slots=True)
class Applicant:
    subject: str
    kind: str  # enterprise | person
    tax_office: str
    record: RegistrationRecord | None


def parse_request(body: dict[str, Any]) -> RefundIn:
    """The body as its kind's model; 422 naming the field."""
    kind = body.get("kind")
    if kind not in KINDS:
        raise Unprocessable(f"kind must be one of {', '.join(KINDS)}", field="kind")
    model: type[BaseModel] = MODELS[str(kind)]
    try:
        parsed = model.model_validate(body)
    except ValidationError as error:
        raise validation_problem(list(error.errors()), prefix=("body",)) from None
    assert isinstance(parsed, GeneralRefundIn | IitAnnualRefundIn | ExportRefundIn)
    return parsed


def _claim(request: RefundIn) -> dict[str, Any]:
    """The request as shown back: amounts in yuan, without the account."""
    claim = request.model_dump(mode="json", exclude={"account"}, exclude_none=True)
    for name in ("paid", "due", "withheld", "tax"):
        if name in claim:
            claim[name] = format_yuan(claim[name])
    for line in claim.get("lines", []):
        for name in ("purchase_amount", "input_vat"):
            line[name] = format_yuan(line[name])
    return claim


class RefundService:
    def __init__(self, repository: RefundRepository, registry: Registry,
                 rates: RateTable | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.repository = repository
        self.registry = registry
        self.rates = rates or RateTable.shipped()
        self.now = now

    # -- applying ----------------------------------------------------------------------------

    def applicant(self, principal: Principal, request: RefundIn) -> Applicant:
        record = self.registry.get(principal.subject)
        if record is not None:
            return Applicant(principal.subject, "enterprise", record.tax_office_code, record)
        if not resident_id.is_valid(principal.subject):
            raise Unprocessable("the applicant is neither a registered taxpayer nor a "
                                "resident: register first", field="applicant")
        if isinstance(request, IitAnnualRefundIn) and request.employer is not None:
            employer = self.registry.get(request.employer)
            if employer is None:
                raise Unprocessable(f"employer {request.employer} is not a registered "
                                    "taxpayer", field="employer")
            return Applicant(principal.subject, "person", employer.tax_office_code, None)
        return Applicant(principal.subject, "person", prefecture_office(principal.subject),
                         None)

    def submit(self, principal: Principal, body: dict[str, Any]) -> dict[str, Any]:
        request = parse_request(body)
        applicant = self.applicant(principal, request)
        record = applicant.record
        if isinstance(request, IitAnnualRefundIn) and applicant.kind != "person":
            raise Unprocessable("the individual income tax annual refund is for natural "
                                "persons", field="kind")
        if isinstance(request, ExportRefundIn):
            if record is None:
                raise Unprocessable("export refunds are for registered exporters",
                                    field="kind")
            if record.taxpayer_type is TaxpayerType.SMALL_SCALE:
                raise Unprocessable("small-scale exporters are exempt from VAT on exports, "
                                    "not refunded", field="kind")
        now = self.now().astimezone(UTC)
        today = business_date(now)
        if isinstance(request, IitAnnualRefundIn) and request.year >= today.year:
            raise Unprocessable(f"the annual reconciliation of {request.year} opens after "
                                "that year has ended", field="year")
        if isinstance(request, ExportRefundIn) and request.export_date > today:
            raise Unprocessable("the export date is in the future", field="export_date")
        conditions: list[str] = []
        if record is not None and record.status is not Status.ACTIVE:
            conditions.append("registration_not_active")
        try:
            amount, computation = self._compute(request)
        except RefundRuleError as error:
            raise Unprocessable(error.reason, field=error.field) from None
        if computation.get("capped"):
            conditions.append("input_vat_cap_applied")
        at = now.isoformat()
        case = Case(
            case_id=f"RF{today:%Y%m%d}{uuid.uuid4().hex[:10].upper()}",
            kind=request.kind, applicant=applicant.subject, applicant_kind=applicant.kind,
            tax_office=applicant.tax_office, state=SUBMITTED, amount_fen=amount,
            claim=_claim(request), computation=computation,
            account_bank=request.account.bank, account_number=request.account.number,
            submitted_at=at, updated_at=at,
            trail=(Stage(SUBMITTED, at, applicant.subject),), conditions=tuple(conditions))
        try:
            self.repository.create(case)
        except CaseExists:  # pragma: no cover - 40 random bits per day and prefix
            raise Conflict("a case with this id exists; apply again") from None
        return case.view()

    def _compute(self, request: RefundIn) -> tuple[int, dict[str, Any]]:
        if isinstance(request, GeneralRefundIn):
            refund = general_refund_fen(request.paid, request.due)
            return refund, {"rule": "paid - due", "refund": format_yuan(refund)}
        if isinstance(request, IitAnnualRefundIn):
            refund = iit_annual_refund_fen(request.withheld, request.tax)
            return refund, {"rule": "withheld - tax", "refund": format_yuan(refund)}
        result = export_refund(
            [PurchaseLine(line.product_code, line.purchase_amount, line.input_vat)
             for line in request.lines],
            self.rates, request.export_date)
        return result.total_fen, {
            "rule": "min(purchase_amount x rate, input_vat) per line",
            "table_version": result.table_version,
            "lines": [{"product_code": line.product_code, "rate": f"{line.rate:f}",
                       "computed": format_yuan(line.computed_fen),
                       "refund": format_yuan(line.refund_fen), "capped": line.capped}
                      for line in result.lines],
            "capped": any(line.capped for line in result.lines),
            "refund": format_yuan(result.total_fen),
        }

    # -- reading -----------------------------------------------------------------------------

    def _reachable(self, principal: Principal, case_id: str) -> Case:
        case = self.repository.get(case_id) if CASE_ID.fullmatch(case_id) else None
        if case is None:
            raise NotFound(f"no refund case {case_id}", field="case_id")
        ensure_can_reach_taxpayer(principal, case.applicant, case.tax_office)
        return case

    def view(self, principal: Principal, case_id: str) -> dict[str, Any]:
        return self._reachable(principal, case_id).view()

    def list_cases(self, principal: Principal, *, state: str | None, office: str | None,
                   limit: str | None, cursor: str | None) -> dict[str, Any]:
        """A taxpayer: its own cases, newest first. An officer: the cases of its tax office
        waiting for review (``state=review``, the default), oldest first; an admin names
        the office."""
        size = 20
        if limit is not None:
            if not limit.isdigit() or not 1 <= int(limit) <= MAX_PAGE:
                raise BadRequest(f"limit is 1-{MAX_PAGE}", field="limit")
            size = int(limit)
        if principal.role == "taxpayer":
            if state is not None or office is not None:
                raise BadRequest("a taxpayer lists all its own cases: no filters",
                                 field="state" if state is not None else "tax_office")
            own, next_cursor = self.repository.of_applicant(
                principal.subject, limit=size,
                cursor=self._cursor(cursor, "applicant", principal.subject))
            return {"applicant": principal.subject, "cursor": next_cursor,
                    "items": [{"id": c.case_id, "kind": c.kind, "state": c.state,
                               "amount": format_yuan(c.amount_fen), "tax_office": c.tax_office,
                               "submitted_at": c.submitted_at, "updated_at": c.updated_at}
                              for c in own]}
        if state not in (None, "review"):
            raise Unprocessable("officers list the review queue: state=review", field="state")
        if principal.role == "officer":
            if office not in (None, principal.tax_office):
                raise Forbidden("officers list the queue of their own tax office")
            office = principal.tax_office
        elif principal.role != "admin":
            raise Forbidden("refund cases are listed for taxpayers, officers and admins")
        if not office:
            raise BadRequest("name the tax office: tax_office=<code>", field="tax_office")
        cases, next_cursor = self.repository.review_queue(
            office, limit=size, cursor=self._cursor(cursor, "review_office", office))
        return {"tax_office": office,
                "items": [{"id": c.case_id, "kind": c.kind, "applicant": c.applicant,
                           "amount": format_yuan(c.amount_fen), "flags": list(c.flags),
                           "submitted_at": c.submitted_at} for c in cases],
                "cursor": next_cursor}

    @staticmethod
    def _cursor(cursor: str | None, partition: str, value: str) -> dict[str, Any] | None:
        """The start key a cursor stands for; 400 unless it comes from this very list."""
        if not cursor:
            return None
        try:
            start = decode_cursor(cursor, partition)
        except ValueError:
            start = None
        if start is None or start[partition] != value:
            raise BadRequest("this cursor does not come from this list", field="cursor")
        return start

    # -- officers ----------------------------------------------------------------------------

    def decide(self, principal: Principal, case_id: str, *, approve: bool,
               note: str | None) -> dict[str, Any]:
        case = self._reachable(principal, case_id)
        if principal.role != "officer":
            raise Forbidden("decisions on refund cases are taken by officers")
        decided = decide(self.repository, case, approve=approve,
                         officer=f"officer:{principal.subject}",
                         at=self.now().astimezone(UTC).isoformat(), note=note)
        if decided is None:
            raise Conflict(f"case {case_id} is {case.state}, not waiting for review",
                           field="case_id")
        return decided.view()
