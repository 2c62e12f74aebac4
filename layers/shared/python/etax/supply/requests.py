"""What clients send to the invoice supply routes (pydantic: a 422 names the failing field).

One body for both kinds; which fields a kind needs is checked by the service (also a 422
naming the field): paper needs ``invoice_type``, ``quantity`` and ``delivery``; digital
needs ``monthly_quota`` (yuan, the monthly issuing quota asked for).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from etax.rules.text import SignedText

PHONE_PATTERN = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"


class DeliveryIn(BaseModel):
    """Printed on the waybill: the recipient and address refuse control, bidi and invisible
    characters as signed text does (:mod:`etax.rules.text`)."""

    model_config = ConfigDict(extra="forbid")

    recipient: Annotated[str, SignedText(min_length=1, max_length=40)]
    phone: Annotated[str, StringConstraints(strip_whitespace=True, pattern=PHONE_PATTERN)]
    address: Annotated[str, SignedText(min_length=5, max_length=200)]


class SupplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["paper", "digital"]
    invoice_type: Literal["04", "11", "01"] | None = None
    quantity: int | None = Field(default=None, ge=1)
    delivery: DeliveryIn | None = None
    returned_numbers: list[Annotated[str, StringConstraints(pattern=r"^[0-9]{8}$")]] = Field(
        default_factory=list, max_length=1000)
    monthly_quota: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                                    max_length=24)] | None = None
    reason: Annotated[str, StringConstraints(max_length=200)] = ""


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
