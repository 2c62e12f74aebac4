"""What the violators routes answer (typed results; the edge makes them JSON).

:class:`PublishedEntry` is the whitelist of the published fields: the public routes answer it
and nothing else, so no internal field of a case (the facts' figures, the officers, the
decision's number, the unmasked identity) can reach the public list by being added to a case.
"""

from __future__ import annotations

from dataclasses import dataclass

from etax.platform.results import optional


@dataclass(frozen=True)
class ResponsibleShown:
    name: str
    id_number: str  # the birth date hidden (etax.violators.publication.masked_id)


@dataclass(frozen=True)
class Ground:
    code: str
    description: str


@dataclass(frozen=True)
class PublishedEntry:
    """One entry of the public list: exactly the published fields (sources.md#violators)."""

    id: str
    name: str
    credit_code: str
    address: str
    responsible: ResponsibleShown
    facts: str
    grounds: list[Ground]
    legal_basis: str
    penalty: str
    inspecting_office: str
    listed_on: str
    period_ends_on: str  # the first day it is no longer published


@dataclass(frozen=True)
class Entries:
    items: list[PublishedEntry]
    cursor: str | None = optional()


@dataclass(frozen=True)
class CaseShown:
    """A case as its office's officers see it (never public)."""

    id: str
    state: str
    credit_code: str
    name: str
    tax_office: str
    decision_number: str
    served_on: str
    deadline: str
    grounds: list[Ground]
    recorded_by: str
    recorded_on: str
    entry: PublishedEntry  # what is (or will be) published
    approved_by: str | None = optional()
    listed_on: str | None = optional()
    late: bool | None = optional()
    period_ends_on: str | None = optional()
    removed_on: str | None = optional()
    removal_reason: str | None = optional()
    removal_note: str | None = optional()


@dataclass(frozen=True)
class Cases:
    """A page of an office's cases waiting for a second officer's approval."""

    items: list[CaseShown]
    cursor: str | None = optional()


@dataclass(frozen=True)
class Expired:
    """The daily run's summary."""

    day: str
    removed: int


@dataclass(frozen=True)
class Announcement:
    id: str
    case_id: str
    title: str
    body: str
    tax_office: str
    published_on: str


@dataclass(frozen=True)
class Announcements:
    items: list[Announcement]
    cursor: str | None = optional()
