"""Which identities the local dev issuer mints tokens for."""

from __future__ import annotations

import pytest

from etax.platform.dev_identities import DevTokenRequest, identity_for, token_lifetime
from etax.platform.errors import Unprocessable
from etax.platform.tokens import Identity


@pytest.mark.parametrize(("request_", "identity"), [
    (DevTokenRequest(role="taxpayer", subject="91350100m000100y43"),
     Identity("91350100M000100Y43", "taxpayer")),
    (DevTokenRequest(role="taxpayer", subject="11010519491231002x"),
     Identity("11010519491231002X", "taxpayer")),
    (DevTokenRequest(role="officer", subject="officer-1", tax_office="13501000000"),
     Identity("officer-1", "officer", "13501000000")),
    (DevTokenRequest(role="partner", subject="bank-minjiang"),
     Identity("bank-minjiang", "partner")),
])
def test_identities(request_: DevTokenRequest, identity: Identity) -> None:
    assert identity_for(request_) == identity


@pytest.mark.parametrize(("request_", "field", "message"), [
    (DevTokenRequest(role="taxpayer", subject="12345"), "subject",
     "credit code or a resident ID"),
    (DevTokenRequest(role="officer", subject="officer-1"), "tax_office", "11-digit"),
    (DevTokenRequest(role="officer", subject="officer-1", tax_office="fz"), "tax_office",
     "11-digit"),
    (DevTokenRequest(role="admin", subject="a b"), "subject", "letters, digits"),
    (DevTokenRequest(role="admin", subject="admin-1", tax_office="13501000000"), "tax_office",
     "only officers"),
])
def test_impossible_identities_are_refused(request_: DevTokenRequest, field: str,
                                           message: str) -> None:
    with pytest.raises(Unprocessable, match=message) as caught:
        identity_for(request_)
    assert caught.value.field == field


@pytest.mark.parametrize(("ttl", "maximum"), [(3600, 3600), (60, 3600), (900, 900)])
def test_lifetimes_the_issuer_allows(ttl: int, maximum: int) -> None:
    request_ = DevTokenRequest(role="admin", subject="admin-0001", ttl_seconds=ttl)
    assert token_lifetime(request_, maximum) == ttl


def test_no_token_outlives_the_issuers_maximum() -> None:
    request_ = DevTokenRequest(role="admin", subject="admin-0001", ttl_seconds=3601)
    with pytest.raises(Unprocessable, match="at most 3600") as refused:
        token_lifetime(request_, 3600)
    assert refused.value.field == "ttl_seconds"
