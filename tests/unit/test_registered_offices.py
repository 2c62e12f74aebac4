"""The office in charge of a taxpayer from the registration records (etax.acceptance.offices):
the office that kept a cancelled enterprise, and none in charge of it now."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from etax.acceptance.offices import RegisteredOffices
from etax.acceptance.registration.records import RegistrationRecord, Status, TaxpayerType

CODE = "91350100M000100Y43"
RECORD = RegistrationRecord(
    credit_code=CODE, name="示例商贸有限公司", status=Status.ACTIVE,
    registration_date=date(2020, 1, 2), tax_office_code="13501000000",
    tax_office_name="国家税务总局福州市税务局", taxpayer_type=TaxpayerType.SMALL_SCALE,
    legal_representative="张三", address="福州市", industry="5191", revision=1,
    updated_at="2026-01-02T00:00:00Z")


class Records:
    def __init__(self, *records: RegistrationRecord) -> None:
        self.records = {r.credit_code: r for r in records}

    def get(self, key: str) -> Any:
        return self.records.get(key)


def test_an_active_enterprise_has_its_office_now() -> None:
    offices = RegisteredOffices(Records(RECORD), Records())  # type: ignore[arg-type]
    assert offices.office_of(CODE) == offices.active_office_of(CODE) == "13501000000"


def test_a_cancelled_enterprise_keeps_the_office_that_kept_it_but_has_none_now() -> None:
    offices = RegisteredOffices(Records(replace(RECORD, status=Status.CANCELLED)),
                                Records())  # type: ignore[arg-type]
    assert offices.office_of(CODE) == "13501000000"
    assert offices.active_office_of(CODE) is None


def test_an_unknown_taxpayer_has_no_office() -> None:
    offices = RegisteredOffices(Records(), Records())  # type: ignore[arg-type]
    assert offices.office_of(CODE) is None
    assert offices.active_office_of(CODE) is None
