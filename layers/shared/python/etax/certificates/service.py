"""Issuing certificates, downloading them, and the public verification.

Issuing builds the document (:mod:`.documents`), signs it with the platform's KMS key (the
same signer as invoices, :class:`etax.documents.signing.KmsDocumentSigner`) and stores it
once. Only the holder, an officer of the holder's tax office or an admin downloads it;
anyone verifies it by number (and, with ``digest``, whether a copy is the one issued).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from etax.acceptance.registration.records import RegistrationRecord
from etax.acceptance.registration.registry import Registry, active_record
from etax.certificates import rules
from etax.certificates.documents import SPEC, digest, verify_path
from etax.certificates.payments import PaymentRecords
from etax.certificates.repository import CertificateRepository, StoredCertificate
from etax.certificates.requests import CertificateRequest
from etax.certificates.results import Issued, Verdict
from etax.documents.signing import Signature, check_issued
from etax.errors import Invalid, NotFound, Refused
from etax.platform.auth import Principal, ensure_can_reach_taxpayer
from etax.rules import money, resident_id, uscc
from etax.rules.dates import business_date
from etax.rules.tax_offices import prefecture_office

PERSON_OFFICE_NAME = "主管税务机关"


class Signer(Protocol):
    def sign(self, document: dict[str, Any]) -> Signature: ...

    def public_key(self) -> dict[str, Any]: ...


def _refused(error: rules.CertificateRefused) -> Invalid:
    return Invalid(str(error), field=error.field)


def _masked_holder(holder: dict[str, Any]) -> dict[str, Any]:
    if holder["kind"] == "enterprise":
        return holder
    name = holder["name"]
    return {"kind": "person", "name": name[0] + "*" * (len(name) - 1),
            "id_number": holder["id_number"][:6] + "*" * 8 + holder["id_number"][14:]}


@dataclass
class CertificateService:
    repository: CertificateRepository
    registry: Registry
    signer: Signer
    payments: PaymentRecords
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def _holder(self, principal: Principal, request: CertificateRequest
                ) -> tuple[dict[str, Any], dict[str, str], RegistrationRecord | None]:
        if principal.role != "taxpayer":
            raise Refused("a certificate is applied for by the taxpayer itself")
        if uscc.is_valid(principal.subject):
            record = active_record(self.registry, principal.subject)
            return ({"kind": "enterprise", "name": record.name,
                     "credit_code": record.credit_code},
                    {"code": record.tax_office_code, "name": record.tax_office_name}, record)
        try:
            person = resident_id.parse(principal.subject, business_date(self.now()))
        except resident_id.MalformedResidentId:
            raise Refused("sign in with a credit code or a resident ID number") from None
        if not request.name:
            raise Invalid("name: a natural person gives their name", field="name")
        return ({"kind": "person", "name": request.name, "id_number": person.number},
                {"code": prefecture_office(person.number), "name": PERSON_OFFICE_NAME},
                None)

    def _content(self, principal: Principal, request: CertificateRequest,
                 record: RegistrationRecord | None) -> dict[str, Any]:
        today = business_date(self.now())
        if request.kind == rules.RESIDENCY:
            if request.year is None:
                raise Invalid("year: the calendar year to certify", field="year")
            if request.country is None:
                raise Invalid("country: the other jurisdiction (ISO 3166-1 alpha-2)",
                              field="country")
            rules.check_residency_year(request.year, today,
                                       record.registration_date if record else None)
            return {"year": request.year, "country": rules.check_country(request.country),
                    "purpose": request.purpose}
        if request.period_from is None:
            raise Invalid("from: the first day of the period", field="from")
        if request.period_to is None:
            raise Invalid("to: the last day of the period", field="to")
        rules.check_period(request.period_from, request.period_to, today)
        records = self.payments.paid(principal.subject, request.period_from, request.period_to)
        lines = rules.payment_lines(records, request.period_from, request.period_to)
        return {"period": f"{request.period_from.isoformat()}/{request.period_to.isoformat()}",
                "payments": [line.as_document() for line in lines],
                "total_fen": sum(line.amount_fen for line in lines)}

    def issue(self, principal: Principal, request: CertificateRequest) -> Issued:
        holder, office, record = self._holder(principal, request)
        try:
            content = self._content(principal, request, record)
        except rules.CertificateRefused as error:
            raise _refused(error) from None
        now = self.now()
        day = business_date(now)
        number = (f"{rules.NUMBER_PREFIX[request.kind]}{day:%Y%m%d}"
                  f"{secrets.randbelow(10**10):010d}")
        document = {
            "spec": SPEC, "number": number, "type": request.kind,
            "type_name": rules.KIND_NAMES[request.kind], "issue_date": day.isoformat(),
            "issued_at": now.astimezone(UTC).isoformat(timespec="seconds")
                            .replace("+00:00", "Z"),
            "holder": holder, "tax_office": office, "content": content,
            "verify": verify_path(number), "qr": verify_path(number),
        }
        signature = self.signer.sign(document)
        self.repository.put_new(owner=principal.subject, tax_office=office["code"],
                                document=document, signature=signature.as_dict())
        return self.summary(document, signature.as_dict())

    @staticmethod
    def summary(document: dict[str, Any], signature: dict[str, str]) -> Issued:
        content = document["content"]
        total = money.format_yuan(content["total_fen"]) if "total_fen" in content else None
        return Issued(number=document["number"], type=document["type"],
                      type_name=document["type_name"], issue_date=document["issue_date"],
                      holder=document["holder"], tax_office=document["tax_office"],
                      content=content, verify=document["verify"], digest=digest(document),
                      signature=signature, total=total)

    def certificate_for(self, principal: Principal, number: str) -> StoredCertificate:
        """The stored certificate for its holder, an officer of its office or an admin."""
        certificate = self.repository.get(number)
        if certificate is None:
            raise NotFound(f"no certificate {number}")
        ensure_can_reach_taxpayer(principal, certificate.owner, certificate.tax_office)
        return certificate

    def verify(self, number: str, presented_digest: str | None) -> Verdict:
        """Anyone: is ``number`` a certificate we issued, is its stored record intact (its
        signature verifies with the platform key), and — given the SHA-256 of a copy's
        document — is that copy the one issued? A malformed ``digest`` is a 422 naming it."""
        try:
            wanted = None if presented_digest is None else rules.check_digest(presented_digest)
        except rules.CertificateRefused as error:
            raise _refused(error) from None
        certificate = self.repository.get(number)
        if certificate is None:
            raise NotFound(f"no certificate {number}: it was not issued by this platform")
        checked = check_issued(certificate.envelope, self.signer.public_key()["public_key_pem"],
                               wanted)
        document = certificate.document
        verdict = "authentic" if checked.authentic else "altered"
        return Verdict(number=number, verdict=verdict, authentic=checked.authentic,
                       status=certificate.status, type=document["type"],
                       type_name=document["type_name"], issue_date=document["issue_date"],
                       holder=_masked_holder(document["holder"]),
                       tax_office=document["tax_office"], digest=checked.digest,
                       matches=checked.matches, signature=certificate.signature)
