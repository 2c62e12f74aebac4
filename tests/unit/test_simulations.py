"""The simulated partners' kit (etax.simulations.ledger) and the partners built on it, over an
in-memory fake of the few DynamoDB calls the ledger makes."""

from __future__ import annotations

from typing import Any

import pytest

from etax.platform.partners import PartnerError, PartnerRefused, PartnerUnavailable
from etax.simulations.carrier import SimulatedCarrier
from etax.simulations.channels import SimulatedProvider as Channel
from etax.simulations.ledger import Markers, PartnerLedger, transport
from etax.simulations.payouts import SimulatedProvider as Payout
from etax.simulations.treasury import SimulatedTreasury
from etax.supply.logistics import Parcel


class ConditionalCheckFailedException(Exception):
    pass


class FakeDynamo:
    """update_item ADD, get_item and a put_item with attribute_not_exists, in memory."""

    class exceptions:
        ConditionalCheckFailedException = ConditionalCheckFailedException

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, dict[str, Any]]] = {}
        self.puts = 0

    def _id(self, key: dict[str, dict[str, str]]) -> str:
        (value,) = key.values()
        return value["S"]

    def update_item(self, *, TableName: str, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        item = self.tables.setdefault(TableName, {}).setdefault(self._id(Key), dict(Key))
        attempts = int(item.get("attempts", {"N": "0"})["N"]) + 1
        item["attempts"] = {"N": str(attempts)}
        return {"Attributes": {"attempts": item["attempts"]}}

    def get_item(self, *, TableName: str, Key: dict[str, Any], **_: Any) -> dict[str, Any]:
        item = self.tables.get(TableName, {}).get(self._id(Key))
        return {"Item": dict(item)} if item else {}

    def put_item(self, *, TableName: str, Item: dict[str, Any], ConditionExpression: str,
                 ExpressionAttributeNames: dict[str, str]) -> None:
        assert ConditionExpression == "attribute_not_exists(#k)"
        key = {ExpressionAttributeNames["#k"]: Item[ExpressionAttributeNames["#k"]]}
        table = self.tables.setdefault(TableName, {})
        if self._id(key) in table:
            raise ConditionalCheckFailedException()
        self.puts += 1
        table[self._id(key)] = dict(Item)


@pytest.fixture
def db() -> FakeDynamo:
    return FakeDynamo()


def test_attempts_are_counted_per_key(db: FakeDynamo) -> None:
    ledger = PartnerLedger(db, "books")
    assert [ledger.attempt("a"), ledger.attempt("a"), ledger.attempt("b")] == [1, 2, 1]


def test_a_record_is_written_once_per_key(db: FakeDynamo) -> None:
    ledger = PartnerLedger(db, "books")
    first, wrote = ledger.record_once("payment#1", {"reference": "R1", "amount_fen": 100})
    again, wrote_again = ledger.record_once("payment#1", {"reference": "R2", "amount_fen": 100},
                                            same=("amount_fen",), conflict="x")
    assert (wrote, wrote_again, db.puts) == (True, False, 1)
    assert first == again == {"reference": "R1", "amount_fen": 100}
    assert db.tables["books"]["payment#1"]["amount_fen"] == {"N": "100"}


def test_the_same_key_with_another_payload_is_refused(db: FakeDynamo) -> None:
    ledger = PartnerLedger(db, "books")
    ledger.record_once("payment#1", {"reference": "R1", "amount_fen": 100})
    with pytest.raises(PartnerRefused, match="another amount"):
        ledger.record_once("payment#1", {"reference": "R2", "amount_fen": 101},
                           same=("amount_fen",), conflict="another amount")
    with pytest.raises(PartnerRefused):
        ledger.recorded("payment#1", {"amount_fen": 101}, same=("amount_fen",))
    assert ledger.recorded("payment#2", {"amount_fen": 101}) is None


def test_the_key_attribute_and_marks(db: FakeDynamo) -> None:
    ledger = PartnerLedger(db, "supply", key_attribute="id")
    ledger.record_once("carrier#X", {"shipped_at": "t"})
    assert "id" in db.tables["supply"]["carrier#X"]
    assert ledger.find("carrier#X") == {"shipped_at": "t"}
    assert ledger.marked("carrier#X")
    assert not ledger.marked("frozen#1")


def test_markers_switch_the_behaviour_by_text_and_attempt() -> None:
    assert Markers("6222FAIL").fails
    assert not Markers("6222").fails
    assert Markers("FLAKY-1", 1).flaky_now
    assert not Markers("FLAKY-1", 2).flaky_now
    assert Markers("SLOW", 1).slow_now
    assert not Markers("SLOW", 2).slow_now
    assert not Markers("FLAKY").fails


def test_transport_failures_become_transient_partner_errors() -> None:
    with pytest.raises(PartnerUnavailable, match="sms: boom"), transport("sms"):
        raise OSError("boom")
    with pytest.raises(PartnerRefused), transport("sms"):
        raise PartnerRefused("no")
    assert issubclass(PartnerRefused, PartnerError)


def test_a_flaky_then_slow_payout_pays_once(db: FakeDynamo) -> None:
    slept: list[float] = []
    payout = Payout("wechat", db, "ledger", slow_seconds=5, sleep=slept.append)
    with pytest.raises(PartnerUnavailable):
        payout.transfer("d1", "FLAKY-acct", 500)
    paid = payout.transfer("d1", "FLAKY-acct", 500)
    assert paid.reference.startswith("WX")
    assert payout.find("d1") == paid
    assert payout.transfer("d1", "FLAKY-acct", 500) == paid
    with pytest.raises(PartnerRefused, match="another amount"):
        payout.transfer("d1", "FLAKY-acct", 600)
    slow = payout.transfer("d2", "SLOW-acct", 500)
    assert slept == [5]
    assert payout.transfer("d2", "SLOW-acct", 500) == slow
    assert slept == [5]
    with pytest.raises(PartnerRefused):
        payout.transfer("d3", "FAIL-acct", 500)


def test_a_blocked_address_is_refused_until_the_block_is_lifted(db: FakeDynamo) -> None:
    channel = Channel("wechat", db, "ledger")
    db.tables.setdefault("ledger", {})["blocked#wechat#oid"] = {"key": {"S": "blocked#wechat#oid"}}
    with pytest.raises(PartnerRefused):
        channel.send("n1#wechat", "oid", {"title": "t"})
    del db.tables["ledger"]["blocked#wechat#oid"]
    sent = channel.send("n1#wechat", "oid", {"title": "t"})
    assert channel.send("n1#wechat", "oid", {"title": "t"}) == sent
    assert db.tables["ledger"]["sent#wechat#n1#wechat"]["content"] == {"S": "title: t"}


def test_the_treasury_finds_a_paid_key_even_once_the_account_is_frozen(db: FakeDynamo) -> None:
    treasury = SimulatedTreasury(db, "treasury")
    paid = treasury.pay("case-1", "6222000011112222", 1000)
    db.tables["treasury"]["frozen#6222000011112222"] = {"key": {"S": "frozen#6222000011112222"}}
    assert treasury.pay("case-1", "6222000011112222", 1000) == paid
    with pytest.raises(PartnerRefused, match="frozen"):
        treasury.pay("case-2", "6222000011112222", 1000)
    with pytest.raises(PartnerRefused, match="another account or amount"):
        treasury.pay("case-1", "6222000011113333", 1000)


def test_the_carrier_posts_a_shipment_once(db: FakeDynamo) -> None:
    from datetime import UTC, datetime, timedelta
    clock = [datetime(2026, 3, 2, 9, tzinfo=UTC)]
    carrier = SimulatedCarrier(db, "supply", step_seconds=60, now=lambda: clock[0])
    parcel = Parcel("张三", "13800138000", "北京", "invoices")
    first = carrier.ship("S1", parcel)
    clock[0] += timedelta(minutes=10)
    assert carrier.ship("S1", parcel) == first
    assert db.puts == 1
    assert [e.status for e in carrier.track(first.tracking_no)][-1] == "delivered"
    assert carrier.track("nope") == []
