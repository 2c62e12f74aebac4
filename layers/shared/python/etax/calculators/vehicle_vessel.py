"""Vehicle and vessel tax (车船税) on a vehicle for a year, by class, engine size and province.

Public API::

    from etax.calculators import vehicle_vessel
    vehicle_vessel.compute(vehicle_vessel.Request(
        province="35", vehicle_class="passenger_car", displacement_l="1.8")).annual_tax
    # "480.00"

Request: ``province`` (the two-digit GB/T 2260 code, as in invoice numbers: ``"35"`` Fujian),
``vehicle_class`` (``passenger_car``: a passenger car of at most 9 seats; ``commercial_bus``),
``displacement_l`` (engine displacement in litres, required for a passenger car, e.g.
``"1.598"``), optional ``year`` or ``date``.

Rule (sources.md#vat): the national table gives a range for each displacement bracket (a bracket
runs above its lower limit up to and including its upper limit: 1.6 L is in "1.0-1.6 L"); each
province picks the amount within the range. Both are data (``data/vehicle_vessel.json``); every
province schedule is checked against the national ranges when the data is loaded, so a schedule
outside the law cannot be served. The sources found one local schedule without its province: it is
recorded as Fujian's, unverified (ADR 0007), and the answer says so (``province.verified``).

Answer: ``{"province": {"code", "name", "verified"}, "vehicle_class", "displacement_l",
"bracket", "national_range": {"min", "max"}, "annual_tax", "steps", "date", "rules"}``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from etax.calculators.common import (
    Entry,
    InputError,
    RulesError,
    Strict,
    Versions,
    Year,
    date_field,
    fen,
    rules_date,
    step,
    yuan,
)
from etax.calculators.results import NationalRange, ProvinceSchedule, VehicleTax
from etax.platform.data import load

# --- rules -----------------------------------------------------------------------------------


class Range(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min: Decimal
    max: Decimal


class DisplacementBracket(Range):
    over: Decimal
    up_to: Decimal | None

    @property
    def label(self) -> str:
        if self.up_to is None:
            return f"over {self.over} L"
        if self.over == 0:
            return f"up to {self.up_to} L"
        return f"over {self.over} L up to {self.up_to} L"


class National(Entry):
    passenger_car: list[DisplacementBracket] = Field(min_length=1)
    commercial_bus: Range


class Schedule(Entry):
    verified: bool
    passenger_car: list[Decimal]
    commercial_bus: Decimal | None


class Province(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    schedules: list[Schedule] = Field(min_length=1)


class VehicleVesselRules:
    def __init__(self, data: dict[str, Any]) -> None:
        self.national = Versions(
            "vehicle_vessel_national", [National.model_validate(e) for e in data["national"]])
        self.provinces: dict[str, tuple[str, Versions[Schedule]]] = {}
        for code, raw in data["provinces"].items():
            province = Province.model_validate(raw)
            self.provinces[code] = (province.name,
                                    Versions(f"vehicle_vessel_{code}", province.schedules))
            for schedule in province.schedules:
                self._check_within_national(code, schedule)

    def _check_within_national(self, code: str, schedule: Schedule) -> None:
        """Every amount lies within the national range of every national entry it overlaps."""
        end = schedule.effective_to or dt.date.max
        overlapping = [n for n in self.national.entries
                       if n.effective_from <= end
                       and (n.effective_to is None or schedule.effective_from <= n.effective_to)]
        if not overlapping:
            raise RulesError(f"province {code}: no national table covers its schedule")
        for national in overlapping:
            if len(schedule.passenger_car) != len(national.passenger_car):
                raise RulesError(f"province {code}: {len(schedule.passenger_car)} passenger-car "
                                 f"amounts for {len(national.passenger_car)} brackets")
            for amount, bracket in zip(schedule.passenger_car, national.passenger_car,
                                       strict=True):
                if not bracket.min <= amount <= bracket.max:
                    raise RulesError(f"province {code}: {amount} for {bracket.label} is outside "
                                     f"the national range {bracket.min}-{bracket.max}")
            bus = schedule.commercial_bus
            if bus is not None and not (national.commercial_bus.min <= bus
                                        <= national.commercial_bus.max):
                raise RulesError(f"province {code}: commercial bus {bus} is outside the national "
                                 "range")


@cache
def rules() -> VehicleVesselRules:
    """The vehicle and vessel tax rules shipped with the layer (loaded and checked once)."""
    return VehicleVesselRules(load("etax.calculators", "vehicle_vessel"))


# --- request ---------------------------------------------------------------------------------

_LITRES = re.compile(r"[0-9]{1,2}(\.[0-9]{1,3})?")


def _to_litres(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError("litres as a decimal string, like \"1.598\"")
    text = str(value).strip()
    if _LITRES.fullmatch(text) is None:
        raise ValueError("litres as a decimal string with at most 3 decimals, like \"1.598\"")
    litres = Decimal(text)
    if litres <= 0:
        raise ValueError("the displacement must be greater than zero")
    return litres


Litres = Annotated[Decimal, BeforeValidator(_to_litres)]


class Request(Strict):
    province: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9]{2}$")]
    vehicle_class: Literal["passenger_car", "commercial_bus"]
    displacement_l: Litres | None = None
    year: Year | None = None
    date: dt.date | None = None


# --- computation -----------------------------------------------------------------------------


def compute(request: Request, on: dt.date | None = None) -> VehicleTax:
    """The year's tax on one vehicle under the province's schedule."""
    day = rules_date(request, on)
    field = date_field(request)
    data = rules()
    national = data.national.on(day, field=field)
    known = data.provinces.get(request.province)
    if known is None:
        listed = ", ".join(f"{code} ({name})" for code, (name, _) in data.provinces.items())
        raise InputError("province", f"no schedule on record for province {request.province} "
                                     f"(on record: {listed})")
    name, schedules = known
    schedule = schedules.on(day, field=field)

    if request.vehicle_class == "passenger_car":
        if request.displacement_l is None:
            raise InputError("displacement_l", "required for a passenger car")
        litres = request.displacement_l
        index = next(i for i, b in enumerate(national.passenger_car)
                     if b.up_to is None or litres <= b.up_to)
        bracket: Range = national.passenger_car[index]
        label = national.passenger_car[index].label
        amount = schedule.passenger_car[index]
    else:
        if request.displacement_l is not None:
            raise InputError("displacement_l", "not used for a commercial bus")
        bracket, label = national.commercial_bus, "commercial bus"
        if schedule.commercial_bus is None:
            raise InputError("vehicle_class", f"the schedule of {name} on record has no amount "
                                              "for commercial buses")
        amount = schedule.commercial_bus
    tax = fen(amount)
    steps = [
        step("bracket", f"{request.vehicle_class}, "
                        f"{request.displacement_l} L" if request.displacement_l else
                        request.vehicle_class, label),
        step("national range", f"{label}", f"{yuan(fen(bracket.min))}-{yuan(fen(bracket.max))}"),
        step("province amount", f"the schedule of {name}"
                                + ("" if schedule.verified else " (unverified)"), yuan(tax)),
    ]
    return VehicleTax(
        province=ProvinceSchedule(code=request.province, name=name, verified=schedule.verified),
        vehicle_class=request.vehicle_class,
        displacement_l=f"{request.displacement_l}" if request.displacement_l else None,
        bracket=label,
        national_range=NationalRange(min=yuan(fen(bracket.min)), max=yuan(fen(bracket.max))),
        annual_tax=yuan(tax),
        steps=steps,
        date=day.isoformat(),
        rules=[national.cite("vehicle_vessel.national"),
               schedule.cite(f"vehicle_vessel.provinces.{request.province}",
                             note=schedule.note)],
    )
