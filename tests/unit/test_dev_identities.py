"""Which identities the local dev issuer mints tokens for."""

from __future__ import annotations

import pytest

from etax.platform.dev_identities import DevTokenRequest, identity_for
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
