"""What clients send to the credit routes (pydantic: a 422 names the failing field)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from etax.rules.text import SignedText

Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Z][A-Z0-9_]{2,40}$")]


class RepairRequest(BaseModel):
    """A repair application of the year's rating: of one fault (``kind`` ``fault``, the
    default: the deduction's ``indicator`` and the ``record`` that dates it, as the rating
    lists them), of the whole record (``whole_record``: nothing more), or of a direct D
    (``direct_d``: the ``indicator`` of the direct D the rating lists)."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2014, le=2100)
    kind: Literal["fault", "whole_record", "direct_d"] = "fault"
    indicator: Code | None = None
    record: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3,
                                             max_length=120)] | None = None


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "refuse"]
    reason: Annotated[str, SignedText(min_length=1, max_length=500)] | None = None


class RunRequest(BaseModel):
    """An evaluation run of the whole register for ``year``, read in ``segments`` parallel
    parts."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2014, le=2100)
    segments: int = Field(default=4, ge=1, le=64)
