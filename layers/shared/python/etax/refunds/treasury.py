"""The State Treasury (国库) that pays refunds: an adapter, and a simulated treasury.

A real refund is paid by the treasury (退库) to the taxpayer's bank account on the tax
office's instruction, through an interface this project cannot reach without the treasury's
credentials. The pipeline talks to :class:`TreasuryAdapter`; locally and in tests it is served
by :class:`SimulatedTreasury`, which behaves the way the pipeline must survive:

* it is **idempotent by payment key** (the case id): a second instruction with the same key
  returns the first payment, never a second one, so a payment retried after a crash or a
  timeout is found, not made again; the same key with another amount or account is refused;
* it keeps its own books in a small table (``REFUND_TREASURY_TABLE``, ``payment#<key>``),
  so tests can count payments;
* it refuses payments to an account marked frozen (an item ``frozen#<account>``): the bank
  cannot credit it until the mark is lifted — the failure the dead-letter queue and the
  redrive script exist for.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol


class TreasuryError(Exception):
    """The treasury did not pay; the payment stage retries later."""


class TreasuryRejected(TreasuryError):
    """The treasury refused the instruction (a frozen account, a conflicting key)."""


@dataclass(frozen=True, slots=True)
class Payment:
    key: str
    reference: str
    account: str
    amount_fen: int
    paid_at: str


class Treasury(Protocol):
    def pay(self, key: str, account: str, amount_fen: int) -> Payment: ...


class SimulatedTreasury:
    """The treasury's books over one table (see the module doc)."""

    def __init__(self, client: Any, table: str) -> None:
        self.db = client
        self.table = table

    def pay(self, key: str, account: str, amount_fen: int) -> Payment:
        if amount_fen <= 0:
            raise TreasuryRejected(f"payment {key}: the amount must be positive")
        found = self.find(key)
        if found is not None:
            return self._same(found, account, amount_fen)
        frozen = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                  Key={"key": {"S": f"frozen#{account}"}}).get("Item")
        if frozen:
            raise TreasuryRejected(f"account {account[-4:]} is frozen: the bank cannot "
                                   "credit it")
        payment = Payment(key, f"GK{uuid.uuid4().hex[:18].upper()}", account, amount_fen,
                          datetime.now(UTC).isoformat())
        try:
            self.db.put_item(
                TableName=self.table,
                Item={"key": {"S": f"payment#{key}"}, "reference": {"S": payment.reference},
                      "account": {"S": account}, "amount_fen": {"N": str(amount_fen)},
                      "paid_at": {"S": payment.paid_at}},
                ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": "key"})
        except self.db.exceptions.ConditionalCheckFailedException:
            # another instruction with this key won the race: that one is the payment
            raced = self.find(key)
            if raced is None:  # pragma: no cover - a conditional failure means it exists
                raise TreasuryError(f"payment {key}: lost and not found") from None
            return self._same(raced, account, amount_fen)
        return payment

    @staticmethod
    def _same(payment: Payment, account: str, amount_fen: int) -> Payment:
        if (payment.account, payment.amount_fen) != (account, amount_fen):
            raise TreasuryRejected(f"payment {payment.key} exists with another account or "
                                   "amount")
        return payment

    def find(self, key: str) -> Payment | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                Key={"key": {"S": f"payment#{key}"}}).get("Item")
        if not item:
            return None
        return Payment(key, item["reference"]["S"], item["account"]["S"],
                       int(item["amount_fen"]["N"]), item["paid_at"]["S"])


class TreasuryAdapter:
    """What the payment stage calls: every failure of the treasury becomes a
    :class:`TreasuryError` (retried), never a half-known outcome."""

    def __init__(self, treasury: Treasury) -> None:
        self.treasury = treasury

    def pay(self, key: str, account: str, amount_fen: int) -> Payment:
        try:
            return self.treasury.pay(key, account, amount_fen)
        except TreasuryError:
            raise
        except Exception as error:  # the treasury's transport failed: retry later
            raise TreasuryError(f"treasury unavailable: {error}") from error
