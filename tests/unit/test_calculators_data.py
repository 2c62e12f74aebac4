"""The calculators' rule data: every entry dated and sourced, versions that never overlap, a
date without rules refused naming the field, and the money and rate types of requests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from etax.calculators import departure_refund, vat, vehicle_vessel
from etax.calculators.common import (
    Entry,
    InputError,
    RulesError,
    Versions,
    rules_date,
    times_rate,
    today_in_china,
)
from etax.calculators.iit import deductions
from etax.calculators.iit.rules import rules as iit_rules
from etax.platform.api import problem_for
from etax.platform.data import load
from etax.rules.types import Rate, Yuan

NAMES = sorted(p.name.removesuffix(".json") for p in
               resources.files("etax.calculators").joinpath("data").iterdir()
               if p.name.endswith(".json"))


def entries(node: Any) -> list[dict[str, Any]]:
    """Every object in the data that carries an ``effective_from``."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "effective_from" in node:
            found.append(node)
        for value in node.values():
            found += entries(value)
    elif isinstance(node, list):
        for value in node:
            found += entries(value)
    return found


def test_the_data_files() -> None:
    assert NAMES == ["departure_refund", "iit", "vat", "vehicle_vessel"]


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_dated_and_sourced(name: str) -> None:
    found = entries(load("etax.calculators", name))
    assert found
    for entry in found:
        assert set(entry) >= {"effective_from", "effective_to", "sources", "note"}
        assert entry["sources"]
        assert all(url.startswith(("http://", "https://")) for url in entry["sources"])
        dt.date.fromisoformat(entry["effective_from"])


def test_every_rule_set_loads_and_checks() -> None:
    assert iit_rules().comprehensive_annual.entries
    assert vat.rules().small_scale.entries
    assert vehicle_vessel.rules().provinces
    assert departure_refund.rules().entries


def test_the_deduction_kinds_of_the_data_are_those_requests_can_claim() -> None:
    for entry in iit_rules().special_additional.entries:
        assert set(entry.kinds) == set(deductions.AnnualClaims.model_fields)
        monthly = {k for k, v in entry.kinds.items() if not v.annual_only}
        assert monthly == set(deductions.MonthlyClaims.model_fields)


def entry(start: str, end: str | None) -> Entry:
    return Entry.model_validate({"effective_from": start, "effective_to": end,
                                 "sources": ["https://example.org"]})


def test_versions_never_overlap() -> None:
    with pytest.raises(RulesError, match="overlap"):
        Versions("x", [entry("2020-01-01", None), entry("2021-01-01", None)])
    with pytest.raises(RulesError, match="overlap"):
        Versions("x", [entry("2020-01-01", "2021-01-01"), entry("2021-01-01", None)])
    with pytest.raises(RulesError, match="ends before"):
        Versions("x", [entry("2020-01-01", "2019-01-01")])
    versions = Versions("x", [entry("2021-01-01", None), entry("2020-01-01", "2020-12-31")])
    assert versions.on(dt.date(2020, 12, 31)).effective_from == dt.date(2020, 1, 1)
    assert versions.on(dt.date(2021, 1, 1)).effective_from == dt.date(2021, 1, 1)
    with pytest.raises(InputError, match="2019-12-31") as caught:
        versions.on(dt.date(2019, 12, 31), field="year")
    assert (caught.value.field, problem_for(caught.value).status) == ("year", 422)


def test_the_rules_date() -> None:
    request = vat.SmallScaleRequest.model_validate({"taxpayer": "small_scale", "sales": "1"})
    assert rules_date(request, dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)
    before = today_in_china()
    assert rules_date(request, None) in {before, today_in_china()}  # midnight may pass between
    dated = request.model_copy(update={"date": dt.date(2025, 5, 1)})
    assert rules_date(dated, dt.date(2026, 1, 2)) == dt.date(2025, 5, 1)


def test_today_in_china_is_utc_plus_8() -> None:
    late = dt.datetime(2026, 11, 28, 16, 0, tzinfo=dt.UTC)
    assert today_in_china(late) == dt.date(2026, 11, 29)
    assert today_in_china(late - dt.timedelta(seconds=1)) == dt.date(2026, 11, 28)


YUAN = TypeAdapter(Yuan)
RATE = TypeAdapter(Rate)


@pytest.mark.parametrize(("value", "expected"), [
    ("885.6", Decimal("885.60")), (1000, Decimal("1000.00")), ("0", Decimal("0.00")),
    (Decimal("12.5"), Decimal("12.50"))])
def test_yuan_accepts(value: Any, expected: Decimal) -> None:
    assert YUAN.validate_python(value) == expected
    assert YUAN.dump_python(expected, mode="json") == f"{expected:.2f}"


@pytest.mark.parametrize(("value", "message"), [
    ("-1", "negative"), (1.5, "decimal string"), ("1,000", "thousands"), ("1e3", "exponents"),
    ("1.234", "2 decimal places"), (True, "decimal string"), (Decimal("0.001"), "2 decimal"),
    ("", "blank")])
def test_yuan_refuses(value: Any, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        YUAN.validate_python(value)


@pytest.mark.parametrize("value", ["13%", "1.5", "-0.1", "0.12345", 0.13, "abc"])
def test_rates_are_fractions(value: Any) -> None:
    with pytest.raises(ValidationError):
        RATE.validate_python(value)


def test_products_round_half_up_to_the_fen() -> None:
    assert times_rate(50, Decimal("0.01")) == 1      # 0.5 fen → 1
    assert times_rate(49, Decimal("0.01")) == 0
    assert times_rate(3600010, Decimal("0.10")) == 360001
