"""The one error family of outside partners (payment providers, message gateways, the
treasury, the carrier, the bank): what a port raises when a partner did not do what was asked.

* :class:`PartnerUnavailable` — a transient failure (busy, unreachable, no answer in time):
  the caller retries later;
* :class:`PartnerRefused` — the partner refused (an account that cannot receive, a frozen
  account, the same key with another payload): retrying the same request does not help, it
  waits for the cause to be fixed (the dead-letter queue and the redrive script).

Both are a :class:`PartnerError`, which a worker catches to count the attempt and let the
message be retried. Each context names them in its own words (``ProviderError``,
``TreasuryRejected``, ``VerifierUnavailable`` …) as aliases of these classes.

:func:`adapter` chooses a partner's adapter by the environment (``<PARTNER>_PROVIDER``): a
stage without simulations names none, and every use of the partner is
:class:`etax.errors.Unavailable` naming it (docs/partners.md has each partner's interface).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, cast

from etax.errors import Unavailable


class PartnerError(Exception):
    """The partner did not do what was asked; the caller retries later."""


class PartnerUnavailable(PartnerError):
    """The partner could not be reached, was busy or did not answer in time."""


class PartnerRefused(PartnerError):
    """The partner refused the request."""


# --- choosing a partner's adapter (the functions' wiring, never a domain module) -------------

SIMULATED = "simulated"  # the adapter of etax.simulations, wired on local and test stages only


def provider_variable(partner: str) -> str:
    """The environment variable that names ``partner``'s adapter: ``<PARTNER>_PROVIDER``."""
    return f"{partner.upper()}_PROVIDER"


class MissingAdapter:
    """Stands in for the adapter of a partner this stage has none of: every use of it (a
    method, an item of a mapping of adapters) fails closed with :class:`etax.errors.Unavailable`
    naming the partner, answered 503 by the resolver and, in a queue consumer, a failed record
    that is retried and rests in the dead-letter queue (its alarm). Never a silent success."""

    def __init__(self, partner: str, named: str | None) -> None:
        self._partner = partner
        self._named = named

    def _unavailable(self) -> Unavailable:
        variable = provider_variable(self._partner)
        how = (f"{variable} names {self._named!r}, which this function does not know"
               if self._named else f"{variable} is not set")
        return Unavailable(f"the {self._partner} partner adapter is missing on this stage "
                           f"({how}; see docs/partners.md)", extra={"partner": self._partner})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise self._unavailable()

    def __getitem__(self, key: object) -> Any:
        raise self._unavailable()


def adapter[T](partner: str, **adapters: Callable[[], T]) -> T:
    """The adapter of ``partner`` named by the environment (``<PARTNER>_PROVIDER``, set by the
    infrastructure), made by the factory of that name; a :class:`MissingAdapter` when the
    variable is unset or names no factory given (``prod`` has no simulations: docs/partners.md).
    Nothing is made for a missing adapter, so the function still starts and answers its
    other routes."""
    named = os.environ.get(provider_variable(partner)) or None
    make = adapters.get(named) if named else None
    if make is None:
        return cast(T, MissingAdapter(partner, named))
    return make()
