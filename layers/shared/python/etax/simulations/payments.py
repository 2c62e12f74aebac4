"""The simulated payment providers of filing (see :mod:`etax.filing.payments`): as far as the
platform sees a provider, it is the signed callback it POSTs to
``/v1/filing/callbacks/<method>``; ``scripts/simulate_payment.py`` and the tests send it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from etax.filing.payments import METHODS, SIGNATURE_HEADER, method_key, sign
from etax.rules import money


class SimulatedProvider:
    """A payment provider of one method, as far as the platform sees it: a signed callback."""

    def __init__(self, method: str, master: bytes) -> None:
        if method not in METHODS:
            raise ValueError(f"unknown payment method {method!r}")
        self.method = method
        self.key = method_key(master, method)

    def callback(self, payment_id: str, amount_fen: int, *, status: str = "succeeded",
                 provider_ref: str | None = None,
                 confirmed_at: datetime | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and headers the provider POSTs to ``/v1/filing/callbacks/<method>``."""
        body = json.dumps({
            "payment_id": payment_id, "status": status,
            "amount": money.format_yuan(amount_fen),
            "provider_ref": provider_ref or f"{self.method.upper()}-{payment_id[-12:]}",
            "confirmed_at": (confirmed_at or datetime.now(UTC)).isoformat(),
        }, separators=(",", ":")).encode()
        return body, {SIGNATURE_HEADER: sign(self.key, body), "Content-Type": "application/json"}
