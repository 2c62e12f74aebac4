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


class Terms(BaseModel):
    """What a consent lets its partner read, why, and until when."""

    model_config = ConfigDict(extra="forbid")

    scopes: list[Scope] = Field(min_length=1, max_length=4)
    purpose: Purpose
    expires_at: AwareDatetime


class GrantRequest(Terms):
    """The taxpayer grants ``partner`` a consent: Authorised at once."""

    partner: PartnerId


class ConsentAsk(Terms):
    """A partner asks the taxpayer ``credit_code`` for a consent: AwaitingAuthorisation until
    the taxpayer answers."""

    credit_code: CreditCode


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["authorise", "reject"]
