"""The State Treasury (国库) that pays refunds: an adapter, and a simulated treasury.

A real refund is paid by the treasury (退库) to the taxpayer's bank account on the tax
office's instruction, through an interface this project cannot reach without the treasury's
credentials. The pipeline talks to :class:`TreasuryAdapter`; locally and in tests it is served
by the simulated treasury (:mod:`etax.simulations.treasury`, chosen by the payment handler),
which behaves the way the pipeline must survive:

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

from dataclasses import dataclass
from typing import Protocol

from etax.platform.partners import PartnerError, PartnerRefused, PartnerUnavailable

# the treasury did not pay; the payment stage retries later
TreasuryError = PartnerError
# the treasury refused the instruction (a frozen account, a conflicting key)
TreasuryRejected = PartnerRefused


@dataclass(frozen=True, slots=True)
class Payment:
    key: str
    reference: str
    account: str
    amount_fen: int
    paid_at: str


class Treasury(Protocol):
    def pay(self, key: str, account: str, amount_fen: int) -> Payment: ...


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
            raise PartnerUnavailable(f"treasury unavailable: {error}") from error
