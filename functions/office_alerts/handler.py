"""The platform's alarms (their SNS topic, delivered raw to this consumer's queue) to the
officers on duty: an ALARM opens an alert in their inboxes and on their channels, the next OK
resolves it (docs/usage/office.md#operations-alerts)."""

from __future__ import annotations

from etax.office.alerts import parse_alarm
from etax.office.repository import OfficeRepository
from etax.office.service import SOURCE, Operations
from etax.platform.aws import lazy
from etax.platform.consumer import consumer as make_consumer
from etax.platform.events import EventPublisher
from etax.platform.observability import instrument
from etax.platform.settings import required

operations = Operations(OfficeRepository(),
                        EventPublisher(lazy("events"), required("EVENT_BUS_NAME"), SOURCE))

handler = instrument(make_consumer(
    "office alerts", parse_alarm, lambda change, _receives: operations.received(change),
    describe=lambda change: {"alarm": change.name, "state": change.state}))
