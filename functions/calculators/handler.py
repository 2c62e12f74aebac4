"""The tax toolbox's calculators (plan action A3, the tax toolbox; shared with B5 filing):
public routes, each a thin call of one calculator of :mod:`etax.calculators`."""

from __future__ import annotations

from aws_lambda_powertools.logging import correlation_paths

from etax.calculators import departure_refund, vat, vehicle_vessel
from etax.calculators.common import today_in_china
from etax.calculators.iit import annual, bonus, withholding
from etax.calculators.results import (
    AnnualSettlement,
    BonusTax,
    DepartureRefund,
    GeneralVat,
    SmallScaleVat,
    VehicleTax,
    Withholding,
)
from etax.platform.api import declares, json_body, make_resolver, parse_body
from etax.platform.observability import instrument

app = make_resolver()


@app.post("/v1/tools/iit/withholding")
def iit_withholding() -> Withholding:
    return withholding.compute(parse_body(app, withholding.Request), on=today_in_china())


@app.post("/v1/tools/iit/annual")
def iit_annual() -> AnnualSettlement:
    return annual.compute(parse_body(app, annual.Request), on=today_in_china())


@app.post("/v1/tools/iit/bonus")
def iit_bonus() -> BonusTax:
    return bonus.compute(parse_body(app, bonus.Request), on=today_in_china())


@app.post("/v1/tools/vat")
@declares(body=(vat.GeneralRequest, vat.SmallScaleRequest))  # by the body's "taxpayer"
def vat_due() -> GeneralVat | SmallScaleVat:
    model = vat.model_for(json_body(app).get("taxpayer"))
    return vat.compute(parse_body(app, model), on=today_in_china())


@app.post("/v1/tools/vehicle-vessel")
def vehicle_vessel_tax() -> VehicleTax:
    return vehicle_vessel.compute(parse_body(app, vehicle_vessel.Request), on=today_in_china())


@app.post("/v1/tools/departure-refund")
def departure_tax_refund() -> DepartureRefund:
    return departure_refund.compute(parse_body(app, departure_refund.Request),
                                    on=today_in_china())


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
