"""Invoice supply (B7): apply, the checks and the decision (验旧), the officer's review,
delivery by the carrier or the raised quota; the application as its owner sees it.

The API calls :meth:`SupplyService.apply`, :meth:`view`, :meth:`decide`; the worker
(queue of ``InvoiceSupplyApplied`` / ``…Approved`` events and its own tracking messages)
calls :meth:`verify`, :meth:`fulfil` and :meth:`track`. Every move is a conditional
transition on the application's state, so a repeated or late message moves nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from etax.acceptance.registration.records import RegistrationRecord
from etax.acceptance.registration.registry import Registry, signed_in_enterprise
from etax.errors import Invalid, Malformed, NotFound, Refused, StateChanged
from etax.platform.auth import Principal, ensure_can_reach_taxpayer
from etax.rules import money
from etax.rules.dates import business_date, utc_stamp
from etax.rules.invoice_types import type_name
from etax.supply import rules as supply
from etax.supply.logistics import Carrier, Parcel
from etax.supply.repository import Application, IssuedInvoices, SupplyRepository
from etax.supply.requests import DecisionRequest, SupplyRequest
from etax.supply.results import Applications, DigitalApplication, PaperApplication, ReviewQueue

SYSTEM = "system"
QUEUE_PAGE = 50  # the oldest applications of an office's review queue listed at once
ISSUING_BLOCK_SIZE = 1000  # etax.invoices.repository.BLOCK_SIZE: the issuer's number blocks


def _field_error(field: str, reason: str) -> Invalid:
    return Invalid(f"{field}: {reason}", field=field)


class CreditLevel(Protocol):
    def level_of(self, credit_code: str) -> str | None: ...


@dataclass
class SupplyService:
    repository: SupplyRepository
    registry: Registry
    invoices: IssuedInvoices
    carrier: Carrier
    now: Callable[[], datetime] = lambda: datetime.now(UTC)
    credit: CreditLevel | None = None
    """the applicant's credit level (a D is never approved automatically); None: not read"""

    # -- the taxpayer ---------------------------------------------------------------------

    def _applicant(self, principal: Principal) -> RegistrationRecord:
        return signed_in_enterprise(self.registry, principal,
                                    "invoices are supplied to a registered enterprise taxpayer "
                                    "signed in with its credit code")

    def _asked(self, request: SupplyRequest, policy: supply.SupplyPolicy) -> dict[str, Any]:
        if request.kind == "paper":
            if request.invoice_type is None:
                raise _field_error("invoice_type", "a paper supply names the invoice type "
                                   f"({', '.join(supply.PAPER_TYPES)})")
            if request.quantity is None:
                raise _field_error("quantity", "a paper supply says how many copies")
            limit = policy.paper_max[request.invoice_type]
            if request.quantity > limit:
                raise _field_error("quantity", f"at most {limit} of type "
                                               f"{request.invoice_type} per application")
            if request.delivery is None:
                raise _field_error("delivery", "paper invoices are posted: give the recipient, "
                                               "phone and address")
            if request.monthly_quota is not None:
                raise _field_error("monthly_quota", "only a digital supply asks for a quota")
            return {"invoice_type": request.invoice_type, "quantity": request.quantity,
                    "delivery": request.delivery.model_dump(),
                    "returned_numbers": sorted(set(request.returned_numbers)),
                    "reason": request.reason}
        if request.monthly_quota is None:
            raise _field_error("monthly_quota", "a digital supply asks for a monthly issuing "
                                                "quota (yuan)")
        for name in ("invoice_type", "quantity", "delivery"):
            if getattr(request, name) is not None:
                raise _field_error(name, "a digital supply has no stock to post: ask for a "
                                         "monthly_quota")
        if request.returned_numbers:
            raise _field_error("returned_numbers", "only paper numbers are handed back")
        try:
            quota = money.parse_yuan(request.monthly_quota, allow_zero=False)
        except money.MoneyError as error:
            raise _field_error("monthly_quota", error.reason) from None
        if quota > policy.digital_max_fen:
            raise _field_error("monthly_quota", "at most "
                               f"{money.format_yuan(policy.digital_max_fen)} yuan a month")
        return {"monthly_quota_fen": quota, "reason": request.reason}

    def apply(self, principal: Principal,
              request: SupplyRequest) -> PaperApplication | DigitalApplication:
        applicant = self._applicant(principal)
        now = self.now()
        policy = supply.policy_for(business_date(now))
        asked = self._asked(request, policy)
        if request.kind == "digital":
            quota, _ = self.invoices.quota(applicant.credit_code, f"{business_date(now):%Y%m}")
            if quota is not None and asked["monthly_quota_fen"] <= quota:
                raise _field_error("monthly_quota", "the quota in force is already "
                                   f"{money.format_yuan(quota)} yuan a month: ask for more")
            asked["quota_before_fen"] = quota
        at = utc_stamp(now, "milliseconds")
        application = Application(
            id=f"S{business_date(now):%Y%m%d}{uuid.uuid4().hex[:10].upper()}",
            applicant=applicant.credit_code, applicant_name=applicant.name,
            tax_office=applicant.tax_office_code,
            taxpayer_type=applicant.taxpayer_type.value, kind=request.kind,
            state=supply.SUBMITTED, applied_at=at, updated_at=at, request=asked, trail=[],
            checks=None, review_reasons=None, batch=None, shipment=None)
        self.repository.create(application, principal.subject)
        stored = self.repository.get(application.id, consistent=True)
        assert stored is not None
        return self._view(stored, tracking=False)

    def _reachable(self, principal: Principal, application_id: str) -> Application:
        application = self.repository.get(application_id, consistent=True)
        if application is None:
            raise NotFound(f"no invoice supply application {application_id}")
        ensure_can_reach_taxpayer(principal, application.applicant, application.tax_office)
        return application

    def view(self, principal: Principal,
             application_id: str) -> PaperApplication | DigitalApplication:
        return self._view(self._reachable(principal, application_id), tracking=True)

    def list_own(self, principal: Principal) -> Applications:
        if principal.role != "taxpayer":
            raise Refused("the list is a taxpayer's own; officers list their review queue")
        return Applications([self._view(a, tracking=False)
                             for a in self.repository.of_applicant(principal.subject)])

    def list_applications(self, principal: Principal, *, state: str | None,
             office: str | None) -> Applications | ReviewQueue:
        """A taxpayer: its own applications, newest first. An officer: the applications of
        its tax office waiting for review (``state=review``, the default), oldest first; an
        admin names the office."""
        if principal.role == "taxpayer":
            if state is not None or office is not None:
                raise Malformed("a taxpayer lists all its own applications: no filters",
                                field="state" if state is not None else "tax_office")
            return self.list_own(principal)
        if principal.role == "officer":
            if office not in (None, principal.tax_office):
                raise Refused("officers list the queue of their own tax office")
            office = principal.tax_office
        elif principal.role != "admin":
            raise Refused("invoice supplies are listed for taxpayers, officers and admins")
        if state not in (None, supply.REVIEW):
            raise Invalid("officers list the review queue: state=review", field="state")
        if not office:
            raise Malformed("name the tax office: tax_office=<code>", field="tax_office")
        return ReviewQueue(tax_office=office, applications=[
            self._view(a, tracking=False)
            for a in self.repository.review_queue(office, limit=QUEUE_PAGE)])

    def _view(self, application: Application, *,
              tracking: bool) -> PaperApplication | DigitalApplication:
        a, asked = application, application.request
        shipment = None
        if a.shipment is not None:
            shipment = dict(a.shipment)
            if tracking:
                shipment["tracking"] = [e.as_dict()
                                        for e in self.carrier.track(shipment["tracking_no"])]
        if a.kind == "paper":
            return PaperApplication(
                id=a.id, applicant=a.applicant, applicant_name=a.applicant_name,
                tax_office=a.tax_office, kind=a.kind, state=a.state, applied_at=a.applied_at,
                updated_at=a.updated_at, invoice_type=asked["invoice_type"],
                invoice_type_name=type_name(asked["invoice_type"]),
                quantity=asked["quantity"], delivery=asked["delivery"],
                returned_numbers=asked["returned_numbers"], reason=asked.get("reason", ""),
                checks=a.checks, review_reasons=a.review_reasons, batch=a.batch,
                trail=a.trail, shipment=shipment)
        before = asked.get("quota_before_fen")
        return DigitalApplication(
            id=a.id, applicant=a.applicant, applicant_name=a.applicant_name,
            tax_office=a.tax_office, kind=a.kind, state=a.state, applied_at=a.applied_at,
            updated_at=a.updated_at, monthly_quota=money.format_yuan(asked["monthly_quota_fen"]),
            quota_before=money.format_yuan(before) if before is not None else None,
            reason=asked.get("reason", ""), checks=a.checks, review_reasons=a.review_reasons,
            batch=a.batch, trail=a.trail, shipment=shipment)

    # -- the officer ----------------------------------------------------------------------

    def decide(self, principal: Principal, application_id: str,
               request: DecisionRequest) -> PaperApplication | DigitalApplication:
        if principal.role not in ("officer", "admin"):
            raise Refused("an officer of the applicant's tax office decides")
        application = self._reachable(principal, application_id)
        if application.state != supply.REVIEW:
            raise StateChanged(f"application {application_id} is {application.state}; only one "
                               "waiting for review can be decided", field="decision")
        if request.decision == "reject" and not request.reason:
            raise _field_error("reason", "a rejection gives its reason")
        target = supply.APPROVED if request.decision == "approve" else supply.REJECTED
        note = request.reason or "approved by the tax office"
        at = utc_stamp(self.now(), "milliseconds")
        if not self.repository.move(application_id, supply.REVIEW, target, at=at,
                                    by=principal.subject, note=note):
            raise StateChanged(f"application {application_id} was decided meanwhile",
                               field="decision")
        moved = self.repository.get(application_id, consistent=True)
        assert moved is not None
        return self._view(moved, tracking=False)

    # -- the worker -----------------------------------------------------------------------

    def verify(self, application_id: str) -> str:
        """验旧 and the decision for a submitted application; returns its state after."""
        application = self.repository.get(application_id, consistent=True)
        if application is None or application.state != supply.SUBMITTED:
            return application.state if application else "missing"
        now = self.now()
        policy = supply.policy_for(business_date(now))
        asked = application.request
        level = self.credit.level_of(application.applicant) if self.credit else None
        if application.kind == "paper":
            previous = self.repository.previous_batch(application.applicant,
                                                      asked["invoice_type"],
                                                      application.applied_at)
            batch = previous.batch_range() if previous else None
            issued = self.invoices.paper_batch(batch) if batch else {}
            checks = supply.paper_checks(application.applicant, batch, issued,
                                         asked["returned_numbers"])
            decision = supply.decide("paper", checks, policy=policy,
                                     taxpayer_type=application.taxpayer_type,
                                     invoice_type=asked["invoice_type"],
                                     quantity=asked["quantity"], credit_level=level)
        else:
            since = utc_stamp(now - timedelta(days=policy.window_days), "milliseconds")
            invoices = self.invoices.of_seller_since(application.applicant, since)
            quota, used = self.invoices.quota(application.applicant,
                                              f"{business_date(now):%Y%m}")
            checks = supply.digital_checks(invoices, quota_fen=quota, used_fen=used,
                                           policy=policy, block_size=ISSUING_BLOCK_SIZE)
            decision = supply.decide("digital", checks, policy=policy,
                                     taxpayer_type=application.taxpayer_type,
                                     monthly_quota_fen=asked["monthly_quota_fen"],
                                     credit_level=level)
        sets = {"checks": [c.as_dict() for c in checks], "review_reasons": decision.reasons}
        at = utc_stamp(now, "milliseconds")
        if decision.automatic:
            self.repository.move(application_id, supply.SUBMITTED, supply.APPROVED, at=at,
                                 by=SYSTEM, note="used invoices verified; approved "
                                 "automatically", sets=sets)
        else:
            self.repository.move(application_id, supply.SUBMITTED, supply.REVIEW, at=at,
                                 by=SYSTEM, note="; ".join(decision.reasons), sets=sets)
        moved = self.repository.get(application_id, consistent=True)
        return moved.state if moved else "missing"

    def fulfil(self, application_id: str) -> str:
        """An approved application: post the batch, or raise the quota; returns the state."""
        application = self.repository.get(application_id, consistent=True)
        if application is None or application.state != supply.APPROVED:
            return application.state if application else "missing"
        at = utc_stamp(self.now(), "milliseconds")
        asked = application.request
        if application.kind == "digital":
            self.invoices.set_quota(application.applicant, asked["monthly_quota_fen"],
                                    application_id)
            self.repository.move(application_id, supply.APPROVED, supply.QUOTA_RAISED, at=at,
                                 by=SYSTEM, note="monthly issuing quota now "
                                 f"{money.format_yuan(asked['monthly_quota_fen'])} yuan")
            return supply.QUOTA_RAISED
        batch = self._batch(application)
        delivery = asked["delivery"]
        shipment = self.carrier.ship(application_id, Parcel(
            recipient=delivery["recipient"], phone=delivery["phone"],
            address=delivery["address"],
            contents=f"{type_name(asked['invoice_type'])} {batch.code} "
                     f"{batch.first:08d}-{batch.last:08d}"))
        self.repository.move(application_id, supply.APPROVED, supply.SHIPPED, at=at, by=SYSTEM,
                             note=f"posted by {shipment.carrier}, waybill "
                                  f"{shipment.tracking_no}",
                             sets={"shipment": {"carrier": shipment.carrier,
                                                "tracking_no": shipment.tracking_no,
                                                "shipped_at": shipment.shipped_at}})
        return supply.SHIPPED

    def _batch(self, application: Application) -> supply.Batch:
        if application.batch is not None:
            batch = application.batch_range()
            assert batch is not None
            return batch
        asked = application.request
        region4 = application.applicant[2:6]  # the credit code's region: province and city
        code = supply.batch_code(asked["invoice_type"], region4, business_date(self.now()).year)
        allotted = self.repository.allot(code, asked["quantity"])
        held = self.repository.set_once(application.id, "batch", allotted.as_dict())
        batch = supply.Batch(held["code"], int(held["first"]), int(held["last"]))
        if batch != allotted:
            self.repository.abandon(allotted, application.id)
        return batch

    def track(self, application_id: str) -> bool:
        """Ask the carrier; True when the application needs no more tracking."""
        application = self.repository.get(application_id, consistent=True)
        if application is None or application.state != supply.SHIPPED:
            return True
        assert application.shipment is not None
        events = self.carrier.track(application.shipment["tracking_no"])
        delivered = next((e for e in events if e.status == "delivered"), None)
        if delivered is None:
            return False
        self.repository.move(application_id, supply.SHIPPED, supply.DELIVERED,
                             at=utc_stamp(self.now(), "milliseconds"), by=SYSTEM,
                             note=f"delivered at {delivered.at} ({delivered.label})")
        return True
