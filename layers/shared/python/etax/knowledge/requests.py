"""The knowledge base's request bodies (pydantic: a field that fails is the problem's
``field``)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from etax.knowledge.subscriptions import MAX_WORKS

WorkId = Annotated[str, StringConstraints(min_length=1, max_length=80)]


class ReviewRequest(BaseModel):
    """An officer's review: ``confirm`` the answer as still right, or ``replace`` it with
    ``answer``; ``revision`` is the one read (a later flag makes it stale: 409)."""

    model_config = ConfigDict(extra="forbid")

    revision: Annotated[int, Field(ge=0)]
    decision: Literal["confirm", "replace"]
    answer: Annotated[str, StringConstraints(min_length=1, max_length=4000)] | None = None


class SubscriptionsRequest(BaseModel):
    """The works of the library to follow (all of them: the list replaces the one before)."""

    model_config = ConfigDict(extra="forbid")

    works: Annotated[list[WorkId], Field(max_length=MAX_WORKS)]
