"""The mobile office's services: field documents drafted, countersigned, issued, withdrawn and
verified (:class:`FieldDocuments`), and the on-duty roster with the alerts it receives
(:class:`Operations`); internal approvals are :mod:`etax.office.approval_service`'s. Who may do
what:

- a field document is drafted by an officer for an active enterprise of its own office, and
  issued when another officer of that office countersigns it; it is read by the officers of
  that office and the administrators, and by its taxpayer once issued (a draft is none of
  the taxpayer's business: 404); withdrawn by one of its inspectors or an administrator;
  anyone verifies it by number;
- the roster is kept by the administrators and read by them and the officers; an alert is
  read and acknowledged by the officers it was sent to and by the administrators.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from etax.acceptance.registration.records import Status
from etax.acceptance.registration.registry import Registry
from etax.documents.signing import check_issued
from etax.errors import AlreadyExists, Invalid, NotFound, Refused, StateChanged
from etax.office import alerts, documents
from etax.office.alerts import AlarmChange
from etax.office.repository import OfficeRepository, SequenceMoved
from etax.office.requests import (
    FieldDocumentRequest,
    ShiftRequest,
)
from etax.office.results import (
    Alert,
    AlertPage,
    FieldDocument,
    FieldDocumentVerdict,
    Roster,
    Shift,
    Step,
)
from etax.platform.auth import Principal
from etax.platform.dynamo import Contended
from etax.platform.events import DomainEvent, Publisher
from etax.rules.dates import business_date, utc_stamp

SOURCE = "tax.office"
NUMBERING_ATTEMPTS = 5  # another document of the office took the number: number it again
# the ids the platform gives; anything else names nothing (404, never a key sent as typed)
DOCUMENT_ID = re.compile(r"fd-[0-9a-f]{16}")
SHIFT_ID = re.compile(r"sh-[0-9a-f]{12}")


class Signer(Protocol):
    def sign(self, document: dict[str, Any]) -> Any: ...

    def public_key(self) -> dict[str, Any]: ...


def office_of_officer(principal: Principal,
                      refusal: str = "field documents are drafted and countersigned by "
                                     "officers") -> str:
    """The office of a signed-in officer (Refused with ``refusal`` for anyone else)."""
    if principal.role != "officer":
        raise Refused(refusal)
    if not principal.tax_office:
        raise Invalid("an officer's token names its tax office", field="authorization")
    return principal.tax_office


def _step(at: str, by: str, action: str, text: str | None = None) -> dict[str, Any]:
    return {"at": at, "by": by, "action": action, **({"text": text} if text else {})}


@dataclass
class FieldDocuments:
    repository: OfficeRepository
    registry: Registry
    signer: Signer
    publisher: Publisher
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def draft(self, principal: Principal, request: FieldDocumentRequest) -> FieldDocument:
        office = office_of_officer(principal)
        record = self.registry.get(request.taxpayer)
        if record is None or record.status is not Status.ACTIVE:
            raise Invalid("taxpayer: an active registered taxpayer", field="taxpayer")
        if record.tax_office_code != office:
            raise Refused("a field document is issued to a taxpayer of the officer's office")
        now = self.now()
        for name in documents.NOT_OF_KIND[request.kind]:
            if getattr(request, name) is not None:
                raise Invalid(f"{name}: not part of a {request.kind}", field=name)
        content: dict[str, Any] = {"matters": request.matters}
        if request.kind == documents.INSPECTION:
            if request.period is None:
                raise Invalid("period: the months to inspect", field="period")
            content["period"] = documents.check_period(request.period.first,
                                                       request.period.last, business_date(now))
            if request.place:
                content["place"] = request.place
        else:
            if request.appointment is None:
                raise Invalid("appointment: when and where to come", field="appointment")
            content["at"] = documents.check_appointment(request.appointment.at, now)
            content["place"] = request.appointment.place
        document_id = f"fd-{secrets.token_hex(8)}"
        at = utc_stamp(now)
        expires = now + timedelta(days=documents.DRAFT_DAYS)
        values = {
            "state": "drafted", "kind": request.kind, "office": office,
            "office_name": record.tax_office_name, "taxpayer": record.credit_code,
            "taxpayer_name": record.name, "drafted_by": principal.subject,
            "inspectors": [principal.subject], "content": content,
            "trail": [_step(at, principal.subject, "drafted")],
            "draft_expires": utc_stamp(expires), "expires_at": int(expires.timestamp()),
        }
        if not self.repository.put_draft(document_id, values):
            raise AlreadyExists("a document with this id exists already; send it again")
        return self._shown({**values, "id": document_id})

    def _stored(self, document_id: str) -> dict[str, Any]:
        stored = (self.repository.document(document_id)
                  if DOCUMENT_ID.fullmatch(document_id) else None)
        if stored is None or (stored["state"] == "drafted"
                              and stored["draft_expires"] <= utc_stamp(self.now())):
            raise NotFound(f"no field document {document_id}")
        return {**stored, "id": document_id}

    def _reachable(self, principal: Principal, document_id: str) -> dict[str, Any]:
        """The document for the officers of its office and the administrators; for its
        taxpayer once issued; NotFound for a taxpayer otherwise, Refused for other officers."""
        stored = self._stored(document_id)
        if principal.role == "admin":
            return stored
        if principal.role == "taxpayer":
            if principal.subject != stored["taxpayer"] or stored["state"] == "drafted":
                raise NotFound(f"no field document {document_id}")
            return stored
        if principal.role == "officer" and principal.tax_office == stored["office"]:
            return stored
        raise Refused("a field document is read by the officers of its office")

    def read(self, principal: Principal, document_id: str) -> FieldDocument:
        return self._shown(self._reachable(principal, document_id))

    def envelope(self, principal: Principal, document_id: str) -> tuple[dict[str, Any], str]:
        """The signed envelope and the state of an issued (or withdrawn) document."""
        stored = self._reachable(principal, document_id)
        if stored["state"] == "drafted":
            raise StateChanged("a draft is printed once countersigned", field="document_id")
        return {"document": stored["document"], "signature": stored["signature"]}, stored["state"]

    def countersign(self, principal: Principal, document_id: str) -> FieldDocument:
        """A second officer of the office countersigns: the document is numbered, signed and
        issued, and its taxpayer told in its inbox."""
        office = office_of_officer(principal)
        stored = self._stored(document_id)
        if stored["office"] != office:
            raise Refused("a field document is countersigned by an officer of its office")
        if stored["state"] != "drafted":
            raise StateChanged(f"this document is {stored['state']} already",
                               field="document_id")
        if principal.subject in stored["inspectors"]:
            raise Refused("a second officer countersigns: not the one who drafted it")
        now = self.now()
        if (stored["kind"] == documents.INQUIRY
                and stored["content"]["at"] <= documents.minute_of(now)):
            raise StateChanged("the inquiry's time has passed: draft it again",
                               field="appointment.at")
        day = business_date(now)
        at = utc_stamp(now)
        inspectors = [*stored["inspectors"], principal.subject]
        for _ in range(NUMBERING_ATTEMPTS):
            sequence = self.repository.last_number(office, stored["kind"], day.year) + 1
            number = documents.number_of(office, stored["kind"], day.year, sequence)
            document = {
                "spec": documents.SPEC, "number": number, "kind": stored["kind"],
                "kind_name": documents.KINDS[stored["kind"]].name,
                "issue_date": day.isoformat(), "issued_at": at,
                "taxpayer": {"name": stored["taxpayer_name"],
                             "credit_code": stored["taxpayer"]},
                "tax_office": {"code": office, "name": stored["office_name"]},
                "inspectors": inspectors, "content": stored["content"],
                "verify": documents.verify_path(number), "qr": documents.verify_path(number),
            }
            signature = self.signer.sign(document).as_dict()
            issued = {"state": "issued", "number": number, "document": document,
                      "signature": signature, "inspectors": inspectors, "issued_at": at}
            try:
                self.repository.issue(document_id, office=office, kind=stored["kind"],
                                      year=day.year, sequence=sequence, number=number,
                                      issued=issued,
                                      step=_step(at, principal.subject, "countersigned"))
            except SequenceMoved:
                continue
            break
        else:
            raise Contended
        self.publisher.publish([DomainEvent("FieldDocumentIssued", {
            "document_id": document_id, "number": number, "kind": stored["kind"],
            "tax_office": office,
            "notification": {
                "id": f"field-document:{number}", "recipient": stored["taxpayer"],
                "kind": "office.field_document",
                "title": f"{document['kind_name']} {number}",
                "body": (f"{stored['office_name']}向你单位出具了{document['kind_name']}"
                         f"（编号 {number}，检查人员 {'、'.join(inspectors)}）。"
                         f"可访问 {document['verify']} 查验真伪。"),
                "link": f"/v1/office/field-documents/{document_id}"}})])
        return self._shown({**stored, **issued,
                            "trail": [*stored["trail"],
                                      _step(at, principal.subject, "countersigned")]})

    def withdraw(self, principal: Principal, document_id: str, reason: str) -> FieldDocument:
        stored = self._reachable(principal, document_id)
        if principal.role != "admin" and principal.subject not in stored["inspectors"]:
            raise Refused("a field document is withdrawn by one of its inspectors")
        at = utc_stamp(self.now())
        step = _step(at, principal.subject, "withdrawn", reason)
        self.repository.withdraw(document_id, step, at)
        return self._shown({**stored, "state": "withdrawn", "withdrawn_at": at,
                            "trail": [*stored["trail"], step]})

    def verify(self, number: str, presented: str | None) -> FieldDocumentVerdict:
        """Anyone: did the platform issue ``number``, is its record intact (the signature
        verifies with the platform's public key), is it withdrawn, and — given the SHA-256 of
        a copy's document — is the copy the one issued."""
        wanted = None if presented is None else documents.check_digest(presented)
        stored = (self.repository.document_of_number(number)
                  if documents.NUMBER.fullmatch(number) else None)
        if stored is None:
            raise NotFound(f"no field document {number}: it was not issued by this platform")
        document = stored["document"]
        checked = check_issued({"document": document, "signature": stored["signature"]},
                               self.signer.public_key()["public_key_pem"], wanted)
        return FieldDocumentVerdict(
            number=number, verdict="authentic" if checked.authentic else "altered",
            authentic=checked.authentic, status=stored["state"], kind=document["kind"],
            kind_name=document["kind_name"], issue_date=document["issue_date"],
            taxpayer=document["taxpayer"], tax_office=document["tax_office"],
            inspectors=document["inspectors"], digest=checked.digest, matches=checked.matches,
            signature=stored["signature"], withdrawn_at=stored.get("withdrawn_at"))

    @staticmethod
    def _shown(stored: dict[str, Any]) -> FieldDocument:
        document = stored.get("document")
        return FieldDocument(
            id=stored["id"], state=stored["state"], kind=stored["kind"],
            kind_name=documents.KINDS[stored["kind"]].name,
            taxpayer={"name": stored["taxpayer_name"], "credit_code": stored["taxpayer"]},
            tax_office={"code": stored["office"], "name": stored["office_name"]},
            inspectors=list(stored["inspectors"]), content=stored["content"],
            trail=[Step(**s) for s in stored["trail"]], number=stored.get("number"),
            issue_date=document["issue_date"] if document else None,
            verify=document["verify"] if document else None,
            digest=documents.digest(document) if document else None,
            document=document, signature=stored.get("signature"),
            expires_at=stored.get("draft_expires") if stored["state"] == "drafted" else None)


@dataclass
class Operations:
    """The on-duty roster and the alerts of the platform's alarms."""

    repository: OfficeRepository
    publisher: Publisher
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def _shifts(self, moment: datetime) -> list[alerts.Shift]:
        return [alerts.Shift(shift_id=s["shift_id"], officer=s["officer"],
                             starts_at=datetime.fromisoformat(s["starts_at"]),
                             ends_at=datetime.fromisoformat(s["ends_at"]), set_by=s["set_by"])
                for s in self.repository.shifts_ending_after(utc_stamp(moment))]

    def add_shift(self, principal: Principal, request: ShiftRequest) -> Shift:
        _admin(principal)
        now = self.now()
        alerts.check_shift(request.starts_at, request.ends_at, now)
        starts, ends = request.starts_at.astimezone(UTC), request.ends_at.astimezone(UTC)
        shift_id = f"sh-{secrets.token_hex(6)}"
        self.repository.put_shift(utc_stamp(ends), shift_id, {
            "shift_id": shift_id, "officer": request.officer, "starts_at": utc_stamp(starts),
            "ends_at": utc_stamp(ends), "set_by": principal.subject,
            "expires_at": int((ends + timedelta(days=alerts.KEPT_DAYS)).timestamp())})
        shift = alerts.Shift(shift_id, request.officer, starts, ends, principal.subject)
        return _shown_shift(shift, now)

    def roster(self, principal: Principal) -> Roster:
        if principal.role not in ("admin", "officer"):
            raise Refused("the on-duty roster is read by officers and administrators")
        now = self.now()
        shifts = sorted(self._shifts(now), key=lambda s: (s.starts_at, s.officer))
        return Roster(at=utc_stamp(now), on_duty=alerts.on_duty(shifts, now),
                      shifts=[_shown_shift(s, now) for s in shifts])

    def remove_shift(self, principal: Principal, shift_id: str) -> None:
        _admin(principal)
        for shift in self._shifts(self.now()) if SHIFT_ID.fullmatch(shift_id) else []:
            if shift.shift_id == shift_id:
                self.repository.delete_shift(f"{utc_stamp(shift.ends_at)}#{shift_id}")
                return
        raise NotFound(f"no shift {shift_id} still to come or under way")

    def received(self, change: AlarmChange) -> str:
        """An alarm's change of state: an ALARM opens an alert to the officers on duty (none
        on duty: kept for the administrators, ``unrouted``); an OK after an ALARM resolves the
        alarm's open alert and tells them (an OK after no data, a new alarm's first
        evaluation, is nothing to resolve). Once each: a redelivered change sends the same
        notifications again at most, which the inboxes keep once."""
        if change.state == alerts.ALARM:
            alert_id = change.alert_id
            recipients = alerts.on_duty(self._shifts(change.changed_at), change.changed_at)
            values = {**alerts.as_detail(change), "recipients": recipients,
                      "expires_at": int((change.changed_at
                                         + timedelta(days=alerts.KEPT_DAYS)).timestamp())}
            if not self.repository.raise_alert(change.name, alert_id, values):
                recipients = list((self.repository.alert(alert_id) or values)["recipients"])
            self._tell(alert_id, change, recipients, "raised")
            return "raised" if recipients else "unrouted"
        if change.state == alerts.OK and change.old_state == alerts.ALARM:
            open_id = self.repository.open_alert_of(change.name)
            if open_id is None:
                return "nothing open"
            alert = self.repository.alert(open_id)
            self.repository.resolve(change.name, open_id, utc_stamp(change.changed_at))
            self._tell(open_id, change, list(alert["recipients"]) if alert else [], "resolved")
            return "resolved"
        return "ignored"

    def _tell(self, alert_id: str, change: AlarmChange, recipients: list[str],
              what: str) -> None:
        title, body = alerts.words(change, alert_id)
        self.publisher.publish([DomainEvent(
            "OpsAlertRaised" if what == "raised" else "OpsAlertResolved",
            {"alert_id": alert_id, "alarm": change.name,
             "notification": {"id": f"ops-alert:{alert_id}:{what}", "recipient": officer,
                              "kind": f"ops.alert_{what}", "title": title, "body": body,
                              "link": f"/v1/office/alerts/{alert_id}"}})
            for officer in recipients])

    def _visible(self, principal: Principal, alert_id: str) -> dict[str, Any]:
        alert = self.repository.alert(alert_id) if alerts.ALERT_ID.fullmatch(alert_id) else None
        if alert is None:
            raise NotFound(f"no alert {alert_id}")
        if principal.role == "admin":
            return {**alert, "alert_id": alert_id}
        if principal.role == "officer" and principal.subject in alert["recipients"]:
            return {**alert, "alert_id": alert_id}
        raise Refused("an alert is read by the officers it was sent to")

    def alert(self, principal: Principal, alert_id: str) -> Alert:
        return _shown_alert(self._visible(principal, alert_id))

    def alerts(self, principal: Principal, cursor: str | None) -> AlertPage:
        if principal.role not in ("admin", "officer"):
            raise Refused("alerts are read by officers and administrators")
        found, following = self.repository.alerts(
            None if principal.role == "admin" else principal.subject, cursor)
        return AlertPage([_shown_alert(a) for a in found], following)

    def acknowledge(self, principal: Principal, alert_id: str) -> Alert:
        alert = self._visible(principal, alert_id)
        at = utc_stamp(self.now())
        if not self.repository.acknowledge(alert_id, principal.subject, at):
            raise StateChanged(f"acknowledged already by {alert.get('acknowledged_by')}",
                               field="alert_id")
        return _shown_alert({**alert, "acknowledged_by": principal.subject,
                             "acknowledged_at": at})


def _admin(principal: Principal) -> None:
    if principal.role != "admin":
        raise Refused("the on-duty roster is kept by the administrators")


def _shown_shift(shift: alerts.Shift, now: datetime) -> Shift:
    return Shift(shift_id=shift.shift_id, officer=shift.officer,
                 starts_at=utc_stamp(shift.starts_at), ends_at=utc_stamp(shift.ends_at),
                 set_by=shift.set_by, on_duty=shift.covers(now))


def _shown_alert(alert: dict[str, Any]) -> Alert:
    state = ("resolved" if alert.get("resolved_at")
             else "acknowledged" if alert.get("acknowledged_by") else "open")
    return Alert(alert_id=alert["alert_id"], alarm=alert["alarm"], state=state,
                 description=alert["description"], reason=alert["reason"],
                 raised_at=alert["changed_at"], recipients=list(alert["recipients"]),
                 acknowledged_by=alert.get("acknowledged_by"),
                 acknowledged_at=alert.get("acknowledged_at"),
                 resolved_at=alert.get("resolved_at"))
