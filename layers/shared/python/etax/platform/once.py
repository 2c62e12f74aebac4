"""The idempotent "once" step of a route: ``once(principal, scope, payload, operation)`` runs
``operation`` at most once per (route, caller, ``Idempotency-Key``) through
:class:`etax.platform.idempotency.Idempotency`, made on the first use (a function whose hot
path does not create anything does not pay the idempotency machinery's import time). A queue
consumer gets the same store through ``consumer(..., once=...)``."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from etax.platform.settings import required

if TYPE_CHECKING:
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
