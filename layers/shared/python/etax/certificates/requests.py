"""What clients send to apply for a certificate (pydantic: a 422 names the failing field)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from etax.rules.text import SignedText


class CertificateRequest(BaseModel):
    """``tax_residency``: ``year``, ``country`` (ISO 3166-1 alpha-2), and ``name`` for a natural
    person; ``tax_payment``: the period ``from`` .. ``to`` (payment dates)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    kind: Literal["tax_residency", "tax_payment"]
    year: int | None = None
    country: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2)] | None = None
    # printed in the signed certificate: no control, bidi or invisible characters
    name: Annotated[str, SignedText(min_length=1, max_length=40)] | None = None
    purpose: Annotated[str, SignedText(max_length=200, strip=False)] = ""
    period_from: date | None = Field(default=None, alias="from")
    period_to: date | None = Field(default=None, alias="to")
