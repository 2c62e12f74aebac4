"""The tax office in charge of a taxpayer, as the registration records give it: an enterprise
by its credit code in the registry, a natural person by the real-name registration (the same
sources the refunds board routes its review queue by). An enterprise whose registration is
cancelled still has the office that kept it (``office_of``) but no office in charge of it now
(``active_office_of``)."""

from __future__ import annotations

from typing import Protocol

from etax.acceptance.people import RegisteredPeople
from etax.acceptance.registration.records import RegistrationRecord, Status
from etax.rules import resident_id


class Registry(Protocol):
    def get(self, credit_code: str) -> RegistrationRecord | None: ...


class RegisteredOffices:
    def __init__(self, registry: Registry, people: RegisteredPeople) -> None:
        self.registry = registry
        self.people = people

    def office_of(self, subject: str) -> str | None:
        if resident_id.is_valid(subject):
            person = self.people.get(subject)
            return person.tax_office if person is not None else None
        record = self.registry.get(subject)
        return record.tax_office_code if record is not None else None

    def active_office_of(self, subject: str) -> str | None:
        """The office in charge of a taxpayer now (None: not registered, or cancelled)."""
        if resident_id.is_valid(subject):
            return self.office_of(subject)
        record = self.registry.get(subject)
        return None if record is None or record.status is Status.CANCELLED \
            else record.tax_office_code
