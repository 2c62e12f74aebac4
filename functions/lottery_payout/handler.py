"""The payout worker: ``PrizeWon`` messages (EventBridge rule → SQS) → the payment provider
of the method the person chose → the draw's payout state ``paid`` (→ ``PrizePaid`` through
the draws table's stream). A failed record is reported alone (``batchItemFailures``) and
hidden for a backoff that doubles with each receive; after the last receive the draw is
``failed`` and the message rests in the dead-letter queue (``scripts/redrive.py`` sends it
back)."""

from __future__ import annotations

import os

from etax.lottery.payout import PayoutService, backoff_seconds
from etax.lottery.providers import ProviderError
from etax.lottery.repository import LotteryRepository
from etax.platform.aws import lazy
from etax.platform.consumer import Backoff, consumer, detail_of
from etax.platform.observability import instrument
from etax.platform.partners import adapter
from etax.platform.settings import required
from etax.simulations.payouts import simulated_adapters

sqs = lazy("sqs")
MAX_RECEIVES = int(os.environ.get("PAYOUT_MAX_RECEIVES", "3"))
BACKOFF_BASE_SECONDS = int(os.environ.get("PAYOUT_BACKOFF_SECONDS", "30"))
service = PayoutService(
    LotteryRepository(),
    adapter("payout", simulated=lambda: simulated_adapters(
        lazy("dynamodb"), required("LOTTERY_LEDGER_TABLE"),
        timeout_seconds=float(os.environ.get("PAYOUT_TIMEOUT_SECONDS", "2")),
        slow_seconds=float(os.environ.get("PAYOUT_SIMULATED_SLOW_SECONDS", "4")))),
    max_receives=MAX_RECEIVES,
)
handler = instrument(consumer(
    "payout", lambda body: detail_of(body)["invoice_number"],
    service.settle, expected=(ProviderError,),
    describe=lambda number: {"invoice_number": number},
    backoff=Backoff(sqs, "PAYOUT_QUEUE_URL",
                    lambda receives: backoff_seconds(receives, BACKOFF_BASE_SECONDS))))
