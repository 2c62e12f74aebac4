"""What the other contexts read of the registry: a registered taxpayer, refused unless active.

Invoices, the invoice supply and certificates serve only an enterprise the registry holds as
active (正常); each names what it refuses in its own words, the registry check is this one.
"""

from __future__ import annotations

from typing import Protocol

from etax.acceptance.registration.records import RegistrationRecord, Status
from etax.errors import Refused
from etax.platform.auth import Principal
from etax.rules import uscc


class Registry(Protocol):
    def get(self, credit_code: str) -> RegistrationRecord | None: ...


def active_record(registry: Registry, credit_code: str) -> RegistrationRecord:
    """The registration record of ``credit_code``; Refused unless it is active."""
    record = registry.get(credit_code)
    if record is None or record.status is not Status.ACTIVE:
        raise Refused(f"{credit_code} is not an active registered taxpayer")
    return record


def signed_in_enterprise(registry: Registry, principal: Principal,
                         refusal: str) -> RegistrationRecord:
    """The record of the active enterprise taxpayer signed in with its credit code; Refused
    with ``refusal`` for anyone else."""
    if principal.role != "taxpayer" or not uscc.is_valid(principal.subject):
        raise Refused(refusal)
    return active_record(registry, principal.subject)
