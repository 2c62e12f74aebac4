"""Paying prizes: the payout state machine and the worker's logic.

States of a draw's payout (``payout_state`` on the draw item)::

    none      no prize (no_prize, sold_out): nothing to pay, ever
    pending   won; a PrizeWon message is on its way to the worker
    paid      the provider confirmed the payment            (terminal)
    failed    the last delivery before the dead-letter queue failed;
              a redriven message may still pay it

    pending --paid--> paid        failed --paid--> paid
    pending --gave up--> failed

Every move is a conditional update on the draw (``payout_state IN (…)``), so a
message delivered twice, late or out of order cannot move a draw twice; and the
provider is asked with the draw id as its idempotency key, so a payment retried
after an ambiguous failure (a timeout) is found, not made again. Together: at most
one payment per draw, whatever the deliveries.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Final, Protocol

from etax.lottery.providers import Payment, ProviderError
from etax.lottery.stored import FAILED, NONE, PAID, PENDING, StoredDraw

STATES: Final = frozenset({NONE, PENDING, PAID, FAILED})
TRANSITIONS: Final = frozenset({(PENDING, PAID), (FAILED, PAID), (PENDING, FAILED)})
MAX_BACKOFF_SECONDS = 900


def can_move(source: str, target: str) -> bool:
    return (source, target) in TRANSITIONS


def backoff_seconds(receive_count: int, base_seconds: int) -> int:
    """How long a failed message stays hidden before its next delivery: doubling with each
    receive (``base``, ``2·base``, ``4·base`` …), at most 15 minutes."""
    return int(min(base_seconds * 2 ** max(receive_count - 1, 0), MAX_BACKOFF_SECONDS))


class Repository(Protocol):
    def get_draw(self, number: str, *, consistent: bool = False) -> StoredDraw | None: ...

    def mark_paid(self, number: str, *, provider_ref: str, paid_at: str) -> bool: ...

    def record_failure(self, number: str, *, error: str, at: str) -> bool: ...

    def mark_failed(self, number: str, *, at: str) -> bool: ...


class Adapter(Protocol):
    def pay(self, payment_id: str, account: str, amount_fen: int) -> Payment: ...


class PayoutService:
    def __init__(self, repository: Repository, adapters: Mapping[str, Adapter], *,
                 max_receives: int, now: Callable[[], datetime] = lambda: datetime.now(UTC)
                 ) -> None:
        self.repository = repository
        self.adapters = adapters
        self.max_receives = max_receives
        self.now = now

    def settle(self, number: str, receive_count: int) -> str:
        """Pay the prize of invoice ``number`` if it is still owed; return the payout state.

        Raises :class:`ProviderError` when the provider did not confirm, after counting
        the attempt (and, on the last delivery before the dead-letter queue, moving the
        draw to ``failed``), so the message is retried or dead-lettered.
        """
        draw = self.repository.get_draw(number, consistent=True)
        if draw is None or draw.payout_state in (NONE, PAID):
            return draw.payout_state if draw is not None else NONE
        if draw.payout_method is None or draw.payout_account is None:
            raise ValueError(f"draw {draw.draw_id} is owed but has no payout account")
        adapter = self.adapters[draw.payout_method]
        try:
            payment = adapter.pay(draw.draw_id, draw.payout_account, draw.prize_fen)
        except ProviderError as error:
            at = self.now().astimezone(UTC).isoformat()
            self.repository.record_failure(number, error=str(error), at=at)
            if receive_count >= self.max_receives:
                self.repository.mark_failed(number, at=at)
            raise
        self.repository.mark_paid(number, provider_ref=payment.reference,
                                  paid_at=payment.paid_at)
        return PAID
