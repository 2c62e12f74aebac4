"""The simulated carrier that posts paper invoices (see :mod:`etax.supply.logistics`).

Its books are one record per waybill in the supply table (``carrier#<waybill>``, partition
key ``id``), written once per shipment id: a repeated ``ship`` returns the first waybill.
The trail is a function of time: one step every ``step_seconds`` after the parcel was taken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from etax.simulations.ledger import PartnerLedger
from etax.supply.logistics import STEPS, Parcel, Shipment, TrackingEvent

CARRIER_NAME = "EMS (simulated)"


def waybill(shipment_id: str) -> str:
    """A stable 13-character waybill number for a shipment id (EMS style: 2 letters, 9
    digits, ``CN``)."""
    digits = int(hashlib.sha256(shipment_id.encode()).hexdigest(), 16) % 10**9
    return f"EI{digits:09d}CN"


def trail(shipped_at: datetime, now: datetime, step_seconds: float) -> list[TrackingEvent]:
    """The events that have happened by ``now`` for a parcel taken at ``shipped_at``."""
    events = []
    for i, (status, label) in enumerate(STEPS):
        at = shipped_at + timedelta(seconds=step_seconds * i)
        if at > now:
            break
        events.append(TrackingEvent(status, label, at.isoformat(timespec="seconds")))
    return events


class SimulatedCarrier:
    """The carrier, simulated over its books in a DynamoDB table (see the module doc)."""

    def __init__(self, client: Any, table: str, *, step_seconds: float,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.ledger = PartnerLedger(client, table, key_attribute="id")
        self.step_seconds = step_seconds
        self.now = now

    def ship(self, shipment_id: str, parcel: Parcel) -> Shipment:
        tracking_no = waybill(shipment_id)
        record, _ = self.ledger.record_once(f"carrier#{tracking_no}", {
            "shipment_id": shipment_id,
            "shipped_at": self.now().astimezone(UTC).isoformat(timespec="seconds"),
            "recipient": parcel.recipient, "phone": parcel.phone, "address": parcel.address,
            "contents": parcel.contents})
        return Shipment(CARRIER_NAME, tracking_no, str(record["shipped_at"]))

    def track(self, tracking_no: str) -> list[TrackingEvent]:
        record = self.ledger.find(f"carrier#{tracking_no}")
        if record is None:
            return []
        return trail(datetime.fromisoformat(str(record["shipped_at"])), self.now(),
                     self.step_seconds)
