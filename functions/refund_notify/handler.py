"""Refund pipeline, stage 4: the applicant is notified (``RefundPaid`` / ``RefundRejected``
→ queue → here → ``notified`` with the notification, which the table's stream publishes as
``RefundNotified`` in the platform's notification contract)."""

from __future__ import annotations

from etax.platform.observability import instrument
from etax.refunds.pipeline import Pipeline
from etax.refunds.repository import RefundRepository
from etax.refunds.stages import stage_consumer

pipeline = Pipeline(RefundRepository())
handler = instrument(stage_consumer("notify", lambda case_id: pipeline.notify(case_id)))
