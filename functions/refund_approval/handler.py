"""Refund pipeline, stage 2: approval of a checked case, fixing the approved amount
(``RefundDocumentsChecked`` → queue → here → ``approved``)."""

from __future__ import annotations

from etax.platform.observability import instrument
from etax.refunds.pipeline import Pipeline
from etax.refunds.repository import RefundRepository
from etax.refunds.stages import stage_consumer

pipeline = Pipeline(RefundRepository())
handler = instrument(stage_consumer("approval", lambda case_id: pipeline.approve(case_id)))
