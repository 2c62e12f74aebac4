"""Payment providers' signed callbacks (public route): a payment confirmed or failed.

``POST /v1/filing/callbacks/{method}`` with ``X-Signature: hex(HMAC-SHA256(key, body))``
(see :mod:`etax.filing.payments`); a bad signature is 403, a replay changes nothing."""

from __future__ import annotations

import base64

from aws_lambda_powertools.logging import correlation_paths

from etax.filing.payments import SIGNATURE_HEADER
from etax.filing.repository import CONFIRMED, FilingRepository
from etax.filing.results import CallbackOutcome
from etax.filing.service import FilingService
from etax.platform.api import make_resolver
from etax.platform.observability import business, instrument
from etax.platform.secrets import SecretField

app = make_resolver()
master = SecretField("PAYMENT_CALLBACK_SECRET", "key")  # the providers' master callback secret
service = FilingService(FilingRepository(), None,
                        callback_master=lambda: master.value().encode())


@app.post("/v1/filing/callbacks/<method>")
def provider_callback(method: str) -> CallbackOutcome:
    event = app.current_event
    raw = event.body or ""
    body = base64.b64decode(raw) if event.is_base64_encoded else raw.encode()
    outcome = service.callback(method, body, event.headers.get(SIGNATURE_HEADER))
    if outcome.status == CONFIRMED and outcome.changed:  # confirmed now, not a replay
        business("PaymentsConfirmed", dimension=method)
    return outcome


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
