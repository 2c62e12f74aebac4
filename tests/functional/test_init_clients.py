"""A function's init makes no AWS client: each is made by ``etax.platform.aws`` on the first
call that uses it (docs/benchmarks.md, "Function init time"). The handler is imported with
client creation refused (the other functional tests make requests through the same handlers,
their clients made then)."""

from __future__ import annotations

from typing import Any
from unittest import mock

import pytest
from botocore.session import Session

from etax.platform import aws as kit
from tests.functional.conftest import load_handler
from tests.functional.test_lottery import lottery_env  # noqa: F401 (a fixture used by name)
from tests.functional.test_supply import supply_env  # noqa: F401 (a fixture used by name)

# Each function with the fixtures that give it its environment.
FUNCTIONS = {
    "platform": ["aws"],
    "acceptance_registration": ["aws"],
    "verification": ["aws"],
    "lottery": ["invoicing", "lottery_env"],
    "lottery_payout": ["lottery_env"],
    "invoices": ["invoicing"],
    "dev_issuer": ["dev_key"],
    "supply": ["supply_env"],
}


def refused(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("an AWS client was made at init")


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_init_makes_no_client(function: str, request: pytest.FixtureRequest) -> None:
    for fixture in FUNCTIONS[function]:
        request.getfixturevalue(fixture)
    kit._client.cache_clear()  # a client made earlier would hide one made at init
    with mock.patch.object(Session, "create_client", refused):
        load_handler(function)
