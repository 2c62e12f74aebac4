"""Who may reach whose records: written once, tested here."""

from __future__ import annotations

import time
from typing import Any

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
        "principalId": "o-1", "role": "officer", "subject": "o-1", "tax_office": OFFICE,
        "exp": str(EXP)}}}
    assert principal_from_event(event, now=EXP - 1) == Principal("officer", "o-1", OFFICE)
    assert principal_from_event({"requestContext": {}}) is None


EXP = 1_760_000_600


def signed_in(**context: str) -> dict[str, Any]:
    return {"requestContext": {"authorizer": {"role": "taxpayer", "subject": OWNER, **context}}}


@pytest.mark.parametrize("now", [EXP, EXP + 1, EXP + 299])
def test_a_cached_verdict_stops_working_at_its_tokens_exp(now: float) -> None:
    """API Gateway may hand on a verdict cached before exp; the helper refuses it at exp."""
    event = signed_in(exp=str(EXP))
    assert require_principal(event, "taxpayer", now=EXP - 1).subject == OWNER
    with pytest.raises(Unauthorized, match="expired") as refused:
        require_principal(event, "taxpayer", now=now)
    assert refused.value.status == 401
    assert 'error="invalid_token"' in refused.value.headers["WWW-Authenticate"]
    with pytest.raises(Unauthorized):
        principal_from_event(event, now=now)


@pytest.mark.parametrize("exp", [None, "", "soon", "1.5e9"])
def test_a_verdict_without_a_readable_exp_is_refused(exp: str | None) -> None:
    event = signed_in() if exp is None else signed_in(exp=exp)
    with pytest.raises(Unauthorized, match="expiry"):
        principal_from_event(event, now=EXP - 100)


def test_the_current_clock_is_used_by_default() -> None:
    with pytest.raises(Unauthorized, match="expired"):
        require_principal(signed_in(exp=str(int(time.time()) - 1)))
    assert require_principal(signed_in(exp=str(int(time.time()) + 60))).subject == OWNER


def test_require_principal() -> None:
    event = {"requestContext": {"authorizer": {"role": "partner", "subject": "bank-1",
                                               "exp": "4102444800"}}}
    assert require_principal(event, "partner").subject == "bank-1"
    with pytest.raises(Forbidden, match="for admin"):
        require_principal(event, "admin")
    with pytest.raises(Unauthorized):
        require_principal({}, "admin")
