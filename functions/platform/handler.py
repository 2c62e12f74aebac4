"""Platform routes (plan action E20, the tax cloud): liveness, "who am I" and the API's
contract (its OpenAPI document and a reference page of it, docs/decisions/0019)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.event_handler import Response
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


@app.get("/v1/openapi.json")
def openapi() -> Response[str]:
    """The API's OpenAPI 3.1 document, as written at build time (scripts/openapi.py)."""
    from etax.platform.reference import document_text

    return Response(200, "application/json", document_text())


@app.get("/v1/docs")
def docs() -> Response[str]:
    """A reference page of the API's document, self-contained (nothing fetched elsewhere)."""
    from etax.platform.reference import page_html

    return Response(200, "text/html; charset=utf-8", page_html())


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
