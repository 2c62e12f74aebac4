"""Real-name verification of natural persons through a bank (银行卡实名核验).

:class:`BankVerifier` is the port; a real adapter calls a bank's or a clearing house's
four-element check (name, ID number, card, phone). Locally and in tests the simulated bank
(:mod:`etax.simulations.bank`, chosen by the handlers) answers by rules that tests and demos
control through the card number's last four digits. The card number is never stored;
registrations keep its last four digits and the bank's reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from etax.platform.partners import PartnerUnavailable


@dataclass(frozen=True, slots=True)
class Verdict:
    matched: bool
    reference: str
    mismatched_field: str | None = None   # which element the bank says does not belong
    message: str = ""


class BankVerifier(Protocol):
    def verify(self, *, name: str, resident_id: str, bank_card: str, phone: str) -> Verdict: ...


class AccountVerifier(Protocol):
    """A bank's check that an account is held by the named person or enterprise (the refund
    pipeline pays only into an account the bank confirms is the applicant's)."""

    def verify_account(self, *, name: str, id_number: str, account: str) -> Verdict: ...


# the bank could not answer (try again later)
VerifierUnavailable = PartnerUnavailable
