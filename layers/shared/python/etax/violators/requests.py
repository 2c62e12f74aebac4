"""What officers send to the violators routes (pydantic: a 422 names the failing field).
Amounts are yuan (decimal strings), held as fen once parsed (:meth:`FactsIn.facts`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from etax.rules import uscc
from etax.rules.text import SignedText
from etax.rules.types import ResidentId, Yuan
from etax.violators.criteria import FEN_PER_YUAN, Facts

Count = Annotated[int, Field(ge=0, le=10_000_000, strict=True)]
ZERO = Decimal("0.00")


class FactsIn(BaseModel):
    """The facts the decision established; what is not given is zero or false."""

    model_config = ConfigDict(extra="forbid")
    evaded: Yuan = ZERO
    tax_due: Yuan = ZERO
    withheld_not_remitted: Yuan = ZERO
    arrears_hidden: Yuan = ZERO
    export_refund_fraud: bool = False
    violent_refusal: bool = False
    false_special_invoices: Count = 0
    false_ordinary_invoices: Count = 0
    false_ordinary_amount: Yuan = ZERO
    forged_invoices: bool = False
    absconded: bool = False
    assisted_loss: Yuan = ZERO
    agent_loss: Yuan = ZERO

    def facts(self) -> Facts:
        def fen(value: Decimal) -> int:
            return int(value * FEN_PER_YUAN)

        return Facts(
            evaded=fen(self.evaded), tax_due=fen(self.tax_due),
            withheld_not_remitted=fen(self.withheld_not_remitted),
            arrears_hidden=fen(self.arrears_hidden),
            export_refund_fraud=self.export_refund_fraud, violent_refusal=self.violent_refusal,
            false_special_invoices=self.false_special_invoices,
            false_ordinary_invoices=self.false_ordinary_invoices,
            false_ordinary_amount=fen(self.false_ordinary_amount),
            forged_invoices=self.forged_invoices, absconded=self.absconded,
            assisted_loss=fen(self.assisted_loss), agent_loss=fen(self.agent_loss))


class ResponsiblePerson(BaseModel):
    """The legal representative or person in charge (法定代表人、负责人)."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, SignedText(min_length=1, max_length=50)]
    resident_id: ResidentId


class CaseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credit_code: str = Field(min_length=18, max_length=18)
    # published text (order No. 54's fields) is refused with a control, bidi or invisible
    # character, as signed text is (etax.rules.text)
    decision_number: Annotated[str, SignedText(min_length=1, max_length=100)]  # 决定书文号
    served_on: date  # the decision served
    responsible: ResponsiblePerson
    facts: FactsIn
    # 主要税收违法失信事实, 相关法律依据, 税务处理、处罚情况
    summary: Annotated[str, SignedText(min_length=1, max_length=1000, lines=True)]
    legal_basis: Annotated[str, SignedText(min_length=1, max_length=500, lines=True)]
    penalty: Annotated[str, SignedText(min_length=1, max_length=500, lines=True)]

    @field_validator("credit_code")
    @classmethod
    def _credit_code(cls, value: str) -> str:
        if not uscc.is_valid(value):
            raise ValueError("not a Unified Social Credit Code with a valid check character")
        return uscc.parse(value).code


class RemovalRequest(BaseModel):
    """Early removal on an approved application (or the decision revoked)."""

    model_config = ConfigDict(extra="forbid")
    reason: Literal["paid_in_full", "decision_revoked", "other"]
    note: Annotated[str, SignedText(min_length=1, max_length=500, lines=True)] | None = None


class AnnouncementRequest(BaseModel):
    """An audit-case announcement (稽查案件公告) of a case of the officer's office."""

    model_config = ConfigDict(extra="forbid")
    case_id: str = Field(min_length=1, max_length=40)
    title: Annotated[str, SignedText(min_length=1, max_length=100)]
    body: Annotated[str, SignedText(min_length=1, max_length=2000, lines=True)]
