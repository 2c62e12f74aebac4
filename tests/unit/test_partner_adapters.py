"""Choosing a partner's adapter by the environment (etax.platform.partners.adapter): the named
factory, or a stand-in that fails closed naming the partner (docs/partners.md)."""

from __future__ import annotations

import pytest

from etax.errors import Unavailable
from etax.platform.partners import MissingAdapter, adapter


class Bank:
    def verify(self) -> str:
        return "matched"


def test_the_named_adapter_is_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BANK_PROVIDER", "simulated")
    assert adapter("bank", simulated=Bank).verify() == "matched"


@pytest.mark.parametrize(("named", "says"), [(None, "BANK_PROVIDER is not set"),
                                             ("acme", "BANK_PROVIDER names 'acme'")])
def test_a_missing_adapter_fails_closed_naming_the_partner(
        monkeypatch: pytest.MonkeyPatch, named: str | None, says: str) -> None:
    made: list[str] = []
    if named is None:
        monkeypatch.delenv("BANK_PROVIDER", raising=False)
    else:
        monkeypatch.setenv("BANK_PROVIDER", named)

    def simulated() -> Bank:
        made.append("made")
        return Bank()

    bank = adapter("bank", simulated=simulated)
    assert isinstance(bank, MissingAdapter)
    assert made == []  # nothing simulated is made where it is not wired
    for use in (lambda: bank.verify(), lambda: bank["card"]):  # a method, a mapping's item
        with pytest.raises(Unavailable, match="the bank partner adapter is missing") as raised:
            use()
        assert says in str(raised.value)
        assert raised.value.extra == {"partner": "bank"}
