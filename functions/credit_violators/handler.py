"""Serious-violator listings (``tax.violators``: ``ViolatorListed``, ``ViolatorRemoved``) kept
as credit records; the taxpayer's current year rated again on each."""

from __future__ import annotations

from datetime import date

from etax.acceptance.registration.repository import RegistryRepository
from etax.credit.records import Listing
from etax.credit.repository import CreditRepository
from etax.credit.service import CreditService
from etax.filing.repository import FilingRepository
from etax.platform.consumer import PoisonedMessage, bus_event
from etax.platform.consumer import consumer as make_consumer
from etax.platform.observability import instrument

service = CreditService(CreditRepository(), FilingRepository(), RegistryRepository())


def listing_of(body: str) -> Listing:
    kind, detail = bus_event(body, "ViolatorListed", "ViolatorRemoved")
    try:
        case, code = str(detail["case_id"]), str(detail["credit_code"])
        if kind == "ViolatorListed":
            return Listing(case, code, date.fromisoformat(detail["listed_on"]))
        removed = date.fromisoformat(detail["removed_on"])
    except (KeyError, TypeError, ValueError) as error:
        raise PoisonedMessage(f"unreadable violator event: {error}") from None
    return Listing(case, code, removed, removed)


handler = instrument(make_consumer(
    "credit violators", listing_of,
    lambda listing, _receives: None if service.listing(listing) is None else "rated",
    describe=lambda listing: {"case": listing.case_id}))
