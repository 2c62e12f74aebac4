"""What clients send to the sharing routes (pydantic: a 422 names the failing field)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

PartnerId = Annotated[str, StringConstraints(strip_whitespace=True,
                                             pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")]
Scope = Literal["rating", "tax_paid", "sales", "returns"]
Purpose = Annotated[str, StringConstraints(strip_whitespace=True,
                                           pattern=r"^[a-z][a-z_]{1,39}$")]
CreditCode = Annotated[str, StringConstraints(strip_whitespace=True, min_length=18,
                                              max_length=18)]


class GrantRequest(BaseModel):
    """The taxpayer grants ``partner`` a consent: Authorised at once."""

    model_config = ConfigDict(extra="forbid")

    partner: PartnerId
    scopes: list[Scope] = Field(min_length=1, max_length=4)
    purpose: Purpose
    expires_at: AwareDatetime


class ConsentAsk(BaseModel):
    """A partner asks the taxpayer ``credit_code`` for a consent: AwaitingAuthorisation until
    the taxpayer answers."""

    model_config = ConfigDict(extra="forbid")

    credit_code: CreditCode
    scopes: list[Scope] = Field(min_length=1, max_length=4)
    purpose: Purpose
    expires_at: AwareDatetime


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["authorise", "reject"]
