"""A case as the service holds it, and how it is shown (never with its filer)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from etax.complaints.results import CaseShown, CaseSummary, Escalation, Step
from etax.complaints.rules import kinds


@dataclass(frozen=True, slots=True)
class Case:
    id: str
    kind: str
    state: str
    title: str
    facts: str
    office: str
    filed_at: str
    due_on: str
    filer: str | None = None  # the signed-in filer; None on an anonymous report
    reported: str | None = None
    secret_salt: str | None = None  # anonymous reports: the salted hash of the secret
    secret_hash: str | None = None
    answer: str | None = None
    refusal: str | None = None
    rating: int | None = None
    rating_comment: str | None = None
    escalations: tuple[dict[str, Any], ...] = ()
    history: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def named(self) -> bool:
        return self.filer is not None


def shown(case: Case) -> CaseShown:
    kind = kinds()[case.kind]
    return CaseShown(
        id=case.id, kind=case.kind, kind_label=kind.label, type=kind.type, state=case.state,
        title=case.title, facts=case.facts, office=case.office, named=case.named,
        filed_at=case.filed_at, due_on=case.due_on, escalated=bool(case.escalations),
        escalations=[Escalation(on=e["on"], due_on=e["due_on"], days_late=int(e["days_late"]))
                     for e in case.escalations],
        history=[Step(at=s["at"], event=s["event"], note=s.get("note")) for s in case.history],
        reported=case.reported, answer=case.answer, refusal=case.refusal, rating=case.rating,
        rating_comment=case.rating_comment)


def summary(case: Case) -> CaseSummary:
    return CaseSummary(id=case.id, kind=case.kind, state=case.state, title=case.title,
                       office=case.office, filed_at=case.filed_at, due_on=case.due_on,
                       escalated=bool(case.escalations), reported=case.reported)
