"""Real-name verification of natural persons through a bank (银行卡实名核验).

:class:`BankVerifier` is the port; a real adapter calls a bank's or a clearing house's
four-element check (name, ID number, card, phone). :class:`SimulatedBank` answers by rules
that tests and demos control through the card number (like the lottery's simulated payment
providers): see :data:`SIMULATED_RULES`. The card number is never stored; registrations keep
its last four digits and the bank's reference.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol


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


class VerifierUnavailable(Exception):
    """The bank could not answer (try again later)."""


# card number suffix → (mismatched field, message); anything else matches.
SIMULATED_RULES: dict[str, tuple[str, str]] = {
    "0000": ("name", "the name does not match the card holder"),
    "1111": ("resident_id", "the ID number does not match the card holder"),
    "2222": ("phone", "the phone number is not the one the bank holds for this card"),
}
SIMULATED_UNAVAILABLE_SUFFIX = "9990"


class SimulatedBank:
    """A bank whose answers are decided by the card or account number's last four digits
    (documented in the README): ``0000`` name mismatch, ``1111`` ID mismatch, ``2222`` phone
    mismatch (cards only), ``9990`` unavailable; any other number matches."""

    def verify(self, *, name: str, resident_id: str, bank_card: str, phone: str) -> Verdict:
        digest = hashlib.sha256(f"{resident_id}|{bank_card}".encode()).hexdigest()[:16]
        reference = f"SIMBANK-{digest}"
        suffix = bank_card[-4:]
        if suffix == SIMULATED_UNAVAILABLE_SUFFIX:
            raise VerifierUnavailable("the simulated bank is unavailable for this card")
        if suffix in SIMULATED_RULES:
            field, message = SIMULATED_RULES[suffix]
            return Verdict(False, reference, field, message)
        return Verdict(True, reference)

    def verify_account(self, *, name: str, id_number: str, account: str) -> Verdict:
        digest = hashlib.sha256(f"{id_number}|{account}".encode()).hexdigest()[:16]
        reference = f"SIMBANK-{digest}"
        suffix = account[-4:]
        if suffix == SIMULATED_UNAVAILABLE_SUFFIX:
            raise VerifierUnavailable("the simulated bank is unavailable for this account")
        if suffix in SIMULATED_RULES and SIMULATED_RULES[suffix][0] != "phone":
            field, _ = SIMULATED_RULES[suffix]
            return Verdict(False, reference, field,
                           "the account holder's name is not the applicant's" if field == "name"
                           else "the account is not held under the applicant's identity")
        return Verdict(True, reference)
