"""The annual credit evaluation, one page of a segment of the register a message: each
taxpayer rated once for the run, the rest of the segment queued again."""

from __future__ import annotations

from etax.acceptance.registration.repository import RegistryRepository
from etax.credit.repository import CreditRepository
from etax.credit.service import CreditService
from etax.filing.repository import FilingRepository
from etax.platform.consumer import consumer as make_consumer
from etax.platform.consumer import json_body
from etax.platform.observability import instrument
from etax.platform.queues import WorkQueue

service = CreditService(CreditRepository(), FilingRepository(), RegistryRepository(),
                        fanout=WorkQueue("CREDIT_RUN_QUEUE_URL"))

handler = instrument(make_consumer(
    "credit run", json_body, lambda message, _receives: service.run_page(message),
    describe=lambda m: {"run": m.get("run_id"), "segment": m.get("segment")}))
