"""What clients send to the refund routes (pydantic: a 422 names the failing field).

A refund is one of three kinds, chosen by ``kind``; the body is then read by that kind's
model, so a failing field is named as the client wrote it (``lines[0].purchase_amount``).
Amounts are decimal strings in yuan (``etax.rules.money.parse_yuan``), read into fen.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from etax.rules.money import MoneyError, parse_yuan


def _fen(value: Any) -> int:
    try:
        return parse_yuan(value)
    except MoneyError as error:
        raise ValueError(error.reason) from None


Yuan = Annotated[int, BeforeValidator(_fen)]
"""An amount in yuan at the API (``"1200.00"``), fen inside."""

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class AccountIn(BaseModel):
    """The bank account the treasury pays the refund into."""

    model_config = ConfigDict(extra="forbid")

    bank: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40)]
    number: Annotated[str, StringConstraints(strip_whitespace=True,
                                             pattern=r"^[0-9A-Za-z-]{6,34}$")]


class GeneralRefundIn(BaseModel):
    """A refund of an overpayment: what was paid and what was due for one tax and period."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["general"]
    tax_type: Literal["vat", "consumption", "enterprise_income", "individual_income",
                      "vehicle_vessel", "stamp", "other"]
    period: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}(-(0[1-9]|1[0-2]))?$")]
    paid: Yuan
    due: Yuan
    account: AccountIn
    note: Text | None = None


class IitAnnualRefundIn(BaseModel):
    """The annual reconciliation's refund: the tax withheld in the year and the annual tax.

    ``employer`` (a credit code) is the withholding agent whose tax office handles the
    reconciliation; without it, the office of the person's resident-ID region does."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["iit_annual"]
    year: Annotated[int, Field(ge=2019, le=2100)]
    withheld: Yuan
    tax: Yuan
    employer: Annotated[str, StringConstraints(strip_whitespace=True,
                                               pattern=r"^[0-9A-Z]{18}$")] | None = None
    account: AccountIn


class PurchaseLineIn(BaseModel):
    """One purchase behind the export: the product's customs code, the VAT-exclusive
    purchase value and the VAT on the input invoice (whose number is given)."""

    model_config = ConfigDict(extra="forbid")

    product_code: Annotated[str, StringConstraints(strip_whitespace=True,
                                                   pattern=r"^[0-9]{10}$")]
    purchase_amount: Yuan
    input_vat: Yuan
    invoice_number: Annotated[str, StringConstraints(strip_whitespace=True,
                                                     pattern=r"^[0-9]{8,20}$")]


class ExportRefundIn(BaseModel):
    """An export refund by the exemption-refund method (免退): the customs declaration, the
    export date (which picks the rate table) and the purchase lines."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["export"]
    declaration_number: Annotated[str, StringConstraints(strip_whitespace=True,
                                                         pattern=r"^[0-9]{18}$")]
    export_date: date
    lines: Annotated[list[PurchaseLineIn], Field(min_length=1, max_length=50)]
    account: AccountIn


RefundIn = GeneralRefundIn | IitAnnualRefundIn | ExportRefundIn
MODELS: dict[str, type[BaseModel]] = {"general": GeneralRefundIn,
                                      "iit_annual": IitAnnualRefundIn,
                                      "export": ExportRefundIn}


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2,
                                             max_length=500)]


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text | None = None
