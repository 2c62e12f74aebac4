"""What officers and administrators send to the mobile office (pydantic: a 422 names the
failing field)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from etax.rules.text import SignedText

MONTH = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{18}$"
OFFICER = r"^[A-Za-z0-9][A-Za-z0-9_.@\-]{0,63}$"  # a subject the notifications can address


class Period(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    first: Annotated[str, StringConstraints(pattern=MONTH)] = Field(alias="from")
    last: Annotated[str, StringConstraints(pattern=MONTH)] = Field(alias="to")


class Appointment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    at: datetime
    place: Annotated[str, SignedText(min_length=2, max_length=100)]


class FieldDocumentRequest(BaseModel):
    """A draft: ``inspection_notice`` names the ``period`` (months) and the ``matters``
    (``place`` optional); ``inquiry_notice`` the ``appointment`` (time and place) and the
    ``matters``. The taxpayer is an active registered enterprise of the drafter's office."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["inspection_notice", "inquiry_notice"]
    taxpayer: Annotated[str, StringConstraints(pattern=CREDIT_CODE)]
    matters: Annotated[str, SignedText(min_length=2, max_length=200)]
    period: Period | None = None
    place: Annotated[str, SignedText(min_length=2, max_length=100)] | None = None
    appointment: Appointment | None = None


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, SignedText(min_length=2, max_length=200)]


class ShiftRequest(BaseModel):
    """One officer on duty from ``starts_at`` to ``ends_at`` (times with their offset)."""

    model_config = ConfigDict(extra="forbid")

    officer: Annotated[str, StringConstraints(pattern=OFFICER)]
    starts_at: datetime
    ends_at: datetime


class ApprovalRequest(BaseModel):
    """A document routed through ``reviewers`` of the submitter's office, in that order."""

    model_config = ConfigDict(extra="forbid")

    category: Literal["document", "case", "expense", "leave", "other"]
    title: Annotated[str, SignedText(min_length=2, max_length=100)]
    body: Annotated[str, SignedText(min_length=2, max_length=2000, lines=True)]
    reviewers: list[Annotated[str, StringConstraints(pattern=OFFICER)]]
    reference: Annotated[str, SignedText(min_length=1, max_length=64)] | None = None


class DecisionRequest(BaseModel):
    """A reviewer's decision: ``approve`` (optionally with ``conditions``), ``return`` for
    changes or ``reject`` (each with a ``comment``)."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "return", "reject"]
    comment: Annotated[str, SignedText(min_length=2, max_length=500)] | None = None
    conditions: Annotated[str, SignedText(min_length=2, max_length=500)] | None = None


class ResubmitRequest(BaseModel):
    """A returned approval sent again, its title or body revised (either optional)."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, SignedText(min_length=2, max_length=100)] | None = None
    body: Annotated[str, SignedText(min_length=2, max_length=2000, lines=True)] | None = None
    comment: Annotated[str, SignedText(min_length=2, max_length=500)] | None = None
