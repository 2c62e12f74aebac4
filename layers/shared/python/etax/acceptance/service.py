"""Online acceptance's applications (B4): items of the catalogue, documents uploaded and
confirmed, submitted, queued for the office and decided by its officers.

Services take their repositories, the registry, the document store and the bank verifier
as arguments (tests pass fakes or moto-backed ones); authorization is decided here with the
platform's policy (:mod:`etax.platform.auth`), once per operation.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from etax.acceptance import applications as machine
from etax.acceptance.applications import Action, State, TrailEntry
from etax.acceptance.catalogue import DOCUMENT_KINDS, ITEMS, UnknownItem, item
from etax.acceptance.documents import (
    DocumentStore,
    Stored,
    UploadProblem,
    document_key,
    incoming_key,
)
from etax.acceptance.repository import AcceptanceRepository, ConditionFailed
from etax.acceptance.requests import (
    ApplicationRequest,
    Decision,
    DocumentRequest,
)
from etax.acceptance.results import (
    Actor,
    Application,
    Catalogue,
    Document,
    DocumentKind,
    Download,
    Queue,
    Queued,
    Step,
    Upload,
)
from etax.errors import (
    Invalid,
    NotFound,
    Refused,
    StateChanged,
)
from etax.platform.auth import Principal, ensure_can_reach_taxpayer

if TYPE_CHECKING:
    pass


from etax.acceptance.desk import RegistrationDesk, require_own
from etax.acceptance.items import (
    application_pk,
    result_of,
    utc_now,
)


def _document(item: dict[str, Any]) -> Document:
    return result_of(Document, item)


def _step(item: dict[str, Any]) -> Step:
    return result_of(Step, item, by=Actor(**item["by"]))

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
        return result_of(
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
                     applications=[result_of(Queued, i) for i in found])

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
        at = self.now()

        def confirmed(stored: Stored) -> dict[str, Any]:
            return {"status": "confirmed", "key": target, "size": stored.size,
                    "confirmed_at": at}

        try:
            stored = self.documents.confirm(
                str(document["incoming_key"]), target, str(document["content_type"]),
                int(document["max_bytes"]),
                lambda stored: self.repo.confirm_document(
                    application_pk(application_id), f"document#{document_id}",
                    confirmed(stored)))
        except UploadProblem as problem:
            now = self.repo.get(application_pk(application_id), f"document#{document_id}")
            if now is not None and now["status"] == "confirmed":   # a concurrent confirmation
                return _document(now)
            raise Invalid(f"upload not accepted: {problem.reason}",
                          field="document_id") from None
        return _document({**document, **confirmed(stored)})

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
