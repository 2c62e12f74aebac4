"""Registration changes (``tax.registration``: ``RegistrationChanged``) kept in the
information-on-demand segments: a subscriber's members move to the segments its registration
now gives, a cancelled registration ends its subscription (docs/usage/outreach.md)."""

from __future__ import annotations

from etax.acceptance.people import RegisteredPeople
from etax.acceptance.registration.repository import RegistryRepository
from etax.acceptance.repository import AcceptanceRepository
from etax.outreach.repository import OutreachRepository
from etax.outreach.service import NO_MAILINGS, OutreachService, RegisteredFacts
from etax.platform.consumer import PoisonedMessage, bus_event
from etax.platform.consumer import consumer as make_consumer
from etax.platform.observability import instrument
from etax.rules import uscc

service = OutreachService(OutreachRepository(), RegisteredFacts(
    RegistryRepository(), RegisteredPeople(AcceptanceRepository())), NO_MAILINGS)


def credit_code_of(body: str) -> str:
    _, detail = bus_event(body, "RegistrationChanged")
    code = detail.get("credit_code")
    if not isinstance(code, str) or not uscc.is_valid(code):
        raise PoisonedMessage("a registration change without a valid credit code")
    return code


handler = instrument(make_consumer(
    "outreach registrations", credit_code_of,
    lambda code, _receives: service.refile(code),
    describe=lambda code: {"credit_code": code}))
