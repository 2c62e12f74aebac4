"""Typed results become the answers' JSON at the edge (etax.platform.results)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from etax.platform.api import serialize
from etax.platform.results import as_json, named, optional


@dataclass(frozen=True)
class Line:
    name: str
    amount: str


@dataclass(frozen=True)
class Answer:
    number: str
    period_from: str = named("from")
    lines: tuple[Line, ...] = ()
    matches: bool | None = None
    total: str | None = optional()
    note: str | None = optional(key="class")


def test_keys_in_declared_order_with_nested_results() -> None:
    answer = Answer("N1", "2026-01-01", (Line("a", "1.00"), Line("b", "2.00")), True, "3.00")
    assert list(as_json(answer)) == ["number", "from", "lines", "matches", "total"]
    assert as_json(answer)["lines"] == [{"name": "a", "amount": "1.00"},
                                        {"name": "b", "amount": "2.00"}]


def test_optional_keys_are_absent_while_none_and_plain_none_is_null() -> None:
    answer = as_json(Answer("N1", "2026-01-01"))
    assert answer == {"number": "N1", "from": "2026-01-01", "lines": [], "matches": None}
    assert as_json(Answer("N1", "x", note="n"))["class"] == "n"


def test_plain_values_and_dicts_pass_through() -> None:
    document = {"b": 1, "a": [Line("x", "0.01")], "c": Decimal("1.5")}
    assert as_json(document) == {"b": 1, "a": [{"name": "x", "amount": "0.01"}],
                                 "c": Decimal("1.5")}
    assert list(as_json(document)) == ["b", "a", "c"]


def test_the_edge_serializes_results_byte_for_byte_as_the_dict_it_replaces() -> None:
    result = Answer("发票1", "2026-01-01", (Line("税", "1.00"),), None, "1.00")
    by_hand = {"number": "发票1", "from": "2026-01-01",
               "lines": [{"name": "税", "amount": "1.00"}], "matches": None, "total": "1.00"}
    assert serialize(result) == serialize(by_hand)
    assert serialize(result) == json.dumps(by_hand, separators=(",", ":"), ensure_ascii=False)
