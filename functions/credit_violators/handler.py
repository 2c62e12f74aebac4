"""Serious-violator listings (``tax.violators``: ``ViolatorListed``, ``ViolatorRemoved``) kept
as credit records; the taxpayer's current year rated again on each."""

from __future__ import annotations

from datetime import date
from typing import Any

from etax.acceptance.registration.repository import RegistryRepository
from etax.credit.records import Listing
from etax.credit.repository import CreditRepository
from etax.credit.service import CreditService
from etax.filing.repository import FilingRepository
from etax.platform.consumer import PoisonedMessage, json_body
from etax.platform.consumer import consumer as make_consumer
from etax.platform.observability import instrument

service = CreditService(CreditRepository(), FilingRepository(), RegistryRepository())


def listing_of(body: str) -> Listing:
    event: Any = json_body(body)
    detail = event.get("detail") if isinstance(event, dict) else None
    kind = event.get("detail-type") if isinstance(event, dict) else None
    if not isinstance(detail, dict) or kind not in ("ViolatorListed", "ViolatorRemoved"):
        raise PoisonedMessage("not a violator listing event")
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
