"""A case of the violators list, pure: its states and what it shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from etax.violators.criteria import Criteria
from etax.violators.results import CaseShown, Ground, PublishedEntry, ResponsibleShown

PENDING: Final = "pending"      # recorded, waiting for a second officer
PUBLISHED: Final = "published"  # on the public list
REMOVED: Final = "removed"      # off the list: the period ended, or removed early


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    state: str
    credit_code: str
    name: str
    address: str
    tax_office: str
    office_name: str
    decision_number: str
    served_on: str
    deadline: str
    responsible_name: str
    responsible_id: str  # already masked: the full number is never stored
    facts: dict[str, int | bool]
    grounds: tuple[str, ...]
    summary: str
    legal_basis: str
    penalty: str
    recorded_by: str
    recorded_on: str
    approved_by: str | None = None
    listed_on: str | None = None
    late: bool | None = None
    period_ends_on: str | None = None
    removed_on: str | None = None
    removal_reason: str | None = None
    removal_note: str | None = None
    removed_by: str | None = None

    def grounds_shown(self, criteria: Criteria) -> list[Ground]:
        return [Ground(code, criteria.describe(code)) for code in self.grounds]

    def entry(self, criteria: Criteria) -> PublishedEntry:
        """The published fields, and those alone."""
        return PublishedEntry(
            id=self.id, name=self.name, credit_code=self.credit_code, address=self.address,
            responsible=ResponsibleShown(self.responsible_name, self.responsible_id),
            facts=self.summary, grounds=self.grounds_shown(criteria),
            legal_basis=self.legal_basis, penalty=self.penalty,
            inspecting_office=self.office_name, listed_on=self.listed_on or "",
            period_ends_on=self.period_ends_on or "")

    def shown(self, criteria: Criteria) -> CaseShown:
        return CaseShown(
            id=self.id, state=self.state, credit_code=self.credit_code, name=self.name,
            tax_office=self.tax_office, decision_number=self.decision_number,
            served_on=self.served_on, deadline=self.deadline,
            grounds=self.grounds_shown(criteria), recorded_by=self.recorded_by,
            recorded_on=self.recorded_on, entry=self.entry(criteria),
            approved_by=self.approved_by, listed_on=self.listed_on, late=self.late,
            period_ends_on=self.period_ends_on, removed_on=self.removed_on,
            removal_reason=self.removal_reason, removal_note=self.removal_note)
