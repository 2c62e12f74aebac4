"""Who may reach whose records: written once, tested here."""

from __future__ import annotations

import pytest

from etax.platform.auth import (
    Principal,
    ensure_can_reach_taxpayer,
    principal_from_event,
    require_principal,
)
from etax.platform.errors import Forbidden, Unauthorized

OWNER = "91350100M000100Y43"
OFFICE = "13501000000"


@pytest.mark.parametrize("principal", [
    Principal("taxpayer", OWNER),
    Principal("officer", "o-1", OFFICE),
    Principal("admin", "a-1"),
])
def test_allowed(principal: Principal) -> None:
    ensure_can_reach_taxpayer(principal, OWNER, OFFICE)


@pytest.mark.parametrize("principal", [
    Principal("taxpayer", "91440300708461136T"),
    Principal("officer", "o-2", "13502000000"),
    Principal("officer", "o-3", None),
    Principal("partner", "bank-1"),
    Principal("developer", "d-1"),
])
def test_refused(principal: Principal) -> None:
    with pytest.raises(Forbidden):
        ensure_can_reach_taxpayer(principal, OWNER, OFFICE)


def test_an_officer_never_reaches_a_record_without_an_office() -> None:
    with pytest.raises(Forbidden):
        ensure_can_reach_taxpayer(Principal("officer", "o-1", OFFICE), OWNER, None)


def test_principal_from_the_authorizer_context() -> None:
    event = {"requestContext": {"authorizer": {
        "principalId": "o-1", "role": "officer", "subject": "o-1", "tax_office": OFFICE}}}
    assert principal_from_event(event) == Principal("officer", "o-1", OFFICE)
    assert principal_from_event({"requestContext": {}}) is None


def test_require_principal() -> None:
    event = {"requestContext": {"authorizer": {"role": "partner", "subject": "bank-1"}}}
    assert require_principal(event, "partner").subject == "bank-1"
    with pytest.raises(Forbidden, match="for admin"):
        require_principal(event, "admin")
    with pytest.raises(Unauthorized):
        require_principal({}, "admin")
