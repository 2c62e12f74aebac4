"""What people send to crowd help (pydantic: a 422 names the failing field).

Sizes: a title 1–120 characters, a body 1–5,000, an answer 1–5,000, a hiding reason 2–500,
at most 5 tags of 1–20 characters; outer whitespace is stripped first, so blank text is
empty. Control, bidi and invisible characters are refused (line breaks and tabs in bodies
allowed)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Final, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from etax.knowledge.articles import TOPICS

TITLE_MAX: Final = 120
BODY_MAX: Final = 5000
REASON_MAX: Final = 500
TAGS_MAX: Final = 5
_REFUSED: Final = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _clean(value: str) -> str:
    for position, char in enumerate(value):
        if char not in "\n\t" and unicodedata.category(char) in _REFUSED:
            raise ValueError(f"character {position + 1} (U+{ord(char):04X}) is a control, bidi "
                             "or invisible character")
    return value


def _topic(value: str) -> str:
    if value not in TOPICS:
        raise ValueError(f"a topic of the knowledge base: {', '.join(TOPICS)}")
    return value


def _tags(value: list[str]) -> list[str]:
    return list(dict.fromkeys(value))


def text(max_length: int, min_length: int = 1) -> object:
    return StringConstraints(strip_whitespace=True, min_length=min_length,
                             max_length=max_length)


Title = Annotated[str, text(TITLE_MAX), AfterValidator(_clean)]
Body = Annotated[str, text(BODY_MAX), AfterValidator(_clean)]
Tag = Annotated[str, text(20), AfterValidator(_clean)]


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    body: Body
    topic: Annotated[str, AfterValidator(_topic)]
    tags: Annotated[list[Tag], Field(max_length=TAGS_MAX), AfterValidator(_tags)] = []
    post_anyway: bool = False


class AnswerRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Body


class VoteRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: Literal[1, -1]


class AcceptRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer_id: Annotated[str, Field(min_length=1, max_length=40)]


class PinRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pinned: bool = True


class HideRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, text(REASON_MAX, 2), AfterValidator(_clean)]
