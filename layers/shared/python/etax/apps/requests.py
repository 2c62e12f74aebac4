"""What publishers, reviewers and raters send to the app square (pydantic: a 422 names the
failing field). Text shown to the public is refused if it holds a control, bidi or invisible
character."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from etax.apps import rules
from etax.rules.text import SignedText

Category = Literal["filing", "invoices", "payments", "accounting", "calculators", "other"]
Permission = Literal["network", "camera", "storage", "location", "notifications"]
PackageType = Literal["application/zip", "application/vnd.android.package-archive"]
ROUTE = r"^(GET|POST|PUT|PATCH|DELETE) /v1/[A-Za-z0-9_{}/.-]{1,200}$"
FILENAME = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(zip|apk)$"


class AppRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, SignedText(min_length=2, max_length=40)]
    category: Category
    summary: Annotated[str, SignedText(min_length=10, max_length=300, lines=True)]


class Manifest(BaseModel):
    """The permissions the app asks for and the platform routes it calls."""

    model_config = ConfigDict(extra="forbid")

    permissions: list[Permission] = Field(max_length=len(rules.PERMISSIONS))
    apis: list[Annotated[str, StringConstraints(pattern=ROUTE)]] = Field(max_length=50)

    @field_validator("permissions", "apis")
    @classmethod
    def _once_each(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each at most once")
        return value


class VersionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, StringConstraints(pattern=rules.VERSION_PATTERN)]
    release_notes: Annotated[str, SignedText(min_length=2, max_length=2000, lines=True)]
    filename: Annotated[str, StringConstraints(pattern=FILENAME)]
    content_type: PackageType
    size: int = Field(ge=1, le=rules.MAX_PACKAGE_BYTES, strict=True)
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-fA-F]{64}$", to_lower=True)]
    manifest: Manifest


class DecisionRequest(BaseModel):
    """``approve`` (published) or ``reject`` with a reason the publisher reads."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    reason: Annotated[str, SignedText(min_length=2, max_length=500, lines=True)] | None = None


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[str, SignedText(min_length=2, max_length=500)]


class RatingRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    score: int = Field(ge=1, le=5, strict=True)
    comment: Annotated[str, SignedText(min_length=2, max_length=500, lines=True)] | None = None


class ReportRequest(BaseModel):
    """A broken version reported: what goes wrong, for its publisher."""

    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, StringConstraints(pattern=rules.VERSION_PATTERN)]
    problem: Annotated[str, SignedText(min_length=10, max_length=500, lines=True)]
