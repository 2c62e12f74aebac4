"""Registration services over in-memory fakes of the registry and the publisher."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from etax.acceptance.registration.feed import FeedRecord
from etax.acceptance.registration.records import RegistrationRecord, Status, TaxpayerType
from etax.acceptance.registration.service import RegistrationService
from etax.errors import Malformed, NotFound
from etax.platform.auth import Principal
from etax.platform.errors import Forbidden
from etax.platform.events import DomainEvent
from etax.platform.results import as_json

CODE = "91350100M000100Y43"
OFFICE = "13501000000"


class MemoryRegistry:
    def __init__(self) -> None:
        self.items: dict[str, RegistrationRecord] = {}

    def get(self, credit_code: str) -> RegistrationRecord | None:
        return self.items.get(credit_code)

    def put_unless_stale(self, record: RegistrationRecord) -> bool:
        held = self.items.get(record.credit_code)
        if held is not None and held.revision > record.revision:
            return False
        self.items[record.credit_code] = record
        return True


class MemoryPublisher:
    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    def publish(self, events: list[DomainEvent]) -> None:
        self.events.extend(events)


def feed_record(**changes: object) -> FeedRecord:
    data: dict[str, object] = {
        "credit_code": CODE, "name": "福州闽江示例科技有限公司", "status": "active",
        "registration_date": "2016-03-01", "tax_office_code": OFFICE,
        "tax_office_name": "国家税务总局福州市税务局", "taxpayer_type": "general",
        "legal_representative": "林晓明", "revision": 1,
    }
    data.update(changes)
    return FeedRecord.model_validate(data)


@pytest.mark.parametrize("field", ["name", "tax_office_name"])
def test_a_feed_record_with_a_bidi_override_in_a_printed_name_is_refused(field: str) -> None:
    with pytest.raises(ValidationError) as error:
        feed_record(**{field: "福州\u202e示例"})
    assert error.value.errors()[0]["loc"] == (field,)


@pytest.fixture
def registry() -> MemoryRegistry:
    return MemoryRegistry()


@pytest.fixture
def publisher() -> MemoryPublisher:
    return MemoryPublisher()


@pytest.fixture
def service(registry: MemoryRegistry, publisher: MemoryPublisher) -> RegistrationService:
    svc = RegistrationService(registry, publisher)
    svc.apply_feed_record(feed_record())
    publisher.events.clear()
    return svc


def test_verify_a_registered_code(service: RegistrationService) -> None:
    answer = as_json(service.verify(CODE.lower()))
    assert answer["credit_code"] == CODE
    assert answer["checksum_valid"] is True
    assert answer["registered"] is True
    assert answer["registration"] == {
        "name": "福州闽江示例科技有限公司", "status": "active", "status_label": "正常",
        "registration_date": "2016-03-01",
        "tax_office": {"code": OFFICE, "name": "国家税务总局福州市税务局"},
    }
    assert "legal_representative" not in answer["registration"]


def test_verify_reports_checksum_and_registration_separately(
    service: RegistrationService,
) -> None:
    answer = as_json(service.verify("91350100M000100Y4Z"))
    assert answer["checksum_valid"] is False
    assert "'3'" in answer["checksum_reason"]
    assert answer["registered"] is False
    assert answer["registration"] is None


def test_verify_malformed_is_a_bad_request_naming_the_field(
    service: RegistrationService,
) -> None:
    with pytest.raises(Malformed) as caught:
        service.verify("91350100M00010")
    assert caught.value.field == "credit_code"
    assert "18 characters" in caught.value.detail


@pytest.mark.parametrize("principal", [
    Principal("taxpayer", CODE), Principal("officer", "o-1", OFFICE), Principal("admin", "a"),
])
def test_owner_record_for_those_allowed(service: RegistrationService,
                                        principal: Principal) -> None:
    record = as_json(service.owner_record(principal, CODE))
    assert record["legal_representative"] == "林晓明"
    assert record["taxpayer_type"] == "general"


@pytest.mark.parametrize("principal", [
    Principal("taxpayer", "91440300708461136T"), Principal("officer", "o-2", "13502000000"),
])
def test_owner_record_refused_to_others(service: RegistrationService,
                                        principal: Principal) -> None:
    with pytest.raises(Forbidden):
        service.owner_record(principal, CODE)


def test_unregistered_codes_are_not_revealed_to_other_taxpayers(
    service: RegistrationService,
) -> None:
    other = "91440300708461136T"
    with pytest.raises(Forbidden):
        service.owner_record(Principal("taxpayer", CODE), other)
    with pytest.raises(NotFound):
        service.owner_record(Principal("taxpayer", other), other)
    with pytest.raises(NotFound):
        service.owner_record(Principal("admin", "a"), other)


def test_feed_applies_newer_revisions_and_announces_them(
    service: RegistrationService, registry: MemoryRegistry, publisher: MemoryPublisher
) -> None:
    assert service.apply_feed_record(feed_record(status="cancelled", revision=2))
    held = registry.get(CODE)
    assert held is not None
    assert held.status is Status.CANCELLED
    assert held.taxpayer_type is TaxpayerType.GENERAL
    assert held.registration_date == date(2016, 3, 1)
    [event] = publisher.events
    assert event.detail_type == "RegistrationChanged"
    # the registry's public facts, no name or person: the analytical store's taxpayers table
    assert event.detail == {"credit_code": CODE, "status": "cancelled",
                            "tax_office_code": OFFICE, "taxpayer_type": "general",
                            "industry": "", "revision": 2}


def test_feed_never_rolls_a_record_back(
    service: RegistrationService, registry: MemoryRegistry, publisher: MemoryPublisher
) -> None:
    service.apply_feed_record(feed_record(status="cancelled", revision=3))
    publisher.events.clear()
    assert not service.apply_feed_record(feed_record(status="active", revision=2))
    assert registry.items[CODE].status is Status.CANCELLED
    assert publisher.events == []


def test_a_replayed_record_is_announced_again(
    service: RegistrationService, publisher: MemoryPublisher
) -> None:
    assert service.apply_feed_record(feed_record())
    assert len(publisher.events) == 1


@pytest.mark.parametrize(("changes", "field"), [
    ({"credit_code": "91350100M00010"}, "credit_code"),
    ({"status": "sleeping"}, "status"),
    ({"tax_office_code": "135"}, "tax_office_code"),
    ({"revision": 0}, "revision"),
    ({"registration_date": "2016-02-30"}, "registration_date"),
    ({"surprise": 1}, "surprise"),
])
def test_bad_feed_records_are_refused(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field):
        feed_record(**changes)


def test_feed_accepts_a_registered_code_with_a_bad_checksum() -> None:
    assert feed_record(credit_code="91350211M0000XUF46").credit_code == "91350211M0000XUF46"
