"""Payment providers for prizes: one adapter per method (WeChat Pay, Alipay, bank transfer).

The real providers' APIs (WeChat Pay's transfer to balance, Alipay's fund transfer,
a bank's payout) are reached from a cloud account with merchant credentials this
project does not have, so each method is served here by a **simulated provider**
that behaves the way the pipeline must survive:

* it is **idempotent on the payment id** (the draw id): asking twice returns the
  first payment, never a second one — exactly what real providers offer with
  their ``out_batch_no`` / ``out_biz_no`` / end-to-end id, and what makes a
  repeated SQS message harmless;
* it records what it paid in its own small ledger table (``LOTTERY_LEDGER_TABLE``,
  standing for the provider's books), so tests can count payments;
* it **fails and times out deterministically**, driven by the account text:
  ``FAIL`` anywhere in the account → always rejected; ``FLAKY`` → unavailable
  on the first attempt, then pays; ``SLOW`` → on the first attempt it pays but
  answers after the adapter's timeout (an ambiguous outcome, as with a real
  network timeout: the retry must find the payment, not make another).

The adapter enforces the timeout (the call runs in a worker thread) and turns
every provider failure into a :class:`ProviderError` the worker retries.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from etax.lottery.requests import Method

METHODS: tuple[Method, ...] = ("wechat", "alipay", "bank")
REFERENCE_PREFIX = {"wechat": "WX", "alipay": "ALI", "bank": "BANK"}


class ProviderError(Exception):
    """The provider did not confirm the payment; the worker retries later."""


class ProviderRejected(ProviderError):
    """The provider refused the payment (e.g. the account does not exist)."""


class ProviderUnavailable(ProviderError):
    """The provider could not be reached or answered an error."""


class ProviderTimeout(ProviderError):
    """No answer within the adapter's timeout: the payment may or may not have happened."""


@dataclass(frozen=True, slots=True)
class Payment:
    payment_id: str
    reference: str
    amount_fen: int
    paid_at: str


class SimulatedProvider:
    """One payment provider, simulated over its ledger table (see the module doc)."""

    def __init__(self, method: Method, client: Any, ledger_table: str, *,
                 slow_seconds: float = 3.0, sleep: Callable[[float], None] = time.sleep) -> None:
        self.method = method
        self.db = client
        self.table = ledger_table
        self.slow_seconds = slow_seconds
        self.sleep = sleep

    def _attempt(self, payment_id: str) -> int:
        answer = self.db.update_item(
            TableName=self.table, Key={"key": {"S": f"attempt#{self.method}#{payment_id}"}},
            UpdateExpression="ADD attempts :one",
            ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW")
        return int(answer["Attributes"]["attempts"]["N"])

    def transfer(self, payment_id: str, account: str, amount_fen: int) -> Payment:
        attempt = self._attempt(payment_id)
        if "FAIL" in account:
            raise ProviderRejected(f"{self.method}: account {account[-4:]} cannot receive "
                                   "payments")
        if "FLAKY" in account and attempt == 1:
            raise ProviderUnavailable(f"{self.method}: service busy, try again")
        paid_at = datetime.now(UTC).isoformat()
        reference = f"{REFERENCE_PREFIX[self.method]}{uuid.uuid4().hex[:20].upper()}"
        try:
            self.db.put_item(
                TableName=self.table,
                Item={"key": {"S": f"payment#{self.method}#{payment_id}"},
                      "reference": {"S": reference}, "account": {"S": account},
                      "amount_fen": {"N": str(amount_fen)}, "paid_at": {"S": paid_at}},
                ConditionExpression="attribute_not_exists(#k)",
                ExpressionAttributeNames={"#k": "key"})
            payment = Payment(payment_id, reference, amount_fen, paid_at)
        except self.db.exceptions.ConditionalCheckFailedException:
            payment = self.find(payment_id) or Payment(payment_id, reference, amount_fen,
                                                       paid_at)
            if payment.amount_fen != amount_fen:
                raise ProviderRejected(f"payment {payment_id} exists with another "
                                       "amount") from None
        if "SLOW" in account and attempt == 1:
            self.sleep(self.slow_seconds)
        return payment

    def find(self, payment_id: str) -> Payment | None:
        item = self.db.get_item(TableName=self.table, ConsistentRead=True,
                                Key={"key": {"S": f"payment#{self.method}#{payment_id}"}}
                                ).get("Item")
        if not item:
            return None
        return Payment(payment_id, item["reference"]["S"], int(item["amount_fen"]["N"]),
                       item["paid_at"]["S"])


_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="payout")


class PayoutAdapter:
    """Calls one provider with a deadline; every failure becomes a :class:`ProviderError`."""

    def __init__(self, provider: SimulatedProvider, timeout_seconds: float) -> None:
        self.provider = provider
        self.timeout_seconds = timeout_seconds

    def pay(self, payment_id: str, account: str, amount_fen: int) -> Payment:
        future = _pool.submit(self.provider.transfer, payment_id, account, amount_fen)
        try:
            return future.result(timeout=self.timeout_seconds)
        except FutureTimeout:
            raise ProviderTimeout(f"{self.provider.method}: no answer within "
                                  f"{self.timeout_seconds:g} s") from None
        except ProviderError:
            raise
        except Exception as error:  # the provider's transport failed: retry later
            raise ProviderUnavailable(f"{self.provider.method}: {error}") from error


def simulated_adapters(client: Any, ledger_table: str, *, timeout_seconds: float,
                       slow_seconds: float) -> dict[str, PayoutAdapter]:
    return {method: PayoutAdapter(SimulatedProvider(method, client, ledger_table,
                                                    slow_seconds=slow_seconds), timeout_seconds)
            for method in METHODS}
