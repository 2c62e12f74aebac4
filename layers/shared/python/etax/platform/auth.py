"""Who is calling, and what they may reach.

The API Gateway authorizer verifies the bearer token and hands the functions
its verdict as ``requestContext.authorizer`` (``role``, ``subject``,
``tax_office``). Handlers never parse tokens: they read the :class:`Principal`
here and ask the policy questions below, so "a taxpayer reaches only its own
records" is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.platform.errors import Forbidden, Unauthorized


@dataclass(frozen=True, slots=True)
class Principal:
    role: str
    subject: str
    tax_office: str | None = None


def principal_from_event(event: dict[str, Any]) -> Principal | None:
    """The caller as the authorizer described it; None on a public (unauthorized) route."""
    context = (event.get("requestContext") or {}).get("authorizer") or {}
    role = context.get("role")
    subject = context.get("subject") or context.get("principalId")
    if not role or not subject:
        return None
    return Principal(role=str(role), subject=str(subject),
                     tax_office=str(context["tax_office"]) if context.get("tax_office") else None)


def require_principal(event: dict[str, Any], *roles: str) -> Principal:
    """The caller, who must be signed in and (if roles are given) hold one of them."""
    principal = principal_from_event(event)
    if principal is None:
        raise Unauthorized("sign in first: this route needs a bearer token")
    if roles and principal.role not in roles:
        raise Forbidden(
            f"this route is for {', '.join(roles)}; you are signed in as {principal.role}"
        )
    return principal


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
