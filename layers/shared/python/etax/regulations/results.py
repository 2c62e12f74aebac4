"""What the regulations routes answer (typed results, :mod:`etax.platform.results`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from etax.platform.results import optional


@dataclass(frozen=True)
class ActShown:
    title: str
    document_number: str
    issued: str


@dataclass(frozen=True)
class WorkShown:
    """A work in the list: its facts and its validity on ``as_of``."""

    id: str
    title: str
    kind: str
    kind_name: str
    document_number: str
    issuers: list[str]
    issued: str
    in_force: str | None
    status: str
    versions: int
    expires: str | None = optional()


@dataclass(frozen=True)
class Works:
    as_of: str
    items: list[WorkShown]


@dataclass(frozen=True)
class ProvisionShown:
    label: str
    article: int
    text: str
    status: str
    summary: bool
    paragraph: int | None = optional()


@dataclass(frozen=True)
class NoteShown:
    provision: str
    note: str


@dataclass(frozen=True)
class VersionShown:
    number: int
    valid_from: str
    valid_to: str | None
    act: ActShown
    announcement: str | None = optional()  # what it changed (etax.regulations.render); not v1


@dataclass(frozen=True)
class WorkReading:
    """A work as of a day: exactly the provisions in force that day, notes for the others."""

    id: str
    title: str
    kind: str
    kind_name: str
    document_number: str
    issuers: list[str]
    issued: str
    as_of: str
    status: str
    version: VersionShown | None
    provisions: list[ProvisionShown]
    notes: list[NoteShown]
    history: list[VersionShown]


@dataclass(frozen=True)
class DraftShown:
    id: str
    work_id: str
    state: str
    base_version: int
    act: ActShown
    changes: list[dict[str, Any]]
    drafter: str
    drafted_at: str
    submitted_at: str | None = optional()
    approver: str | None = optional()
    approved_at: str | None = optional()
    publisher: str | None = optional()
    published_at: str | None = optional()
    version: int | None = optional()
    valid_from: str | None = optional()
