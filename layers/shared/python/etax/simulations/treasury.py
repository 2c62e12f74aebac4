"""The simulated State Treasury that pays refunds (see :mod:`etax.refunds.treasury`).

Its books are the table ``REFUND_TREASURY_TABLE``: ``payment#<key>`` is a payment, written
once per key (the same key with another account or amount is refused); an item
``frozen#<account>`` makes it refuse payments to that account until the mark is lifted.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from etax.platform.partners import PartnerRefused
from etax.refunds.treasury import Payment
from etax.simulations.ledger import PartnerLedger, Record

SAME = ("account", "amount_fen")


class SimulatedTreasury:
    """The treasury's books over one table (see the module doc)."""

    def __init__(self, client: Any, table: str) -> None:
        self.ledger = PartnerLedger(client, table)

    def pay(self, key: str, account: str, amount_fen: int) -> Payment:
        if amount_fen <= 0:
            raise PartnerRefused(f"payment {key}: the amount must be positive")
        conflict = f"payment {key} exists with another account or amount"
        wanted: Record = {"account": account, "amount_fen": amount_fen}
        found = self.ledger.recorded(f"payment#{key}", wanted, same=SAME, conflict=conflict)
        if found is not None:
            return self._payment(key, found)
        if self.ledger.marked(f"frozen#{account}"):
            raise PartnerRefused(f"account {account[-4:]} is frozen: the bank cannot "
                                 "credit it")
        record, _ = self.ledger.record_once(
            f"payment#{key}", {"reference": f"GK{uuid.uuid4().hex[:18].upper()}", **wanted,
                               "paid_at": datetime.now(UTC).isoformat()},
            same=SAME, conflict=conflict)
        return self._payment(key, record)

    @staticmethod
    def _payment(key: str, record: Record) -> Payment:
        return Payment(key, str(record["reference"]), str(record["account"]),
                       int(record["amount_fen"]), str(record["paid_at"]))

    def find(self, key: str) -> Payment | None:
        record = self.ledger.find(f"payment#{key}")
        return None if record is None else self._payment(key, record)
