"""What clients send to the filing routes (pydantic: a 422 names the failing field)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from etax.filing import payments
from etax.rules import resident_id, uscc
from etax.rules.types import YuanText


class ObligationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    taxpayer: str = Field(min_length=15, max_length=18)
    tax_type: str
    period: str
    tax_office: str | None = Field(default=None, min_length=1, max_length=20)

    @field_validator("taxpayer")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if uscc.is_valid(value) or resident_id.is_valid(value):
            return value
        raise ValueError("not a Unified Social Credit Code or resident ID number with a valid "
                         "check character")


class ReturnRequest(BaseModel):
    """A return of ``kind``; ``data`` is its calculator's request (see
    :mod:`etax.filing.calculation`), checked there against the kind's own model."""

    model_config = ConfigDict(extra="forbid")
    kind: str
    data: dict[str, Any]


class PaymentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: payments.Method
    amount: YuanText
