"""Platform routes (plan action E20, the tax cloud): liveness and "who am I"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.logging import correlation_paths

from etax.platform.api import make_resolver
from etax.platform.auth import require_principal
from etax.platform.observability import instrument
from etax.platform.settings import settings

app = make_resolver()


@app.get("/v1/health")
def health() -> dict[str, Any]:
    config = settings()
    return {
        "status": "ok",
        "stage": config.stage,
        "version": config.version,
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
    }


@app.get("/v1/me")
def me() -> dict[str, Any]:
    principal = require_principal(app.current_event.raw_event)
    return {"role": principal.role, "subject": principal.subject,
            "tax_office": principal.tax_office}


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
