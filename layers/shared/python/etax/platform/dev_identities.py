"""Who the local dev issuer may mint tokens for.

The dev issuer exists only on the local stack (infra proves it); it still
refuses identities that could never exist, so demo tokens look like real ones:
a taxpayer is an enterprise by its credit code or a natural person by resident
ID, an officer carries the code of its tax office. It mints no token the
authorizer would refuse: a lifetime longer than the issuer's maximum
(``AUTH_MAX_TOKEN_LIFETIME_SECONDS``, 1 hour by default) is a 422.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from etax.platform.errors import Unprocessable
from etax.platform.tokens import Identity
from etax.rules import resident_id, uscc

SUBJECT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,63}$")
TAX_OFFICE = re.compile(r"^[0-9]{11}$")


class DevTokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    role: Literal["taxpayer", "officer", "partner", "developer", "admin"]
    subject: str = Field(min_length=1, max_length=64)
    tax_office: str | None = Field(default=None, max_length=11)
    ttl_seconds: int = Field(default=3600, ge=60, le=86400)


def token_lifetime(request: DevTokenRequest, max_lifetime: int) -> int:
    """The lifetime to mint, or a 422 naming ``ttl_seconds`` when the issuer allows less."""
    if request.ttl_seconds > max_lifetime:
        raise Unprocessable(
            f"ttl_seconds may be at most {max_lifetime} (the issuer's maximum token lifetime)",
            field="ttl_seconds",
        )
    return request.ttl_seconds


def identity_for(request: DevTokenRequest) -> Identity:
    """The identity a dev token may carry, or a 422 naming the field that rules it out."""
    if request.role == "taxpayer":
        subject = _taxpayer_subject(request.subject)
    elif SUBJECT_ID.match(request.subject):
        subject = request.subject
    else:
        raise Unprocessable("subject must be 3-64 letters, digits, '.', '_' or '-'",
                            field="subject")
    if request.role == "officer":
        if not request.tax_office or not TAX_OFFICE.match(request.tax_office):
            raise Unprocessable("an officer needs the 11-digit code of its tax office",
                                field="tax_office")
    elif request.tax_office is not None:
        raise Unprocessable("only officers carry a tax office", field="tax_office")
    return Identity(subject=subject, role=request.role, tax_office=request.tax_office)


def _taxpayer_subject(text: str) -> str:
    """A credit code (well-formed) or a resident ID (valid, check digit included)."""
    try:
        return uscc.parse(text).code
    except uscc.MalformedCode as code_error:
        try:
            return resident_id.parse(text).number
        except resident_id.MalformedResidentId as id_error:
            raise Unprocessable(
                "a taxpayer is a credit code or a resident ID: "
                f"as a credit code, {code_error.reason}; as a resident ID, {id_error.reason}",
                field="subject",
            ) from None
