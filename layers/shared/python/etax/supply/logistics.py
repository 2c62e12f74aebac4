"""Delivering paper invoices: the logistics port.

A :class:`Carrier` takes a parcel for a supply application (``ship``) and reports its
tracking trail (``track``). Real carriers (China Post EMS, which tax offices use for
invoice mailing, or a courier's open API) are reached with contract credentials this
project does not have, so the deployed adapter is the simulated carrier
(:mod:`etax.simulations.carrier`, chosen by the supply handlers), which behaves as the
pipeline must expect of a real one:

* ``ship`` is **idempotent on the shipment id** (the application id): a repeated call
  returns the first waybill, never a second parcel;
* the parcel moves through 已揽收 (accepted) → 运输中 (in transit) → 派送中 (out for
  delivery) → 已签收 (delivered), one step every ``step_seconds`` after it was taken,
  so the trail is a function of time and a test with a clock knows every answer.

Its books (one item per waybill) live in the supply table under ``carrier#<id>``,
standing for the carrier's own system.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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
