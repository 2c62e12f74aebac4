"""The simulated real-name bank (see :mod:`etax.acceptance.realname`): its answers are decided
by the card or account number's last four digits (:data:`SIMULATED_RULES`, documented in
docs/usage/acceptance.md), so tests and demos choose them. It keeps no books: nothing is
stored, the reference is a digest of the identity and the number.
"""

from __future__ import annotations

import hashlib

from etax.acceptance.realname import Verdict
from etax.platform.partners import PartnerUnavailable

# card number suffix → (mismatched field, message); anything else matches.
SIMULATED_RULES: dict[str, tuple[str, str]] = {
    "0000": ("name", "the name does not match the card holder"),
    "1111": ("resident_id", "the ID number does not match the card holder"),
    "2222": ("phone", "the phone number is not the one the bank holds for this card"),
}
SIMULATED_UNAVAILABLE_SUFFIX = "9990"


def _reference(identity: str, number: str) -> str:
    return f"SIMBANK-{hashlib.sha256(f'{identity}|{number}'.encode()).hexdigest()[:16]}"


class SimulatedBank:
    """A bank whose answers are decided by the card or account number's last four digits
    (docs/usage/acceptance.md): ``0000`` name mismatch, ``1111`` ID mismatch, ``2222`` phone
    mismatch (cards only), ``9990`` unavailable; any other number matches."""

    def verify(self, *, name: str, resident_id: str, bank_card: str, phone: str) -> Verdict:
        reference = _reference(resident_id, bank_card)
        suffix = bank_card[-4:]
        if suffix == SIMULATED_UNAVAILABLE_SUFFIX:
            raise PartnerUnavailable("the simulated bank is unavailable for this card")
        if suffix in SIMULATED_RULES:
            field, message = SIMULATED_RULES[suffix]
            return Verdict(False, reference, field, message)
        return Verdict(True, reference)

    def verify_account(self, *, name: str, id_number: str, account: str) -> Verdict:
        reference = _reference(id_number, account)
        suffix = account[-4:]
        if suffix == SIMULATED_UNAVAILABLE_SUFFIX:
            raise PartnerUnavailable("the simulated bank is unavailable for this account")
        if suffix in SIMULATED_RULES and SIMULATED_RULES[suffix][0] != "phone":
            field, _ = SIMULATED_RULES[suffix]
            return Verdict(False, reference, field,
                           "the account holder's name is not the applicant's" if field == "name"
                           else "the account is not held under the applicant's identity")
        return Verdict(True, reference)
