"""Refund pipeline, stage 3: payment by the treasury (``RefundApproved`` → queue → here →
the treasury adapter, idempotent by the case id → ``paid``, recorded in the filing ledger of
the case's obligation in the same transaction). A refused payment is counted
on the case and its message retried; after the last receive it rests in the dead-letter
queue until ``scripts/redrive.py`` sends it back."""

from __future__ import annotations

from etax.filing.refunds import FilingOverpayments
from etax.filing.repository import FilingRepository
from etax.platform.aws import lazy
from etax.platform.observability import instrument
from etax.platform.partners import adapter
from etax.platform.settings import required
from etax.refunds.pipeline import Pipeline
from etax.refunds.repository import RefundRepository
from etax.refunds.stages import stage_consumer
from etax.refunds.treasury import TreasuryAdapter
from etax.simulations.treasury import SimulatedTreasury

pipeline = Pipeline(RefundRepository(), adapter("treasury", simulated=lambda: TreasuryAdapter(
    SimulatedTreasury(lazy("dynamodb"), required("REFUND_TREASURY_TABLE")))),
    overpayments=FilingOverpayments(FilingRepository()))
handler = instrument(stage_consumer("payment", lambda case_id: pipeline.pay(case_id)))
