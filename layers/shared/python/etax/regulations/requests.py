"""What officers send to the regulations routes (pydantic: a 422 names the failing field)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from etax.rules.text import SignedText


class ActIn(BaseModel):
    """The amending act: its title, its number (文号) and the day it was issued."""

    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, SignedText(min_length=2, max_length=200)]
    document_number: Annotated[str, SignedText(min_length=2, max_length=100)]
    issued: date


class ChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: Literal["amend", "repeal", "add"]
    article: int = Field(ge=1, le=1000)
    paragraph: int | None = Field(default=None, ge=1, le=100)
    text: Annotated[str, SignedText(max_length=5000)] = ""
    summary: bool = False


class DraftRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    act: ActIn
    changes: list[ChangeIn] = Field(min_length=1, max_length=100)


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    valid_from: date
