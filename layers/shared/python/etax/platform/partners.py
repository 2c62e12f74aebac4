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
"""

from __future__ import annotations


class PartnerError(Exception):
    """The partner did not do what was asked; the caller retries later."""


class PartnerUnavailable(PartnerError):
    """The partner could not be reached, was busy or did not answer in time."""


class PartnerRefused(PartnerError):
    """The partner refused the request."""
