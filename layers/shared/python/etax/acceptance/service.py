"""Online acceptance services: the taxpayer's registration desk and its applications.

Services take their repositories, the registry, the document store and the bank verifier
as arguments (tests pass fakes or moto-backed ones); authorization is decided here with the
platform's policy (:mod:`etax.platform.auth`), once per operation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import fields
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from etax.acceptance import applications as machine
from etax.acceptance.applications import Action, State, TrailEntry
from etax.acceptance.catalogue import DOCUMENT_KINDS, ITEMS, UnknownItem, item
from etax.acceptance.documents import (
    DocumentStore,
    UploadProblem,
    document_key,
    incoming_key,
)
from etax.acceptance.realname import BankVerifier, VerifierUnavailable
from etax.acceptance.registration.records import RegistrationRecord
from etax.acceptance.registration.results import OwnerRecord
from etax.acceptance.repository import AcceptanceRepository, ConditionFailed
from etax.acceptance.requests import (
    ApplicationRequest,
    Decision,
    DocumentRequest,
    NaturalPersonRegistration,
    RegistrationUpdate,
    TemporaryRegistration,
    WithholdingAgentRegistration,
)
from etax.acceptance.results import (
    Actor,
    Application,
    Catalogue,
    Change,
    Contact,
    Details,
    Document,
    DocumentKind,
    Download,
    FieldChange,
    OwnRecord,
    Person,
    Queue,
    Queued,
    RealName,
    Step,
    Temporary,
    Upload,
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
    from _typeshed import DataclassInstance

MAX_CHANGES_SHOWN = 20


class Registry(Protocol):
    def get(self, credit_code: str) -> RegistrationRecord | None: ...


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def taxpayer_pk(subject: str) -> str:
    return f"taxpayer#{subject}"


def application_pk(application_id: str) -> str:
    return f"application#{application_id}"


def _public(item: dict[str, Any], *drop: str) -> dict[str, Any]:
    hidden = {"pk", "sk", *drop}
    return {k: _plain(v) for k, v in item.items() if k not in hidden}


def _plain(value: Any) -> Any:
    """DynamoDB numbers come back as Decimal: integers here are versions and sizes."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "as_integer_ratio") and not isinstance(value, bool | float):
        return int(value)
    return value


def _result[R: DataclassInstance](kind: type[R], item: dict[str, Any], **parts: Any) -> R:
    """The result ``kind`` of a stored item: its fields' values (DynamoDB numbers as plain
    integers), those of nested results given as ``parts``; a field the item lacks is None."""
    values = _plain(item)
    return kind(**{f.name: values.get(f.name) for f in fields(kind) if f.name not in parts},
                **parts)


def _parts(result: DataclassInstance) -> dict[str, Any]:
    """A result's fields by name (its nested results kept as they are)."""
    return {f.name: getattr(result, f.name) for f in fields(result)}


def _change(item: dict[str, Any]) -> Change:
    return _result(Change, item, by=Actor(**item["by"]),
                   fields={name: FieldChange(from_=_plain(value.get("from")),
                                             to=_plain(value.get("to")))
                           for name, value in item["fields"].items()})


def _temporary(item: dict[str, Any]) -> Temporary:
    return _result(Temporary, item)


def _withholding_agent(item: dict[str, Any]) -> WithholdingAgent:
    return _result(WithholdingAgent, item, contact=Contact(**item["contact"]))


def _person(item: dict[str, Any]) -> Person:
    return _result(Person, item, real_name=RealName(**item["real_name"]))


def _document(item: dict[str, Any]) -> Document:
    return _result(Document, item)


def _step(item: dict[str, Any]) -> Step:
    return _result(Step, item, by=Actor(**item["by"]))


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
            details=_public(details) if details else {"version": 0},
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
        return OwnRecord(**_parts(owner), **_parts(details))

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


class ApplicationService:
    def __init__(self, repository: AcceptanceRepository, desk: RegistrationDesk,
                 documents: DocumentStore, now: Callable[[], str] = utc_now,
                 today: Callable[[], date] = date.today) -> None:
        self.repo = repository
        self.desk = desk
        self.documents = documents
        self.now = now
        self.today = today

    @staticmethod
    def items() -> Catalogue:
        return Catalogue(
            items=[i.view() for i in ITEMS.values()],
            document_kinds=[DocumentKind(code=k.code, name=k.name,
                                         content_types=list(k.content_types),
                                         max_bytes=k.max_bytes)
                            for k in DOCUMENT_KINDS.values()])

    # reading ----------------------------------------------------------------------------
    def _load(self, application_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        items = self.repo.partition(application_pk(application_id))
        application = next((i for i in items if i["sk"] == "application"), None)
        if application is None:
            raise NotFound(f"no application {application_id}", field="application_id")
        return application, items

    def view(self, principal: Principal, application_id: str) -> Application:
        application, items = self._load(application_id)
        ensure_can_reach_taxpayer(principal, application["applicant"], application["office"])
        return self._view(application, items)

    def _view(self, application: dict[str, Any], items: list[dict[str, Any]]) -> Application:
        documents = [i for i in items if i["sk"].startswith("document#")]
        trail = sorted((i for i in items if i["sk"].startswith("trail#")),
                       key=lambda i: int(i["seq"]))
        required = tuple(application.get("required_documents") or ())
        confirmed = {d["kind"] for d in documents if d["status"] == "confirmed"}
        state = State(application["state"])
        return _result(
            Application, application,
            tax_office=application["office"],
            state_label=state.label,
            documents=[_document(d) for d in documents],
            missing_documents=([] if state.final
                               else machine.missing_documents(required, confirmed)),
            trail=[_step(t) for t in trail],
        )

    def queue(self, principal: Principal, state: str) -> Queue:
        if principal.role != "officer" or not principal.tax_office:
            raise Refused("the review queue is for officers")
        try:
            wanted = State(state)
        except ValueError:
            raise Invalid(f"no state {state!r}", field="state") from None
        found = self.repo.office_queue(principal.tax_office, wanted.value)
        return Queue(tax_office=principal.tax_office, state=wanted.value,
                     applications=[_result(Queued, i) for i in found])

    # changing ---------------------------------------------------------------------------
    def create(self, principal: Principal, request: ApplicationRequest) -> Application:
        if principal.role != "taxpayer":
            raise Refused("applications are made by taxpayers")
        try:
            chosen = item(request.item, self.today())
        except UnknownItem as error:
            raise Invalid(str(error), field="item") from None
        office = self.desk.tax_office_of(principal.subject)
        if office is None:
            raise StateChanged("register first: no registration found for you", field="item")
        action, state = machine.initial(chosen.category)
        application_id = uuid.uuid4().hex
        at = self.now()
        pk = application_pk(application_id)
        application = {
            "pk": pk, "sk": "application", "id": application_id, "item": chosen.code,
            "item_name": chosen.name, "category": chosen.category.value,
            "required_documents": list(chosen.required_documents),
            "applicant": principal.subject, "office": office, "state": state.value,
            "version": 1, "created_at": at, "updated_at": at,
            "details": request.details, "note": request.note,
            "queue": f"{state.value}#{at}#{application_id}",
        }
        entry = TrailEntry(1, state, action, principal.role, principal.subject, at)
        self.repo.create_application(application, self._trail_item(application, entry))
        return self.view(principal, application_id)

    def request_upload(self, principal: Principal, application_id: str,
                       request: DocumentRequest) -> Upload:
        application, _ = self._load(application_id)
        require_own(principal, application["applicant"])
        self._editable(application)
        kind = DOCUMENT_KINDS.get(request.kind)
        allowed = [*application.get("required_documents", []), "other"]
        if kind is None or kind.code not in allowed:
            raise Invalid(f"this application takes documents of kinds {', '.join(allowed)}",
                          field="kind")
        if request.content_type not in kind.content_types:
            raise Invalid(f"{kind.code} may be {', '.join(kind.content_types)}",
                          field="content_type")
        document_id = uuid.uuid4().hex[:16]
        source = incoming_key(application_id, document_id)
        document = {"pk": application_pk(application_id), "sk": f"document#{document_id}",
                    "id": document_id, "kind": kind.code, "filename": request.filename,
                    "content_type": request.content_type, "max_bytes": kind.max_bytes,
                    "status": "pending", "incoming_key": source, "requested_at": self.now()}
        self.repo.put(document)
        form = self.documents.upload_form(source, request.content_type, kind.max_bytes)
        return Upload(document=_document(document), upload=form)

    def confirm_upload(self, principal: Principal, application_id: str,
                       document_id: str) -> Document:
        application, items = self._load(application_id)
        require_own(principal, application["applicant"])
        document = next((i for i in items if i["sk"] == f"document#{document_id}"), None)
        if document is None:
            raise NotFound(f"no document {document_id} on this application", field="document_id")
        if document["status"] == "confirmed":
            return _document(document)
        self._editable(application)
        target = document_key(application_id, document_id)
        try:
            stored = self.documents.confirm(str(document["incoming_key"]), target,
                                            str(document["content_type"]),
                                            int(document["max_bytes"]))
        except UploadProblem as problem:
            now = self.repo.get(application_pk(application_id), f"document#{document_id}")
            if now is not None and now["status"] == "confirmed":   # a concurrent confirmation
                return _document(now)
            raise Invalid(f"upload not accepted: {problem.reason}",
                          field="document_id") from None
        values = {"status": "confirmed", "key": target, "size": stored.size,
                  "confirmed_at": self.now()}
        self.repo.confirm_document(application_pk(application_id), f"document#{document_id}",
                                   values)
        return _document({**document, **values})

    def download(self, principal: Principal, application_id: str,
                 document_id: str) -> Download:
        application, items = self._load(application_id)
        ensure_can_reach_taxpayer(principal, application["applicant"], application["office"])
        document = next((i for i in items if i["sk"] == f"document#{document_id}"), None)
        if document is None or document["status"] != "confirmed":
            raise NotFound(f"no confirmed document {document_id}", field="document_id")
        return Download(url=self.documents.download_url(str(document["key"]),
                                                        str(document["filename"])),
                        expires_in=300)

    def submit(self, principal: Principal, application_id: str) -> Application:
        application, items = self._load(application_id)
        require_own(principal, application["applicant"])
        confirmed = {i["kind"] for i in items
                     if i["sk"].startswith("document#") and i["status"] == "confirmed"}
        state = State(application["state"])
        if (state, Action.SUBMIT) in machine.TRANSITIONS:
            missing = machine.missing_documents(
                tuple(application.get("required_documents") or ()), confirmed)
            if missing:
                raise Invalid(f"documents still missing: {', '.join(missing)}",
                              field="documents", extra={"missing": missing})
        self._move(principal, application, Action.SUBMIT)
        return self.view(principal, application_id)

    def decide(self, principal: Principal, application_id: str,
               decision: Decision) -> Application:
        application, _ = self._load(application_id)
        if principal.role != "officer" or principal.tax_office != application["office"]:
            raise Refused("only an officer of the applicant's tax office reviews it")
        self._move(principal, application, Action(decision.decision), decision.reason)
        return self.view(principal, application_id)

    def _editable(self, application: dict[str, Any]) -> None:
        if State(application["state"]) not in machine.EDITABLE:
            raise StateChanged(f"documents cannot be added in state {application['state']}",
                               field="state")

    def _move(self, principal: Principal, application: dict[str, Any], action: Action,
              reason: str | None = None) -> None:
        state = State(application["state"])
        try:
            target = machine.next_state(state, action)
        except machine.InvalidTransition as error:
            raise StateChanged(str(error), field="state") from None
        version = int(application["version"])
        at = self.now()
        entry = TrailEntry(version + 1, target, action, principal.role, principal.subject,
                           at, reason)
        changes = {"state": target.value, "version": version + 1, "updated_at": at,
                   "queue": f"{target.value}#{at}#{application['id']}"}
        try:
            self.repo.transition(application["pk"], from_state=state.value,
                                 from_version=version, changes=changes,
                                 trail=self._trail_item(application, entry))
        except ConditionFailed:
            raise StateChanged("the application changed meanwhile; read it and try again",
                               field="state") from None

    @staticmethod
    def _trail_item(application: dict[str, Any], entry: TrailEntry) -> dict[str, Any]:
        return {"pk": application["pk"], "sk": f"trail#{entry.seq:04d}",
                "application_id": application["id"], "applicant": application["applicant"],
                "item": application["item"], "item_name": application["item_name"],
                "office": application["office"], **entry.view()}

