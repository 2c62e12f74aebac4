"""The risk indicators' cases (``tax.analytics``: ``RiskCaseOpened``, docs/risk.md#the-watch-list)
as risk warnings to their taxpayers, through the information-on-demand flow: the warning is
issued by the indicator (its trail says which), the taxpayer notified in its inbox and on its
channels, and it is answered and closed as an officer's warning is (docs/usage/outreach.md)."""

from __future__ import annotations

from pydantic import ValidationError

from etax.acceptance.people import RegisteredPeople
from etax.acceptance.registration.repository import RegistryRepository
from etax.acceptance.repository import AcceptanceRepository
from etax.outreach.repository import OutreachRepository
from etax.outreach.requests import IndicatorCase
from etax.outreach.service import SOURCE, RegisteredFacts, WarningService
from etax.platform.aws import lazy
from etax.platform.consumer import PoisonedMessage, bus_event
from etax.platform.consumer import consumer as make_consumer
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.settings import required

warnings = WarningService(
    OutreachRepository(),
    RegisteredFacts(RegistryRepository(), RegisteredPeople(AcceptanceRepository())),
    EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), SOURCE))


def case_of(body: str) -> IndicatorCase:
    _, detail = bus_event(body, "RiskCaseOpened")
    try:
        return IndicatorCase.model_validate(detail)
    except ValidationError as error:
        fields = sorted({".".join(str(p) for p in e["loc"]) for e in error.errors()})
        raise PoisonedMessage(f"a case without a valid {', '.join(fields)}") from None


handler = instrument(make_consumer(
    "outreach indicators", case_of,
    lambda case, _receives: warnings.from_indicator(case.model_dump()),
    describe=lambda case: {"case_id": case.case_id}))
