"""Simulated prize payment providers (WeChat Pay, Alipay, bank transfer) for the lottery.

Each method's provider keeps its books in the ledger table (``LOTTERY_LEDGER_TABLE``):
``attempt#<method>#<payment id>`` counts the calls, ``payment#<method>#<payment id>`` is the
payment, written once (the same payment id with another amount is refused). The account text
switches the behaviour (:class:`~etax.simulations.ledger.Markers`): ``FAIL`` always rejected,
``FLAKY`` unavailable on the first attempt, ``SLOW`` pays on the first attempt but answers
after ``slow_seconds`` (beyond the adapter's timeout). See :mod:`etax.lottery.providers`.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from etax.lottery.providers import METHODS, Payment, PayoutAdapter
from etax.lottery.requests import Method
from etax.platform.partners import PartnerRefused, PartnerUnavailable
from etax.simulations.ledger import Markers, PartnerLedger

REFERENCE_PREFIX = {"wechat": "WX", "alipay": "ALI", "bank": "BANK"}


class SimulatedProvider:
    """One payment provider, simulated over its ledger table (see the module doc)."""

    def __init__(self, method: Method, client: Any, ledger_table: str, *,
                 slow_seconds: float = 3.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.method = method
        self.ledger = PartnerLedger(client, ledger_table)
        self.slow_seconds = slow_seconds
        self.sleep = sleep

    def transfer(self, payment_id: str, account: str, amount_fen: int) -> Payment:
        markers = Markers(account, self.ledger.attempt(f"attempt#{self.method}#{payment_id}"))
        if markers.fails:
            raise PartnerRefused(f"{self.method}: account {account[-4:]} cannot receive "
                                 "payments")
        if markers.flaky_now:
            raise PartnerUnavailable(f"{self.method}: service busy, try again")
        record, _ = self.ledger.record_once(
            f"payment#{self.method}#{payment_id}",
            {"reference": f"{REFERENCE_PREFIX[self.method]}{uuid.uuid4().hex[:20].upper()}",
             "account": account, "amount_fen": amount_fen,
             "paid_at": datetime.now(UTC).isoformat()},
            same=("amount_fen",), conflict=f"payment {payment_id} exists with another amount")
        if markers.slow_now:
            self.sleep(self.slow_seconds)
        return self._payment(payment_id, record)

    @staticmethod
    def _payment(payment_id: str, record: dict[str, Any]) -> Payment:
        return Payment(payment_id, str(record["reference"]), int(record["amount_fen"]),
                       str(record["paid_at"]))

    def find(self, payment_id: str) -> Payment | None:
        record = self.ledger.find(f"payment#{self.method}#{payment_id}")
        return None if record is None else self._payment(payment_id, record)


def simulated_adapters(client: Any, ledger_table: str, *, timeout_seconds: float,
                       slow_seconds: float) -> dict[str, PayoutAdapter]:
    return {method: PayoutAdapter(SimulatedProvider(method, client, ledger_table,
                                                    slow_seconds=slow_seconds), timeout_seconds)
            for method in METHODS}
