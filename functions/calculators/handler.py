"""The tax toolbox (plan action A3; the calculators shared with B5 filing): public routes,
each a thin call of one calculator of :mod:`etax.calculators`, and the service guide
(:mod:`etax.guide.navigator`)."""

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
from etax.guide import navigator
from etax.guide.results import Guide, GuideCatalogue
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


@app.get("/v1/guide")
@declares(query={
    "taxpayer_type": "small_scale, general, natural_person or overseas_visitor; alone: the "
                     "matters of that type",
    "matter": "the matter's id (the catalogue lists them); with taxpayer_type: its guide",
    "on": "the day the deadlines and figures are for (2026-12-06; today in Asia/Shanghai)"})
def service_guide() -> Guide | GuideCatalogue:
    event = app.current_event
    taxpayer_type = event.get_query_string_value("taxpayer_type")
    matter = event.get_query_string_value("matter")
    on = navigator.day(event.get_query_string_value("on"), today_in_china())
    if matter is None:
        return navigator.catalogue(taxpayer_type)
    return navigator.guide(taxpayer_type, matter, on)


handler = instrument(app.resolve, correlation_paths.API_GATEWAY_REST)
