"""Delivering paper invoices: the logistics adapter and a simulated carrier.

A :class:`Carrier` takes a parcel for a supply application (``ship``) and reports its
tracking trail (``track``). Real carriers (China Post EMS, which tax offices use for
invoice mailing, or a courier's open API) are reached with contract credentials this
project does not have, so the deployed adapter is :class:`SimulatedCarrier`, which
behaves as the pipeline must expect of a real one:

* ``ship`` is **idempotent on the shipment id** (the application id): a repeated call
  returns the first waybill, never a second parcel;
* the parcel moves through 已揽收 (accepted) → 运输中 (in transit) → 派送中 (out for
  delivery) → 已签收 (delivered), one step every ``step_seconds`` after it was taken,
  so the trail is a function of time and a test with a clock knows every answer.

Its books (one item per waybill) live in the supply table under ``carrier#<id>``,
standing for the carrier's own system.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

CARRIER_NAME = "EMS (simulated)"
STEPS = (("accepted", "已揽收"), ("in_transit", "运输中"), ("out_for_delivery", "派送中"),
         ("delivered", "已签收"))


@dataclass(frozen=True, slots=True)
class Parcel:
    recipient: str
    phone: str
    address: str
    contents: str


@dataclass(frozen=True, slots=True)
class Shipment:
    carrier: str
    tracking_no: str
    shipped_at: str


@dataclass(frozen=True, slots=True)
class TrackingEvent:
    status: str
    label: str
    at: str

    def as_dict(self) -> dict[str, str]:
        return {"status": self.status, "label": self.label, "at": self.at}


class Carrier(Protocol):
    def ship(self, shipment_id: str, parcel: Parcel) -> Shipment: ...

    def track(self, tracking_no: str) -> list[TrackingEvent]: ...


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
        self.db = client
        self.table = table
        self.step_seconds = step_seconds
        self.now = now

    def ship(self, shipment_id: str, parcel: Parcel) -> Shipment:
        tracking_no = waybill(shipment_id)
        shipped_at = self.now().astimezone(UTC).isoformat(timespec="seconds")
        try:
            self.db.put_item(
                TableName=self.table,
                Item={"id": {"S": f"carrier#{tracking_no}"}, "shipment_id": {"S": shipment_id},
                      "shipped_at": {"S": shipped_at}, "recipient": {"S": parcel.recipient},
                      "phone": {"S": parcel.phone}, "address": {"S": parcel.address},
                      "contents": {"S": parcel.contents}},
                ConditionExpression="attribute_not_exists(id)")
        except self.db.exceptions.ConditionalCheckFailedException:
            item = self._item(tracking_no)
            shipped_at = item["shipped_at"]["S"] if item else shipped_at
        return Shipment(CARRIER_NAME, tracking_no, shipped_at)

    def _item(self, tracking_no: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.db.get_item(
            TableName=self.table, Key={"id": {"S": f"carrier#{tracking_no}"}},
            ConsistentRead=True).get("Item")
        return item

    def track(self, tracking_no: str) -> list[TrackingEvent]:
        item = self._item(tracking_no)
        if item is None:
            return []
        return trail(datetime.fromisoformat(item["shipped_at"]["S"]), self.now(),
                     self.step_seconds)
