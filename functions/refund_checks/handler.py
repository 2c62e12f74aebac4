"""Refund pipeline, stage 1: the automatic document check of a submitted case
(``RefundSubmitted`` → queue → here): ``checked``, or ``review`` for an officer."""

from __future__ import annotations

from etax.platform.observability import instrument
from etax.refunds.pipeline import Pipeline
from etax.refunds.repository import RefundRepository
from etax.refunds.stages import stage_consumer

pipeline = Pipeline(RefundRepository())
handler = instrument(stage_consumer("checks", lambda case_id: pipeline.check(case_id)))
