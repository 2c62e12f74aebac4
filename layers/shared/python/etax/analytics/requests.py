"""What officers and administrators send the analytics routes (pydantic: a 422 names the
failing field)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from etax.rules.text import SignedText
from etax.rules.types import Yuan


class RunRequest(BaseModel):
    """Run the risk indicators for a month now (the schedule runs each month once its VAT
    returns are due)."""

    model_config = ConfigDict(extra="forbid")

    month: Annotated[str, StringConstraints(pattern=r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")]


class VerdictRequest(BaseModel):
    """An officer's verdict on a case of the watch-list, with the reason."""

    model_config = ConfigDict(extra="forbid")

    verdict: Literal["confirmed", "false_alarm"]
    note: Annotated[str, SignedText(min_length=1, max_length=1000, lines=True)]


class PlanRequest(BaseModel):
    """An office's revenue plan for a year, tax by tax (yuan, two places at most), and why
    it is set or changed."""

    model_config = ConfigDict(extra="forbid")

    taxes: Annotated[dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z_]{0,31}$")],
                          Yuan], Field(min_length=1, max_length=20)]
    reason: Annotated[str, SignedText(min_length=1, max_length=500, lines=True)] | None = None


class KeyEnterpriseRequest(BaseModel):
    """An enterprise kept among the office's key enterprises, and why (optional)."""

    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, SignedText(min_length=1, max_length=500, lines=True)] | None = None
