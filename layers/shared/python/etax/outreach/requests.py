"""What subscribers and publishers send (pydantic: a 422 names the failing field). Text is
stripped and refused when it holds control, bidi or invisible characters (line breaks and tabs
allowed in a body); a mailing's title and body fit the notification contract."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from etax.notifications.contract import LINK_PATTERN
from etax.rules.text import SignedText

Industry = Annotated[str, SignedText(min_length=1, max_length=100)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]


class SubscribeRequest(BaseModel):
    """The topics to follow (the taxpayer type, province and industry are the registry's)."""

    model_config = ConfigDict(extra="forbid")

    topics: list[Code] = Field(min_length=1, max_length=20)


class SegmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topics: list[Code] = Field(min_length=1, max_length=20)
    provinces: list[Code] = Field(min_length=1, max_length=40)
    taxpayer_types: list[Code] = Field(min_length=1, max_length=3)
    industries: list[Industry] = Field(default_factory=list, max_length=20)


class PreviewRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment: SegmentRequest


class MailingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    segment: SegmentRequest
    kind: Literal["policy", "guide", "reminder"]
    title: Annotated[str, SignedText(min_length=1, max_length=100)]
    body: Annotated[str, SignedText(min_length=1, max_length=2000, lines=True)]
    link: Annotated[str, StringConstraints(pattern=LINK_PATTERN)] | None = None


class WarningRequest(BaseModel):
    """An officer's risk warning to a named taxpayer (credit code or resident ID)."""

    model_config = ConfigDict(extra="forbid")

    taxpayer: Annotated[str, StringConstraints(strip_whitespace=True, min_length=15,
                                               max_length=18, pattern=r"^[0-9A-Z]+$")]
    topic: Literal["invoice", "filing", "payment", "refund", "registration", "credit", "other"]
    title: Annotated[str, SignedText(min_length=1, max_length=100)]
    detail: Annotated[str, SignedText(min_length=1, max_length=2000, lines=True)]


class ResponseRequest(BaseModel):
    """The taxpayer's answer to a warning: it acknowledges, explains, or reports a correction."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["acknowledge", "explain", "correct"]
    text: Annotated[str, SignedText(min_length=1, max_length=2000, lines=True)]


class CloseRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conclusion: Annotated[str, SignedText(min_length=1, max_length=2000, lines=True)]


class IndicatorCase(BaseModel):
    """A case of the risk indicators' watch-list to warn its taxpayer of (the detail of the
    tax data board's ``RiskCaseOpened``, etax.analytics.cases.announcement)."""

    model_config = ConfigDict(extra="ignore")

    case_id: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}\.[0-9A-Za-z]{1,20}"
                                                      r"\.[0-9a-f]{16}$")]
    warning_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]
    indicator: Annotated[str, StringConstraints(pattern=r"^[a-z-]{1,40}$")]
    taxpayer: Annotated[str, StringConstraints(min_length=15, max_length=18,
                                               pattern=r"^[0-9A-Z]+$")]
    office: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None
    topic: Literal["invoice", "filing", "payment", "refund", "registration", "credit", "other"]
    title: Annotated[str, SignedText(min_length=1, max_length=100)]
    detail: Annotated[str, SignedText(min_length=1, max_length=2000, lines=True)]
