"""What clients send to the invoice routes (pydantic models: 422 names the failing field)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Decimal = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)]


class EnterpriseBuyer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    credit_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=18,
                                                  max_length=18)]
    name: Text | None = None


class PersonBuyer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=18,
                                                max_length=18)]


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    spec: Annotated[str, StringConstraints(max_length=40)] = ""
    unit: Annotated[str, StringConstraints(max_length=10)] = ""
    quantity: Decimal | int
    unit_price: Decimal | int
    tax_rate: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8)]


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    buyer: EnterpriseBuyer | PersonBuyer
    items: list[ItemIn] = Field(min_length=1, max_length=100)
    channel: Literal["web", "mobile", "api"]
    invoice_type: Literal["ordinary", "special"] = "ordinary"
    remarks: Annotated[str, StringConstraints(max_length=200)] = ""


class RedLetterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2,
                                             max_length=200)]
    channel: Literal["web", "mobile", "api"] = "web"


class QrParseRequest(BaseModel):
    """``POST /v1/invoices/qr/parse``: the text of an invoice's QR code."""

    model_config = ConfigDict(extra="forbid")

    payload: Annotated[str, StringConstraints(max_length=300)]


class SmsMessage(BaseModel):
    """``POST /v1/channels/sms``: a text message from a phone number (longer texts than the
    channel's syntax allows get the help text back, not a 422)."""

    model_config = ConfigDict(extra="forbid")

    sender: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=32)] = Field(alias="from")
    text: Annotated[str, StringConstraints(max_length=2000)] = ""
