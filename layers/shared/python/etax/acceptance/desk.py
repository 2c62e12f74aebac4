"""The taxpayer's registration desk (B4): its own record and its changes, temporary,
withholding-agent and natural-person registration; authorization decided here with the
platform's policy (:mod:`etax.platform.auth`), once per operation."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from etax.acceptance.realname import BankVerifier, VerifierUnavailable
from etax.acceptance.registration.records import RegistrationRecord
from etax.acceptance.registration.results import OwnerRecord
from etax.acceptance.repository import AcceptanceRepository, ConditionFailed
from etax.acceptance.requests import (
    NaturalPersonRegistration,
    RegistrationUpdate,
    TemporaryRegistration,
    WithholdingAgentRegistration,
)
from etax.acceptance.results import (
    Actor,
    Change,
    Contact,
    Details,
    FieldChange,
    OwnRecord,
    Person,
    RealName,
    Temporary,
    WithholdingAgent,
)
from etax.errors import (
    AlreadyExists,
    Invalid,
    NotFound,
    RealNameMismatch,
    Refused,
    StateChanged,
    Unavailable,
)
from etax.platform.auth import Principal, ensure_can_reach_taxpayer
from etax.rules import resident_id, uscc

if TYPE_CHECKING:
    pass


from etax.acceptance.items import parts_of, plain, public_item, result_of, taxpayer_pk, utc_now

MAX_CHANGES_SHOWN = 20


class Registry(Protocol):
    def get(self, credit_code: str) -> RegistrationRecord | None: ...

def _change(item: dict[str, Any]) -> Change:
    return result_of(Change, item, by=Actor(**item["by"]),
                   fields={name: FieldChange(from_=plain(value.get("from")),
                                             to=plain(value.get("to")))
                           for name, value in item["fields"].items()})


def _temporary(item: dict[str, Any]) -> Temporary:
    return result_of(Temporary, item)


def _withholding_agent(item: dict[str, Any]) -> WithholdingAgent:
    return result_of(WithholdingAgent, item, contact=Contact(**item["contact"]))


def _person(item: dict[str, Any]) -> Person:
    return result_of(Person, item, real_name=RealName(**item["real_name"]))

def require_own(principal: Principal, subject: str) -> None:
    """Only the taxpayer itself (not its officers, not an admin) acts on its own behalf."""
    if principal.role != "taxpayer" or principal.subject != subject:
        raise Refused("only the taxpayer itself may do this")

class RegistrationDesk:
    """A taxpayer's own registration details, temporary and withholding-agent registration,
    and natural persons' registration with a real-name check."""

    def __init__(self, repository: AcceptanceRepository, registry: Registry,
                 bank: BankVerifier, now: Callable[[], str] = utc_now) -> None:
        self.repo = repository
        self.registry = registry
        self.bank = bank
        self.now = now

    def details_view(self, subject: str) -> Details:
        """What the taxpayer maintains itself, with the recent changes (caller authorized)."""
        pk = taxpayer_pk(subject)
        # sort keys: change#… < details < person < temporary#… < withholding; the history
        # grows, so only its latest entries are read
        items = self.repo.after(pk, "change$")
        details = next((i for i in items if i["sk"] == "details"), None)
        changes = self.repo.latest(pk, "change#", MAX_CHANGES_SHOWN)
        return Details(
            details=public_item(details) if details else {"version": 0},
            changes=[_change(c) for c in changes],
            temporary_registrations=[_temporary(i) for i in items
                                     if i["sk"].startswith("temporary#")],
            withholding_agent=next((_withholding_agent(i) for i in items
                                    if i["sk"] == "withholding"), None),
        )

    def record(self, owner: OwnerRecord) -> OwnRecord:
        """The registry's record of a taxpayer with the details it maintains itself (the
        caller was authorized for ``owner``)."""
        details = self.details_view(owner.credit_code)
        return OwnRecord(**parts_of(owner), **parts_of(details))

    def update(self, principal: Principal, credit_code: str,
               update: RegistrationUpdate) -> Details:
        require_own(principal, credit_code)
        if self.registry.get(credit_code) is None:
            raise NotFound(f"no taxpayer is registered under {credit_code}")
        pk = taxpayer_pk(credit_code)
        current = self.repo.get(pk, "details") or {}
        wanted = update.model_dump(mode="json", exclude_none=True)
        changed = {k: v for k, v in wanted.items() if current.get(k) != v}
        if changed:
            at = self.now()
            change = {"pk": pk, "sk": f"change#{at}#{uuid.uuid4().hex[:8]}",
                      "at": at, "by": {"role": principal.role, "subject": principal.subject},
                      "fields": {k: {"from": current.get(k), "to": v}
                                 for k, v in changed.items()}}
            version = int(current["version"]) if current else None
            try:
                self.repo.update_details(pk, version, {**changed, "updated_at": at}, change)
            except ConditionFailed:
                raise StateChanged("the registration changed meanwhile; read it and try again",
                                   field="body") from None
        return self.details_view(credit_code)

    def register_temporary(self, principal: Principal,
                           body: TemporaryRegistration) -> Temporary:
        if principal.role != "taxpayer":
            raise Refused("temporary registration is for taxpayers")
        at = self.now()
        number = f"LS{body.tax_office_code}{at[:10].replace('-', '')}{uuid.uuid4().hex[:6].upper()}"
        record = {"pk": taxpayer_pk(principal.subject), "sk": f"temporary#{number}",
                  "number": number, "holder": principal.subject, "status": "active",
                  "registered_at": at, **body.model_dump(mode="json")}
        self.repo.put_new(record)
        return _temporary(record)

    def register_withholding_agent(self, principal: Principal,
                                   body: WithholdingAgentRegistration) -> WithholdingAgent:
        if principal.role != "taxpayer":
            raise Refused("withholding-agent registration is for taxpayers")
        try:
            code = uscc.parse(principal.subject).code
        except uscc.MalformedCode:
            code = None
        if code is None or resident_id.is_valid(principal.subject):
            raise Refused("a withholding agent is an organisation with a credit code")
        record = self.registry.get(code)
        # the registry's office when it holds the code; a name only for a code it does not
        office = record.tax_office_code if record is not None else body.tax_office_code
        if office is None:
            raise Invalid("not in the registry: name the tax office in charge",
                          field="tax_office_code")
        at = self.now()
        item = {"pk": taxpayer_pk(code), "sk": "withholding", "credit_code": code,
                "registration_number": f"KJ{code}", "tax_office_code": office,
                "taxes": body.taxes, "contact": body.contact.model_dump(mode="json"),
                "status": "active", "registered_at": at}
        if not self.repo.put_new(item):
            raise AlreadyExists(f"{code} is registered as a withholding agent already")
        return _withholding_agent(item)

    def register_person(self, principal: Principal,
                        body: NaturalPersonRegistration) -> Person:
        if principal.role != "taxpayer" or principal.subject != body.resident_id:
            raise Refused("a natural person registers itself: sign in with its resident ID")
        try:
            verdict = self.bank.verify(name=body.name, resident_id=body.resident_id,
                                       bank_card=body.bank_card, phone=body.phone)
        except VerifierUnavailable as error:
            raise Unavailable(f"the real-name check is unavailable: {error}",
                              retry_after=30) from None
        if not verdict.matched:
            raise RealNameMismatch(
                f"the bank did not confirm the real name: {verdict.message}",
                field=verdict.mismatched_field, extra={"reference": verdict.reference})
        at = self.now()
        item = {"pk": taxpayer_pk(body.resident_id), "sk": "person",
                "resident_id": body.resident_id, "name": body.name,
                "bank_card_last4": body.bank_card[-4:], "phone": body.phone,
                "tax_office_code": body.tax_office_code,
                "real_name": {"verified": True, "reference": verdict.reference, "at": at},
                "registered_at": at}
        if not self.repo.put_new(item):
            raise AlreadyExists("a natural person with this resident ID is registered already",
                                field="resident_id")
        return _person(item)

    def person_view(self, principal: Principal, resident_id: str) -> Person:
        item = self.repo.get(taxpayer_pk(resident_id), "person")
        if item is None:
            ensure_can_reach_taxpayer(principal, resident_id, None)
            raise NotFound("no natural person is registered under this resident ID")
        ensure_can_reach_taxpayer(principal, resident_id, str(item["tax_office_code"]))
        return _person(item)

    def tax_office_of(self, subject: str) -> str | None:
        """The tax office in charge of a taxpayer: the registry's, or a natural person's."""
        try:
            record = self.registry.get(uscc.parse(subject).code)
        except uscc.MalformedCode:
            record = None
        if record is not None:
            return record.tax_office_code
        person = self.repo.get(taxpayer_pk(subject), "person")
        return str(person["tax_office_code"]) if person else None
