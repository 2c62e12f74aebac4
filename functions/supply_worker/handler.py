"""The invoice supply worker, fed by its queue (``etax.supply.worker``: the checks and the
decision, the batch posted, the carrier's trail polled). A failing record is reported alone
(``batchItemFailures``)."""

from __future__ import annotations

import os

from etax.acceptance.registration.repository import RegistryRepository
from etax.credit.levels import CreditLevels
from etax.platform.aws import lazy
from etax.platform.consumer import consumer, json_body
from etax.platform.observability import instrument
from etax.platform.partners import adapter
from etax.platform.settings import required
from etax.simulations.carrier import SimulatedCarrier
from etax.supply.repository import IssuedInvoices, SupplyRepository
from etax.supply.service import SupplyService
from etax.supply.worker import SupplyWorker, describe

sqs = lazy("sqs")
service = SupplyService(
    SupplyRepository(), RegistryRepository(), IssuedInvoices(),
    adapter("carrier", simulated=lambda: SimulatedCarrier(
        lazy("dynamodb"), required("SUPPLY_TABLE"),
        step_seconds=float(os.environ.get("LOGISTICS_STEP_SECONDS", "3600")))),
    credit=CreditLevels())
worker = SupplyWorker(
    service, sqs, lambda: required("SUPPLY_QUEUE_URL"),
    poll_seconds=max(1, min(900, int(os.environ.get("LOGISTICS_POLL_SECONDS", "900")))),
    max_polls=int(os.environ.get("LOGISTICS_MAX_POLLS", "500")))
handler = instrument(consumer("supply step", json_body, worker.step, expected=(),
                              describe=describe))
