"""What clients send to the refund routes (pydantic: a 422 names the failing field).

A refund is one of three kinds, chosen by ``kind``; the body is then read by that kind's
model (:class:`RefundRequest`), so a failing field is named as the client wrote it
(``lines[0].invoice_number``).
No request states an amount: what is refunded comes from the platform's own records
(:mod:`etax.refunds.sources`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SkipValidation,
    StringConstraints,
    ValidationError,
    model_validator,
)

from etax.errors import Invalid, invalid_from
from etax.refunds.rules import KINDS
from etax.rules.text import SignedText

Text = Annotated[str, SignedText(min_length=1, max_length=200)]
"""free text that reaches the applicant's notification and the case's trail"""


class AccountIn(BaseModel):
    """The bank account the treasury pays the refund into."""

    model_config = ConfigDict(extra="forbid")

    bank: Annotated[str, SignedText(min_length=2, max_length=40)]
    number: Annotated[str, StringConstraints(strip_whitespace=True,
                                             pattern=r"^[0-9A-Za-z-]{6,34}$")]


OBLIGATION_ID = r"^[0-9A-Z]{15,18}:[a-z_]{2,30}:[0-9]{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$"


class GeneralRefundIn(BaseModel):
    """A refund of an overpayment of one obligation of filing (``<taxpayer>:<tax>:<period>``).

    The amount is not the applicant's to state: it is what the obligation's ledger shows as
    overpaid and not yet refunded (:mod:`etax.refunds.sources`)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["general"]
    obligation_id: Annotated[str, StringConstraints(strip_whitespace=True,
                                                    pattern=OBLIGATION_ID)]
    account: AccountIn
    note: Text | None = None


class IitAnnualRefundIn(BaseModel):
    """The refund of the applicant's own filed annual reconciliation of ``year``: the amount
    is the return's ``to_refund`` as filed, refunded once."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["iit_annual"]
    year: Annotated[int, Field(ge=2019, le=2100)]
    account: AccountIn


class PurchaseLineIn(BaseModel):
    """One purchase behind the export: the product's customs code and the input invoice
    (a VAT invoice issued to the exporter); its value and VAT are read from the invoice."""

    model_config = ConfigDict(extra="forbid")

    product_code: Annotated[str, StringConstraints(strip_whitespace=True,
                                                   pattern=r"^[0-9]{10}$")]
    invoice_number: Annotated[str, StringConstraints(strip_whitespace=True,
                                                     pattern=r"^[0-9]{8,20}$")]


class ExportRefundIn(BaseModel):
    """An export refund by the exemption-refund method (免退): the customs declaration (used
    once), the export date (which picks the rate table) and the purchase lines, one input
    invoice each (each invoice used in one refund only)."""

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


class RefundRequest(BaseModel):
    """``POST /v1/refunds``: the body read by its kind's model (:data:`MODELS`), as
    ``refund``; an unknown kind, or a field its model refuses, is a 422 naming the field."""

    refund: SkipValidation[RefundIn]

    @model_validator(mode="before")
    @classmethod
    def _by_kind(cls, body: object) -> dict[str, RefundIn]:
        kind = body.get("kind") if isinstance(body, dict) else None
        if kind not in KINDS:
            raise Invalid(f"kind must be one of {', '.join(KINDS)}", field="kind")
        try:
            parsed = MODELS[str(kind)].model_validate(body)
        except ValidationError as error:
            raise invalid_from(error.errors(), prefix=("body",)) from None
        assert isinstance(parsed, GeneralRefundIn | IitAnnualRefundIn | ExportRefundIn)
        return {"refund": parsed}


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, SignedText(min_length=2, max_length=500)]


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text | None = None
