"""Online acceptance rules: the application state machine, the catalogue, request validation,
the simulated bank and what the stream announces."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.types import TypeSerializer
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from etax.acceptance import applications as machine
from etax.acceptance import outbox
from etax.acceptance.applications import Action, State, TrailEntry
from etax.acceptance.catalogue import ITEMS, Category, UnknownItem, item, matches_signature
from etax.acceptance.desk import RegistrationDesk
from etax.acceptance.realname import VerifierUnavailable
from etax.acceptance.registration.records import RegistrationRecord, Status, TaxpayerType
from etax.acceptance.requests import (
    Decision,
    NaturalPersonRegistration,
    RegistrationUpdate,
    TemporaryRegistration,
    luhn_valid,
)
from etax.platform.events import DomainEvent
from etax.platform.outbox import Change
from etax.platform.results import as_json
from etax.simulations.bank import SimulatedBank

PERSON = "350102199003071234"
CARD = "622202020011003345"   # Luhn-valid


def test_record_filing_is_accepted_at_once_and_others_open_as_drafts() -> None:
    assert machine.initial(Category.RECORD_FILING) == (Action.FILE, State.ACCEPTED)
    assert machine.initial(Category.QUALIFICATION) == (Action.OPEN, State.DRAFT)
    assert machine.initial(Category.PREFERENTIAL) == (Action.OPEN, State.DRAFT)


def test_the_review_cycle() -> None:
    state = State.DRAFT
    for action, expected in ((Action.SUBMIT, State.SUBMITTED),
                             (Action.REQUEST_DOCUMENTS, State.DOCUMENTS_REQUESTED),
                             (Action.SUBMIT, State.SUBMITTED),
                             (Action.APPROVE, State.APPROVED)):
        state = machine.next_state(state, action)
        assert state is expected
    assert state.final


@pytest.mark.parametrize(("state", "action"), [
    (State.DRAFT, Action.APPROVE), (State.SUBMITTED, Action.SUBMIT),
    (State.APPROVED, Action.REJECT), (State.REJECTED, Action.SUBMIT),
    (State.ACCEPTED, Action.SUBMIT), (State.DOCUMENTS_REQUESTED, Action.APPROVE),
])
def test_what_cannot_happen(state: State, action: Action) -> None:
    with pytest.raises(machine.InvalidTransition, match=state.value):
        machine.next_state(state, action)


@given(st.lists(st.sampled_from(list(Action)), max_size=30))
def test_no_sequence_leaves_a_final_state_or_decides_twice(actions: list[Action]) -> None:
    """Whatever is tried, a decided application stays decided, and only an officer's
    decision (from submitted) ends a reviewed application."""
    state = State.DRAFT
    decisions = 0
    for action in actions:
        try:
            after = machine.next_state(state, action)
        except machine.InvalidTransition:
            continue
        assert not state.final
        if after in (State.APPROVED, State.REJECTED):
            assert state is State.SUBMITTED
            decisions += 1
        state = after
    assert decisions <= 1


def test_missing_documents() -> None:
    assert machine.missing_documents(("a", "b"), {"b", "other"}) == ["a"]
    assert machine.missing_documents((), set()) == []


def test_notification_follows_the_contract_and_is_stable_per_trail_entry() -> None:
    entry = TrailEntry(3, State.REJECTED, Action.REJECT, "officer", "officer-1",
                       "2026-11-28T10:00:00+00:00", "材料不全")
    note = machine.notification("abc", PERSON, "房产税困难减免", entry)
    assert set(note) == {"id", "recipient", "kind", "title", "body", "link"}
    assert note["id"] == "application:abc:3:rejected"
    assert note["recipient"] == PERSON
    assert note["kind"] == "application.rejected"
    assert note["link"] == "/v1/applications/abc"
    assert "材料不全" in note["body"]
    again = machine.notification("abc", PERSON, "房产税困难减免", entry)
    assert again == note


def test_every_state_has_an_event_type_and_a_label() -> None:
    for state in State:
        assert machine.EVENT_TYPES[state].startswith("Application")
        assert state.label


def test_catalogue_items_are_data_with_effective_dates() -> None:
    assert item("rd_super_deduction", date(2026, 1, 1)).category is Category.RECORD_FILING
    with pytest.raises(UnknownItem, match="not in force"):
        item("rd_super_deduction", date(2017, 12, 31))
    with pytest.raises(UnknownItem, match="no application item"):
        item("nothing", date(2026, 1, 1))
    for found in ITEMS.values():
        if found.category is Category.RECORD_FILING:
            assert found.required_documents == ()
        else:
            assert found.required_documents


def test_signatures() -> None:
    assert matches_signature("application/pdf", b"%PDF-1.7\n")
    assert not matches_signature("application/pdf", b"\x89PNG\r\n\x1a\n")
    assert matches_signature("image/png", b"\x89PNG\r\n\x1a\n....")
    assert matches_signature("image/jpeg", b"\xff\xd8\xff\xe0")
    assert not matches_signature("text/plain", b"hello")


def field_of(error: ValidationError) -> str:
    return ".".join(str(p) for p in error.errors()[0]["loc"])


def test_a_taxpayer_changes_only_what_it_may() -> None:
    update = RegistrationUpdate.model_validate({"business_address": "福州市鼓楼区示例路8号",
                                                "contact_phone": "0591-87654321"})
    assert update.model_dump(exclude_none=True) == {
        "business_address": "福州市鼓楼区示例路8号", "contact_phone": "0591-87654321"}
    with pytest.raises(ValidationError) as error:
        RegistrationUpdate.model_validate({"name": "改个名字"})
    assert field_of(error.value) == "name"
    with pytest.raises(ValidationError) as error:
        RegistrationUpdate.model_validate({"contact_phone": "12345"})
    assert field_of(error.value) == "contact_phone"
    with pytest.raises(ValidationError) as error:
        RegistrationUpdate.model_validate({"contact_email": "not-an-address"})
    assert field_of(error.value) == "contact_email"
    with pytest.raises(ValidationError, match="at least one field"):
        RegistrationUpdate.model_validate({})


def person(**changes: Any) -> dict[str, Any]:
    return {"resident_id": PERSON, "name": "陈小明", "bank_card": CARD,
            "phone": "13800138000", "tax_office_code": "13501000000", **changes}


def test_natural_person_needs_a_valid_resident_id_and_card() -> None:
    assert NaturalPersonRegistration.model_validate(person()).resident_id == PERSON
    with pytest.raises(ValidationError) as error:
        NaturalPersonRegistration.model_validate(person(resident_id="350102199003071235"))
    assert field_of(error.value) == "resident_id"
    assert "check character" in str(error.value)
    with pytest.raises(ValidationError) as error:
        NaturalPersonRegistration.model_validate(person(bank_card="622202020011003346"))
    assert field_of(error.value) == "bank_card"


def test_registered_names_refuse_invisible_and_bidi_characters() -> None:
    with pytest.raises(ValidationError) as error:
        NaturalPersonRegistration.model_validate(person(name="陈\u202e小明"))
    assert field_of(error.value) == "name"
    with pytest.raises(ValidationError) as error:
        TemporaryRegistration.model_validate({
            "name": "临时\u200b经营", "business_address": "展会路1号", "business_scope": "展销",
            "tax_office_code": "13501000000", "contact_phone": "13800138000",
            "valid_from": "2026-12-01", "valid_until": "2026-12-02"})
    assert field_of(error.value) == "name"


@given(st.text(alphabet="0123456789", min_size=15, max_size=18))
def test_luhn_accepts_exactly_one_check_digit(body: str) -> None:
    assert sum(luhn_valid(body + d) for d in "0123456789") == 1


def test_temporary_registration_period() -> None:
    base = {"name": "临时经营", "business_address": "展会路1号", "business_scope": "展销",
            "tax_office_code": "13501000000", "contact_phone": "13800138000"}
    TemporaryRegistration.model_validate({**base, "valid_from": "2026-12-01",
                                          "valid_until": "2027-05-30"})
    with pytest.raises(ValidationError, match="at most 180 days"):
        TemporaryRegistration.model_validate({**base, "valid_from": "2026-12-01",
                                              "valid_until": "2027-06-01"})
    with pytest.raises(ValidationError, match="before valid_from"):
        TemporaryRegistration.model_validate({**base, "valid_from": "2026-12-01",
                                              "valid_until": "2026-11-01"})


def test_a_refusal_needs_a_reason() -> None:
    assert Decision.model_validate({"decision": "approve"}).reason is None
    for decision in ("reject", "request_documents"):
        with pytest.raises(ValidationError, match="reason is required"):
            Decision.model_validate({"decision": decision})


def test_the_simulated_bank_is_controlled_by_the_card() -> None:
    bank = SimulatedBank()
    ok = bank.verify(name="陈小明", resident_id=PERSON, bank_card=CARD, phone="13800138000")
    assert ok.matched
    assert ok.reference.startswith("SIMBANK-")
    refused = bank.verify(name="陈小明", resident_id=PERSON, bank_card="622202020011020000",
                          phone="13800138000")
    assert (refused.matched, refused.mismatched_field) == (False, "name")
    with pytest.raises(VerifierUnavailable):
        bank.verify(name="x", resident_id=PERSON, bank_card="622202020011059990", phone="1")


def event_for(record: dict[str, Any]) -> DomainEvent | None:
    """The outbox mapping of one stream record as Lambda delivers it."""
    return outbox.event_for(Change.of(record))


def stream_record(name: str, item: dict[str, Any]) -> dict[str, Any]:
    image = {k: TypeSerializer().serialize(v) for k, v in item.items()}
    return {"eventName": name, "dynamodb": {"NewImage": image}}


TRAIL = {"pk": "application#abc", "sk": "trail#0002", "application_id": "abc",
         "applicant": "91350100M000100Y43", "item": "nonprofit_tax_exemption",
         "item_name": "非营利组织免税资格认定", "office": "13501000000", "seq": 2,
         "state": "submitted", "action": "submit", "state_label": "已提交，待审核",
         "by": {"role": "taxpayer", "subject": "91350100M000100Y43"},
         "at": "2026-11-28T10:00:00.000+00:00"}


def test_a_new_trail_entry_is_announced_with_the_applicants_notification() -> None:
    event = event_for(stream_record("INSERT", TRAIL))
    assert event is not None
    assert event.detail_type == "ApplicationSubmitted"
    assert event.detail["notification"]["id"] == "application:abc:2:submitted"
    assert event.detail["notification"]["recipient"] == "91350100M000100Y43"
    assert event.detail["tax_office"] == "13501000000"


def test_other_records_are_not_announced() -> None:
    assert event_for(stream_record("MODIFY", TRAIL)) is None
    assert event_for(stream_record("INSERT", {**TRAIL, "sk": "application"})) is None
    assert event_for(stream_record("INSERT", {**TRAIL, "sk": "document#x"})) is None


class StoredItems:
    """The acceptance table's items of one taxpayer, as DynamoDB gives them back."""

    def __init__(self, *items: dict[str, Any]) -> None:
        self.items = list(items)

    def after(self, pk: str, sk: str) -> list[dict[str, Any]]:
        return sorted((i for i in self.items if i["pk"] == pk and i["sk"] > sk),
                      key=lambda i: str(i["sk"]))

    def latest(self, pk: str, prefix: str, limit: int) -> list[dict[str, Any]]:
        found = [i for i in self.items if i["pk"] == pk and str(i["sk"]).startswith(prefix)]
        return sorted(found, key=lambda i: str(i["sk"]), reverse=True)[:limit]


def test_the_owners_record_is_the_registrys_then_its_own_details() -> None:
    code = "91350100M000100Y43"
    pk = f"taxpayer#{code}"
    by = {"role": "taxpayer", "subject": code}
    repository = StoredItems(
        {"pk": pk, "sk": "details", "version": Decimal(2), "business_scope": "软件",
         "updated_at": "2026-01-02T00:00:00.000+00:00"},
        {"pk": pk, "sk": "change#2026-01-02#ab", "at": "2026-01-02T00:00:00.000+00:00",
         "by": by, "fields": {"business_scope": {"from": None, "to": "软件"}}},
        {"pk": pk, "sk": "withholding", "credit_code": code, "registration_number": f"KJ{code}",
         "tax_office_code": "13501000000", "taxes": ["stamp_duty"],
         "contact": {"name": "林", "phone": "13800138000"}, "status": "active",
         "registered_at": "2026-01-01T00:00:00.000+00:00"})
    owner = RegistrationRecord(
        credit_code=code, name="福州闽江示例科技有限公司", status=Status.ACTIVE,
        registration_date=date(2016, 3, 1), tax_office_code="13501000000",
        tax_office_name="国家税务总局福州市税务局", taxpayer_type=TaxpayerType.GENERAL,
        legal_representative="林晓明", address="", industry="", revision=1,
        updated_at="2026-01-01").owner_view()
    desk = RegistrationDesk(repository, registry=None, bank=None)  # type: ignore[arg-type]

    answer = as_json(desk.record(owner))

    assert list(answer) == [*as_json(owner), "details", "changes", "temporary_registrations",
                            "withholding_agent"]
    assert answer["details"] == {"version": 2, "business_scope": "软件",
                                 "updated_at": "2026-01-02T00:00:00.000+00:00"}
    assert type(answer["details"]["version"]) is int
    assert answer["changes"] == [{"at": "2026-01-02T00:00:00.000+00:00", "by": by,
                                  "fields": {"business_scope": {"from": None, "to": "软件"}}}]
    assert answer["temporary_registrations"] == []
    assert list(answer["withholding_agent"]) == ["credit_code", "registration_number",
                                                 "tax_office_code", "taxes", "contact",
                                                 "status", "registered_at"]
