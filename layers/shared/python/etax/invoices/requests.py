"""What clients send to the invoice routes (pydantic models: 422 names the failing field)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SkipValidation,
    StringConstraints,
    model_validator,
)

from etax.errors import Invalid
from etax.invoices.verification_rules import VerifyInputError, VerifyQuery, query_from_request
from etax.rules.text import SignedText

# Every text that is printed in the signed invoice refuses control, bidi and invisible
# characters (etax.rules.text).
Text = Annotated[str, SignedText(min_length=1, max_length=100)]
Decimal = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=24)]

Code18 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=18, max_length=18)]


class BuyerIn(BaseModel):
    """An enterprise (``credit_code``; ``name`` when it is not registered) or a natural
    person (``id_number`` and ``name``).

    One model rather than a union of two, so that a failing field is named as the client
    wrote it (``buyer.name``), not with the name of a union member.
    """

    model_config = ConfigDict(extra="forbid")

    credit_code: Code18 | None = None
    id_number: Code18 | None = None
    name: Text | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> BuyerIn:
        if (self.credit_code is None) == (self.id_number is None):
            raise ValueError("give either the buyer's credit_code (an enterprise) or its "
                             "id_number (a natural person)")
        return self

    @property
    def is_enterprise(self) -> bool:
        return self.credit_code is not None


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    spec: Annotated[str, SignedText(max_length=40, strip=False)] = ""
    unit: Annotated[str, SignedText(max_length=10, strip=False)] = ""
    quantity: Decimal | int
    unit_price: Decimal | int
    tax_rate: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8)]


class IssueRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    buyer: BuyerIn
    items: list[ItemIn] = Field(min_length=1, max_length=100)
    channel: Literal["web", "mobile", "api"]
    invoice_type: Literal["ordinary", "special"] = "ordinary"
    remarks: Annotated[str, SignedText(max_length=200, strip=False)] = ""


class RedLetterRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, SignedText(min_length=2, max_length=200)]
    channel: Literal["web", "mobile", "api"] = "web"


class QrParseRequest(BaseModel):
    """``POST /v1/invoices/qr/parse``: the text of an invoice's QR code."""

    model_config = ConfigDict(extra="forbid")

    payload: Annotated[str, StringConstraints(max_length=300)]


class VerifyRequest(BaseModel):
    """``POST /v1/invoices/verify``: one of the four forms
    :func:`~etax.invoices.verification_rules.query_from_request` reads, as ``query``; a
    field it refuses is a 422 naming the field, in its words."""

    query: SkipValidation[VerifyQuery]

    @model_validator(mode="before")
    @classmethod
    def _query(cls, body: object) -> dict[str, VerifyQuery]:
        try:
            return {"query": query_from_request(cast(Mapping[str, object], body))}
        except VerifyInputError as error:
            raise Invalid(error.reason, field=error.field) from None


class SmsMessage(BaseModel):
    """``POST /v1/channels/sms``: a text message from a phone number (longer texts than the
    channel's syntax allows get the help text back, not a 422)."""

    model_config = ConfigDict(extra="forbid")

    sender: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=32)] = Field(alias="from")
    text: Annotated[str, StringConstraints(max_length=2000)] = ""
