"""What people send to the idea space (pydantic: a 422 names the failing field). Text is
stripped of outer whitespace and refused if it holds a control, bidi or invisible character
(line breaks allowed in bodies and comments)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from etax.rules.text import SignedText

IDEA_ID = r"^id-[0-9a-f]{20}$"

Category = Literal["service", "invoices", "filing", "refunds", "apps", "policy", "other"]


class IdeaRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, SignedText(min_length=4, max_length=80)]
    body: Annotated[str, SignedText(min_length=10, max_length=3000, lines=True)]
    category: Category


class CommentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Annotated[str, SignedText(min_length=2, max_length=1000, lines=True)]


class DecisionRequest(BaseModel):
    """``adopt`` (a note optional) or ``decline`` (a public reason) an idea under review;
    ``deliver`` an adopted one (what was delivered)."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["adopt", "decline", "deliver"]
    reason: Annotated[str, SignedText(min_length=2, max_length=500, lines=True)] | None = None


class ReasonRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, SignedText(min_length=2, max_length=500)]


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, SignedText(min_length=2, max_length=500)] | None = None


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into: Annotated[str, StringConstraints(pattern=IDEA_ID)]
