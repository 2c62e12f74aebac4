"""The idempotent "once" step of a route: ``once(principal, scope, payload, operation)`` runs
``operation`` at most once per (route, caller, ``Idempotency-Key``), and
``once.parsed(principal, scope, Model, operation)`` does the same for the usual route that
parses its body with a request model (the parsed body is the payload and the operation's
argument), and ``once.create(scope, Model, operation, *roles)`` is the whole of the usual
creating route (the caller, the body, ``operation(caller, body)`` once, 201), through
:class:`etax.platform.idempotency.Idempotency`, made on the first use (a function whose hot
path does not create anything does not pay the idempotency machinery's import time). A queue
consumer gets the same store through ``consumer(..., once=...)``."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from etax.platform.settings import required

if TYPE_CHECKING:
    from pydantic import BaseModel

    from etax.platform.auth import Principal
    from etax.platform.idempotency import Idempotency


class Once:
    def __init__(self, app: Any, table_setting: str = "IDEMPOTENCY_TABLE") -> None:
        self.app = app
        self.table_setting = table_setting

    @cached_property
    def store(self) -> Idempotency:
        from etax.platform.idempotency import Idempotency

        return Idempotency(required(self.table_setting))

    def __call__(self, principal: Principal, scope: str, payload: Any,
                 operation: Callable[[], Any]) -> dict[str, Any]:
        return self.store.run_request(self.app, scope=scope, principal=principal.subject,
                                      payload=payload, operation=operation)

    def parsed[M: BaseModel](self, principal: Principal, scope: str, model: type[M],
                             operation: Callable[[M], Any]) -> dict[str, Any]:
        """The body parsed with ``model`` (400/422 naming the field), then ``operation(body)``
        run once per key with the body as the payload."""
        from etax.platform.api import parse_body

        body = parse_body(self.app, model)
        return self(principal, scope, body.model_dump(mode="json"), lambda: operation(body))

    def create[M: BaseModel](self, scope: str, model: type[M],
                             operation: Callable[[Principal, M], Any],
                             *roles: str) -> tuple[dict[str, Any], int]:
        """The caller (signed in; one of ``roles`` if given), the body parsed with ``model``,
        ``operation(caller, body)`` run once per key: answered 201 (Created)."""
        from etax.platform.auth import require_principal

        principal = require_principal(self.app.current_event.raw_event, *roles)
        return self.parsed(principal, scope, model,
                           lambda body: operation(principal, body)), 201
