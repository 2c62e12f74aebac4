"""The low-level DynamoDB helpers the repositories share (etax.platform.dynamo)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from etax.errors import Unavailable
from etax.platform.dynamo import (
    applied,
    batch_get,
    batch_put,
    cancellation_codes,
    failed_conditions,
    from_item,
    int_attr,
    pages,
    text_attr,
    to_item,
    transact,
    write_transaction,
)


class ConditionFailed(Exception):
    pass


class FakeClient:
    class exceptions:
        ConditionalCheckFailedException = ConditionFailed

    def __init__(self, answers: list[dict[str, Any]] | None = None,
                 fail: Exception | None = None) -> None:
        self.answers = list(answers or [])
        self.fail = fail
        self.calls: list[dict[str, Any]] = []

    def update_item(self, **request: Any) -> dict[str, Any]:
        self.calls.append(dict(request))
        if self.fail:
            raise self.fail
        return {}

    def query(self, **request: Any) -> dict[str, Any]:
        self.calls.append(dict(request))
        return self.answers.pop(0)


def test_applied_is_false_only_when_the_condition_failed() -> None:
    assert applied(FakeClient(), "update_item", TableName="t") is True
    assert applied(FakeClient(fail=ConditionFailed()), "update_item", TableName="t") is False
    with pytest.raises(RuntimeError):
        applied(FakeClient(fail=RuntimeError("throttled")), "update_item", TableName="t")


def test_pages_follow_the_last_evaluated_key_to_the_end() -> None:
    db = FakeClient([{"Items": [1], "LastEvaluatedKey": {"k": 1}}, {"Items": [2]}])
    assert [p["Items"] for p in pages(db, "query", TableName="t")] == [[1], [2]]
    assert db.calls == [{"TableName": "t"}, {"TableName": "t", "ExclusiveStartKey": {"k": 1}}]


def test_pages_stop_when_the_caller_stops() -> None:
    db = FakeClient([{"Items": [1], "LastEvaluatedKey": {"k": 1}}, {"Items": [2]}])
    assert next(pages(db, "query", TableName="t"))["Items"] == [1]
    assert len(db.calls) == 1


def test_cancellation_codes_in_order() -> None:
    class Cancelled(Exception):
        def __init__(self, response: dict[str, Any]) -> None:
            self.response = response

    reasons = [{"Code": "None"}, {"Code": "ConditionalCheckFailed"}, {}]
    codes = cancellation_codes(Cancelled({"CancellationReasons": reasons}))
    assert codes == ["None", "ConditionalCheckFailed", None]
    assert cancellation_codes(Cancelled({})) == []
    assert failed_conditions(Cancelled({"CancellationReasons": reasons})) == {1}
    assert failed_conditions(Cancelled({})) == set()


def test_attributes_of_a_low_level_item() -> None:
    item = {"s": {"S": "x"}, "n": {"N": "42"}, "null": {"NULL": True}}
    assert text_attr(item, "s") == "x"
    assert text_attr(item, "null") is None
    assert text_attr(item, "absent") is None
    assert int_attr(item, "n") == 42
    assert int_attr(item, "s") == 0
    assert int_attr(item, "absent", 7) == 7


class Cancelled(Exception):
    def __init__(self, codes: list[str | None]) -> None:
        super().__init__("cancelled")
        self.response = {"CancellationReasons": [{"Code": c} if c else {} for c in codes]}


class Transactions:
    class exceptions:
        TransactionCanceledException = Cancelled

    def __init__(self, codes: list[str | None] | None = None, *,
                 conflicts: int = 0) -> None:
        self.codes = codes
        self.conflicts = conflicts  # the first calls cancelled by other transactions
        self.calls = 0
        self.written: list[list[Any]] = []

    def transact_write_items(self, TransactItems: list[Any]) -> None:
        self.calls += 1
        if self.calls <= self.conflicts:
            raise Cancelled(["None", "TransactionConflict"])
        if self.codes is not None:
            raise Cancelled(self.codes)
        self.written.append(TransactItems)


class Taken(Exception):
    pass


class Full(Exception):
    pass


def test_a_transaction_that_applies_raises_nothing() -> None:
    db = Transactions()
    transact(db, [{"Put": {}}], {0: Taken})
    assert db.written == [[{"Put": {}}]]


def test_the_first_refusal_in_its_order_whose_condition_failed_is_raised() -> None:
    db = Transactions(["None", "ConditionalCheckFailed", "ConditionalCheckFailed"])
    with pytest.raises(Full):
        transact(db, [{}, {}, {}], {0: Taken, 2: Full, 1: Taken})
    with pytest.raises(Taken):
        transact(db, [{}, {}, {}], {1: Taken, 2: Full})


def test_a_cancellation_no_refusal_names_is_raised_as_it_came() -> None:
    with pytest.raises(Cancelled):
        transact(Transactions(["ValidationError", None]), [{}, {}], {0: Taken})


def test_a_transaction_in_conflict_with_others_is_sent_again_with_growing_pauses() -> None:
    db, pauses = Transactions(conflicts=3), list[float]()
    write_transaction(db, [{"Put": {}}], sleep=pauses.append)
    assert (db.calls, db.written) == (4, [[{"Put": {}}]])
    assert len(pauses) == 3
    for pause, full in zip(pauses, (0.02, 0.04, 0.08), strict=True):
        assert full / 2 <= pause <= full


def test_a_condition_that_fails_after_a_conflict_is_the_callers_refusal() -> None:
    db = Transactions(["ConditionalCheckFailed", "None"], conflicts=1)
    with pytest.raises(Taken):
        transact(db, [{}, {}], {0: Taken})
    assert db.calls == 2


def test_conflicts_on_every_attempt_are_a_503_to_send_again_with_nothing_written() -> None:
    db, pauses = Transactions(conflicts=100), list[float]()
    with pytest.raises(Unavailable) as raised:
        write_transaction(db, [{}], attempts=4, sleep=pauses.append)
    assert (db.calls, db.written, len(pauses)) == (4, [], 3)
    assert raised.value.retry_after == 1


def test_a_cancellation_with_a_failed_condition_is_not_sent_again() -> None:
    db = Transactions(["TransactionConflict", "ConditionalCheckFailed"])
    with pytest.raises(Cancelled):
        write_transaction(db, [{}, {}], sleep=lambda _: None)
    assert db.calls == 1


class BatchClient:
    """BatchWriteItem that leaves the last request of each of its first ``throttled`` calls
    unprocessed, as DynamoDB does when throttled."""

    def __init__(self, throttled: int) -> None:
        self.throttled = throttled
        self.calls: list[list[dict[str, Any]]] = []
        self.written: list[dict[str, Any]] = []

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        (table, requests), = RequestItems.items()
        self.calls.append(requests)
        left = requests[-1:] if len(self.calls) <= self.throttled else []
        self.written += [r["PutRequest"]["Item"] for r in requests[:len(requests) - len(left)]]
        return {"UnprocessedItems": {table: left} if left else {}}


def test_a_batch_put_goes_25_a_call_and_sends_the_unprocessed_again() -> None:
    items = [{"pk": {"S": str(n)}} for n in range(60)]
    db, pauses = BatchClient(throttled=2), list[float]()
    batch_put(db, "t", items, sleep=pauses.append)
    assert [len(call) for call in db.calls] == [25, 1, 1, 25, 10]  # 24+1, then 0 left over
    assert sorted(db.written, key=lambda i: int(i["pk"]["S"])) == items
    assert pauses == [0.05, 0.1]


def test_a_batch_put_still_throttled_after_its_attempts_is_an_error() -> None:
    db = BatchClient(throttled=99)
    with pytest.raises(RuntimeError, match="not written after 3 attempts"):
        batch_put(db, "t", [{"pk": {"S": "1"}}, {"pk": {"S": "2"}}], attempts=3,
                  sleep=lambda _: None)
    assert len(db.calls) == 3


class GetClient:
    """BatchGetItem over ``stored`` that leaves the last key of its first call unprocessed."""

    def __init__(self, stored: set[str]) -> None:
        self.stored = stored
        self.calls: list[dict[str, Any]] = []

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        (table, request), = RequestItems.items()
        self.calls.append(request)
        keys = request["Keys"]
        left = keys[-1:] if len(self.calls) == 1 else []
        found = [k for k in keys[:len(keys) - len(left)] if k["pk"]["S"] in self.stored]
        return {"Responses": {table: found},
                "UnprocessedKeys": {table: {**request, "Keys": left}} if left else {}}


def test_a_batch_get_answers_the_items_there_100_keys_a_call_consistently() -> None:
    keys = [{"pk": {"S": str(n)}} for n in range(150)]
    db = GetClient({"3", "99", "149"})
    found = batch_get(db, "t", keys, sleep=lambda _: None, ProjectionExpression="pk")
    assert sorted(int(i["pk"]["S"]) for i in found) == [3, 99, 149]
    assert [len(c["Keys"]) for c in db.calls] == [100, 1, 50]
    assert all(c["ConsistentRead"] and c["ProjectionExpression"] == "pk" for c in db.calls)


def test_items_round_trip_with_whole_numbers_as_ints_and_no_floats() -> None:
    values = {"id": "c1", "fen": 226_000, "rate": Decimal("0.0125"), "gone": None,
              "figures": {"months": {"2026-09": 0}, "growth": "3.0000"}, "tags": {"b", "a"},
              "announced": True}
    item = to_item(values)
    assert "gone" not in item
    assert item["fen"] == {"N": "226000"}
    assert from_item(item) == {"id": "c1", "fen": 226_000, "rate": "0.0125",
                               "figures": {"months": {"2026-09": 0}, "growth": "3.0000"},
                               "tags": ["a", "b"], "announced": True}
