"""An evaluation as the routes answer it: every deduction with its indicator's description,
its points, what repair gave back, and the records that caused it with their links. Pure."""

from __future__ import annotations

from decimal import Decimal

from etax.credit.catalogue import Catalogue
from etax.credit.evaluation import Evaluation
from etax.credit.records import link
from etax.credit.results import DeductionView, DirectDView, Rating, RecordLink


def _one(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1")))


def record_link(reference: str) -> RecordLink:
    return RecordLink(reference, link(reference))


def rating_of(evaluation: Evaluation, *, credit_code: str, name: str, catalogue: Catalogue,
              evaluated_at: str) -> Rating:
    deductions = [DeductionView(
        indicator=d.code, description=catalogue.by_code(d.code).description, points=d.points,
        restored=_one(d.restored), net=_one(d.net), on=d.on.isoformat(),
        records=[record_link(r) for r in d.records],
        corrected_on=d.corrected_on.isoformat() if d.corrected_on else None)
        for d in evaluation.deductions]
    direct = [DirectDView(indicator=d.code, description=catalogue.by_code(d.code).description,
                          on=d.on.isoformat(), record=record_link(d.record))
              for d in evaluation.direct_d]
    return Rating(credit_code=credit_code, name=name, year=evaluation.year,
                  level=evaluation.level, score=_one(evaluation.score), start=evaluation.start,
                  provisional=evaluation.provisional, as_of=evaluation.as_of.isoformat(),
                  deductions=deductions, direct_d=direct, no_a=list(evaluation.no_a),
                  evaluated_at=evaluated_at)
