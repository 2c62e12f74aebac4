"""Registration (plan action B4, online acceptance): the public credit-code check and the
taxpayer's own registration record."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.platform.api import make_resolver
from etax.platform.auth import require_principal
from etax.platform.observability import instrument
from etax.registration.repository import RegistryRepository
from etax.registration.service import RegistrationService

app = make_resolver()
service = RegistrationService(RegistryRepository())


@app.get("/v1/registration/verify/<credit_code>")
def verify(credit_code: str) -> dict[str, Any]:
    return service.verify(credit_code)


@app.get("/v1/registration/records/<credit_code>")
def record(credit_code: str) -> dict[str, Any]:
    principal = require_principal(app.current_event.raw_event)
    return service.owner_record(principal, credit_code)


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
