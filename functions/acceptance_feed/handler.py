"""The registration feed consumer (SQS): applies the market-supervision department's records
to the registry, one message per record, reporting failed records one by one (a batch whose
every record failed is an error of the invocation, Powertools' default)."""

from __future__ import annotations

from etax.acceptance.registration.feed import FeedRecord
from etax.acceptance.registration.repository import RegistryRepository
from etax.acceptance.registration.service import RegistrationService
from etax.platform.aws import lazy
from etax.platform.consumer import consumer, json_body
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.settings import required

service = RegistrationService(
    RegistryRepository(),
    EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), "tax.registration"),
)
handler = instrument(consumer(
    "feed record", lambda body: FeedRecord.model_validate(json_body(body)),
    lambda record, _: service.apply_feed_record(record),
    expected=(), describe=lambda r: {"credit_code": r.credit_code, "revision": r.revision},
    raise_on_entire_batch_failure=True))
