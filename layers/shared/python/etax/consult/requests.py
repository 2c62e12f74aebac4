"""What askers and officers send to the consultation routes (pydantic: a 422 names the field).

A question is 1-500 characters (:data:`etax.consult.rules.MAX_QUESTION`) after its outer
white space is stripped; the channel is one of :data:`etax.consult.rules.CHANNELS`."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from etax.consult.rules import MAX_QUESTION, Channel
from etax.rules.text import SignedText

SESSION_ID = r"^[0-9a-f]{32}$"


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, SignedText(min_length=1, max_length=MAX_QUESTION)]
    channel: Channel = "web"
    session_id: Annotated[str, StringConstraints(pattern=SESSION_ID)] | None = None


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    helpful: bool


class ReplyRequest(BaseModel):
    """An officer's answer to a hand-off."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, SignedText(min_length=1, max_length=2000)]
