"""What the app square answers (etax.platform.results). A publisher is shown by its kind
(``developer`` or ``tax_office``), never by its account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.platform.results import optional
from etax.platform.uploads import UploadForm


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    field: str | None = optional()
    detail: str | None = optional()


@dataclass(frozen=True)
class AppVersion:
    version: str
    state: str
    release_notes: str
    filename: str
    content_type: str
    size: int
    sha256: str
    manifest: dict[str, Any]
    downloads: int
    reports: int  # broken-version reports from taxpayers
    declared_at: str
    submitted_at: str | None = optional()
    decided_at: str | None = optional()
    reason: str | None = optional()  # a rejection's or a withdrawal's
    checks: list[CheckResult] | None = optional()


@dataclass(frozen=True)
class App:
    id: str
    name: str
    category: str
    category_name: str
    summary: str
    publisher_kind: str
    downloads: int
    ratings: int
    rating: str | None  # the mean, one decimal
    latest: str | None
    versions: list[AppVersion]  # the public: published only; the publisher: all


@dataclass(frozen=True)
class AppList:
    apps: list[App]


@dataclass(frozen=True)
class VersionDeclared:
    version: AppVersion
    upload: UploadForm


@dataclass(frozen=True)
class ReviewItem:
    app_id: str
    name: str
    version: AppVersion


@dataclass(frozen=True)
class ReviewQueue:
    versions: list[ReviewItem]


@dataclass(frozen=True)
class Rated:
    score: int
    ratings: int
    rating: str
