"""An evaluation as the routes answer it: every deduction with its indicator's description,
its points, what repair gave back, and the records that caused it with their links. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from etax.credit.catalogue import Catalogue
from etax.credit.evaluation import Deduction, Evaluation
from etax.credit.records import link
from etax.credit.results import DeductionView, DirectDView, Rating, RecordLink


def _one(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1")))


def record_link(reference: str) -> RecordLink:
    return RecordLink(reference, link(reference))


def repair_key(kind: str, subject: str) -> str:
    """How :func:`rating_of` finds an approved repair: ``fault:<record>``, ``whole_record``,
    ``direct_d:<indicator>``."""
    return kind if kind == "whole_record" else f"{kind}:{subject}"


def _repair_of(deduction: Deduction, repairs: Mapping[str, str]) -> str | None:
    if deduction.repaired == "fault":
        return repairs.get(repair_key("fault", deduction.record))
    if deduction.repaired == "whole_record":
        return repairs.get("whole_record")
    return None


def rating_of(evaluation: Evaluation, *, credit_code: str, name: str, catalogue: Catalogue,
              evaluated_at: str, repairs: Mapping[str, str] | None = None) -> Rating:
    """The rating shown; ``repairs`` (:func:`repair_key` → application id) names the approved
    repairs that gave points back or lifted a direct D."""
    named = repairs or {}
    deductions = [DeductionView(
        indicator=d.code, description=catalogue.by_code(d.code).description, points=d.points,
        restored=_one(d.restored), net=_one(d.net), on=d.on.isoformat(),
        records=[record_link(r) for r in d.records],
        corrected_on=d.corrected_on.isoformat() if d.corrected_on else None,
        repair=_repair_of(d, named))
        for d in evaluation.deductions]
    direct = [DirectDView(indicator=d.code, description=catalogue.by_code(d.code).description,
                          on=d.on.isoformat(), record=record_link(d.record),
                          lifted_by=named.get(repair_key("direct_d", d.code)) if d.lifted
                          else None)
              for d in evaluation.direct_d]
    return Rating(credit_code=credit_code, name=name, year=evaluation.year,
                  level=evaluation.level, score=_one(evaluation.score), start=evaluation.start,
                  provisional=evaluation.provisional, as_of=evaluation.as_of.isoformat(),
                  deductions=deductions, direct_d=direct, no_a=list(evaluation.no_a),
                  evaluated_at=evaluated_at)
