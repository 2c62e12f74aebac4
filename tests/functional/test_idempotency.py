"""Idempotency-Key over the platform's idempotency table (moto)."""

from __future__ import annotations

import json

import pytest

from etax.platform.errors import BadRequest, Unprocessable
from etax.platform.idempotency import Idempotency
from tests.functional.conftest import LambdaContext


@pytest.fixture
def idempotency(aws: None) -> Idempotency:
    return Idempotency("idempotency")


def test_the_same_key_runs_the_operation_once(idempotency: Idempotency) -> None:
    runs: list[int] = []

    def create() -> dict[str, object]:
        runs.append(1)
        return {"id": f"thing-{len(runs)}"}

    first, again = (
        idempotency.run(key="k-1", scope="POST /v1/things", principal="p", payload={"a": 1},
                        operation=create, lambda_context=LambdaContext())
        for _ in range(2)
    )
    assert first == again == {"id": "thing-1"}
    assert len(runs) == 1


def test_a_replay_is_the_first_answer_with_its_keys_in_their_order(
        idempotency: Idempotency) -> None:
    def create() -> dict[str, object]:
        return {"number": "N1", "amount": "1.00", "buyer": {"name": "陈", "kind": "person"}}

    first, again = (
        idempotency.run(key="k-order", scope="POST /v1/things", principal="p", payload={},
                        operation=create, lambda_context=LambdaContext())
        for _ in range(2)
    )
    assert json.dumps(again, ensure_ascii=False) == json.dumps(first, ensure_ascii=False)
    assert list(again) == ["number", "amount", "buyer"]
    assert list(again["buyer"]) == ["name", "kind"]


def test_keys_are_per_caller_and_route(idempotency: Idempotency) -> None:
    def answer(scope: str, who: str) -> dict[str, object]:
        return idempotency.run(key="k", scope=scope, principal=who, payload={},
                               operation=lambda: {"by": f"{scope}/{who}"})

    results = [answer(scope, who)
               for scope, who in (("POST /a", "p1"), ("POST /a", "p2"), ("POST /b", "p1"))]
    assert [r["by"] for r in results] == ["POST /a/p1", "POST /a/p2", "POST /b/p1"]


def test_the_same_key_with_another_body_is_refused(idempotency: Idempotency) -> None:
    idempotency.run(key="k-2", scope="POST /v1/things", principal="p", payload={"a": 1},
                    operation=lambda: {"ok": True})
    with pytest.raises(Unprocessable) as caught:
        idempotency.run(key="k-2", scope="POST /v1/things", principal="p", payload={"a": 2},
                        operation=lambda: {"ok": True})
    assert caught.value.field == "Idempotency-Key"


@pytest.mark.parametrize("key", [None, "", "   ", "x" * 256, "bad\nkey"])
def test_missing_or_unusable_keys_are_400(idempotency: Idempotency, key: str | None) -> None:
    with pytest.raises(BadRequest) as caught:
        idempotency.run(key=key, scope="POST /v1/things", principal="p", payload={},
                        operation=lambda: {})
    assert caught.value.field == "Idempotency-Key"
