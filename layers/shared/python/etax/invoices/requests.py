"""What clients send to the invoice routes (pydantic models: 422 names the failing field)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Literal, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SkipValidation,
    StringConstraints,
    model_validator,
)

from etax.errors import Invalid
from etax.invoices.spec import TAX_CODE
from etax.invoices.verification_rules import VerifyInputError, VerifyQuery, query_from_request
from etax.rules import money, resident_id, uscc
from etax.rules.refusal import Refusal
from etax.rules.text import SignedText

# Every text that is printed in the signed invoice refuses control, bidi and invisible
# characters (etax.rules.text).
Text = Annotated[str, SignedText(min_length=1, max_length=100)]
# A quantity or unit price as the client wrote it (a decimal string, or a JSON integer). Not
# the kernel's Yuan (etax.rules.types): a quantity has up to 6 places and a unit price up to 8,
# and the body keeps the client's own text (the "once" store matches replays on it). The
# model reads it with the kernel's rule (money.parse_quantity / parse_unit_price) below.
NumberText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                              max_length=24)]

Code18 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=18, max_length=18)]


@dataclass(frozen=True, slots=True)
class Unaccepted:
    """A field the schema lets through but an invoice's rule refuses (a credit code's check
    character, a rate not in the table, ...). The model keeps it rather than failing, and the
    service raises it (:meth:`error`) where its check has always come: after the seller is
    known and the invoice type is allowed, so a caller who may not issue is told that first.
    The answer is the service's own 422 — ``"<field>: <reason>"``, naming the field."""

    field: str
    reason: str

    def error(self, at: str = "") -> Invalid:
        field = f"{at}.{self.field}" if at else self.field
        return Invalid(f"{field}: {self.reason}", field=field)


@dataclass(frozen=True, slots=True)
class EnterpriseBuyer:
    credit_code: str  # normalized by the kernel's rule (etax.rules.uscc)
    name: str | None


@dataclass(frozen=True, slots=True)
class PersonBuyer:
    id_number: str  # normalized by the kernel's rule (etax.rules.resident_id)
    name: str | None


@dataclass(frozen=True, slots=True)
class ItemValues:
    """An item's numbers as read by the kernel's rules (:mod:`etax.rules.money`)."""

    quantity: Decimal
    unit_price: Decimal
    rate: money.TaxRate


def _read_buyer(credit_code: str | None, id_number: str | None,
                name: str | None) -> EnterpriseBuyer | PersonBuyer | Unaccepted:
    try:
        if credit_code is not None:
            return EnterpriseBuyer(uscc.parse(credit_code).code, name)
        return PersonBuyer(resident_id.parse(id_number or "").number, name)
    except Refusal as refusal:
        field = "credit_code" if credit_code is not None else "id_number"
        return Unaccepted(field, refusal.reason)


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

    _read: EnterpriseBuyer | PersonBuyer | Unaccepted = PrivateAttr()

    @model_validator(mode="after")
    def _one_kind(self) -> BuyerIn:
        if (self.credit_code is None) == (self.id_number is None):
            raise ValueError("give either the buyer's credit_code (an enterprise) or its "
                             "id_number (a natural person)")
        self._read = _read_buyer(self.credit_code, self.id_number, self.name)
        return self

    def identity(self) -> EnterpriseBuyer | PersonBuyer:
        """The buyer as read, or the 422 naming ``buyer.credit_code`` / ``buyer.id_number``."""
        if isinstance(self._read, Unaccepted):
            raise self._read.error("buyer")
        return self._read

    @property
    def is_enterprise(self) -> bool:
        return self.credit_code is not None


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Text
    spec: Annotated[str, SignedText(max_length=40, strip=False)] = ""
    unit: Annotated[str, SignedText(max_length=10, strip=False)] = ""
    quantity: NumberText | int
    unit_price: NumberText | int
    tax_rate: Annotated[str, StringConstraints(strip_whitespace=True, max_length=8)]
    tax_code: Annotated[str, StringConstraints(pattern=TAX_CODE)] | None = None
    """the goods and services tax classification code (商品和服务税收分类编码): 19 digits,
    the first its part (1 goods, 2 labour, 3 services, 4 intangibles, 5 immovables, 6 not a
    sale); optional"""

    _read: ItemValues | Unaccepted = PrivateAttr()

    @model_validator(mode="after")
    def _values(self) -> ItemIn:
        self._read = _read_item(self.quantity, self.unit_price, self.tax_rate)
        return self

    def values(self, index: int) -> ItemValues:
        """The item's numbers, or the 422 naming ``items[<index>].<field>``."""
        if isinstance(self._read, Unaccepted):
            raise self._read.error(f"items[{index}]")
        return self._read


def _read_item(quantity: str | int, unit_price: str | int,
               tax_rate: str) -> ItemValues | Unaccepted:
    """Quantity, unit price and rate read in that order; the first refused is kept."""
    field = "quantity"
    try:
        read_quantity = money.parse_quantity(quantity)
        field = "unit_price"
        read_price = money.parse_unit_price(unit_price)
        field = "tax_rate"
        return ItemValues(read_quantity, read_price, money.TaxRate.parse(tax_rate))
    except Refusal as refusal:
        return Unaccepted(field, refusal.reason)


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
