"""Who is calling, and what they may reach.

The API Gateway authorizer verifies the bearer token and hands the functions
its verdict as ``requestContext.authorizer`` (``role``, ``subject``,
``tax_office``, ``exp``). Handlers never parse tokens: they read the
:class:`Principal` here and ask the policy questions below, so "a taxpayer
reaches only its own records" is written once.

API Gateway caches the authorizer's verdict per token (docs/decisions/0004), so
a verdict can outlive the token it was made for: :func:`principal_from_event`
checks the token's ``exp`` on every request and answers 401 once it has
passed (a verdict without ``exp`` is refused as well).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from etax.platform.errors import Forbidden, Unauthorized

EXPIRED_CHALLENGE = 'Bearer error="invalid_token", error_description="the token has expired"'


@dataclass(frozen=True, slots=True)
class Principal:
    role: str
    subject: str
    tax_office: str | None = None


def principal_from_event(event: dict[str, Any], now: float | None = None) -> Principal | None:
    """The caller as the authorizer described it; None on a public (unauthorized) route.

    Raises :class:`Unauthorized` when the verdict's token has expired (``exp`` ≤ now) or the
    verdict carries no ``exp``.
    """
    context = (event.get("requestContext") or {}).get("authorizer") or {}
    role = context.get("role")
    subject = context.get("subject") or context.get("principalId")
    if not role or not subject:
        return None
    ensure_not_expired(context, time.time() if now is None else now)
    return Principal(role=str(role), subject=str(subject),
                     tax_office=str(context["tax_office"]) if context.get("tax_office") else None)


def ensure_not_expired(context: dict[str, Any], now: float) -> None:
    """401 unless the authorizer context's ``exp`` (epoch seconds) is still ahead of ``now``."""
    try:
        expires = int(str(context.get("exp", "")))
    except ValueError:
        raise Unauthorized(
            "the authorizer's verdict carries no token expiry; sign in again",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None
    if expires <= now:
        raise Unauthorized(
            "the bearer token has expired; sign in again for a new one",
            headers={"WWW-Authenticate": EXPIRED_CHALLENGE},
        )


def require_principal(event: dict[str, Any], *roles: str, now: float | None = None) -> Principal:
    """The caller, who must be signed in with a token not yet expired and (if roles are given)
    hold one of them."""
    principal = principal_from_event(event, now)
    if principal is None:
        raise Unauthorized("sign in first: this route needs a bearer token")
    if roles and principal.role not in roles:
        raise Forbidden(
            f"this route is for {', '.join(roles)}; you are signed in as {principal.role}"
        )
    return principal


def caller(app: Any, *roles: str) -> Principal:
    """The caller of the request ``app`` (a Powertools resolver) is handling, as
    :func:`require_principal` reads it from the request's event."""
    return require_principal(app.current_event.raw_event, *roles)


def ensure_can_reach_taxpayer(
    principal: Principal, owner: str, owner_tax_office: str | None
) -> None:
    """A taxpayer reaches only its own records; an officer only those of its tax office.

    ``owner`` is the taxpayer the record belongs to (credit code or resident ID)
    and ``owner_tax_office`` the office in charge of it. Admins reach all.
    Raises :class:`Forbidden` otherwise.
    """
    if principal.role == "admin":
        return
    if principal.role == "taxpayer" and principal.subject == owner:
        return
    if (
        principal.role == "officer"
        and owner_tax_office is not None
        and principal.tax_office == owner_tax_office
    ):
        return
    raise Forbidden("you may not reach another taxpayer's records")
