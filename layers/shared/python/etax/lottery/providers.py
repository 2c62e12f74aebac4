"""Payment providers for prizes: one adapter per method (WeChat Pay, Alipay, bank transfer).

The real providers' APIs (WeChat Pay's transfer to balance, Alipay's fund transfer,
a bank's payout) are reached from a cloud account with merchant credentials this
project does not have. The pipeline talks to a :class:`PayoutAdapter` in front of a
:class:`Provider`; locally and in tests each method is served by a simulated provider
(:mod:`etax.simulations.payouts`), chosen by the payout handler, which is **idempotent on
the payment id** (the draw id: asking twice returns the first payment, never a second one —
what real providers offer with their ``out_batch_no`` / ``out_biz_no`` / end-to-end id, and
what makes a repeated SQS message harmless), keeps its books in ``LOTTERY_LEDGER_TABLE``,
and **fails and times out deterministically**, driven by the account text: ``FAIL``
anywhere in the account → always rejected; ``FLAKY`` → unavailable on the first attempt,
then pays; ``SLOW`` → on the first attempt it pays but answers after the adapter's timeout
(an ambiguous outcome, as with a real network timeout: the retry must find the payment, not
make another).

The adapter enforces the timeout (the call runs in a worker thread) and turns
every provider failure into a :class:`ProviderError` the worker retries.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Protocol

from etax.lottery.requests import Method
from etax.platform.partners import PartnerError, PartnerRefused, PartnerUnavailable

METHODS: tuple[Method, ...] = ("wechat", "alipay", "bank")

# the provider did not confirm the payment; the worker retries later
ProviderError = PartnerError
# the provider refused the payment (e.g. the account does not exist)
ProviderRejected = PartnerRefused
# the provider could not be reached or answered an error
ProviderUnavailable = PartnerUnavailable


class ProviderTimeout(PartnerUnavailable):
    """No answer within the adapter's timeout: the payment may or may not have happened."""


@dataclass(frozen=True, slots=True)
class Payment:
    payment_id: str
    reference: str
    amount_fen: int
    paid_at: str


class Provider(Protocol):
    """One method's payment provider."""

    @property
    def method(self) -> str: ...

    def transfer(self, payment_id: str, account: str, amount_fen: int) -> Payment: ...


_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="payout")


class PayoutAdapter:
    """Calls one provider with a deadline; every failure becomes a :class:`ProviderError`."""

    def __init__(self, provider: Provider, timeout_seconds: float) -> None:
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

