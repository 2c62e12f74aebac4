"""Board A, the tax toolbox (plan action A3): the tax calculators and the service guide as
public routes.

One function serves every calculator and the guide (``functions/calculators``); it reads no
table and calls no other service: the rules and the guide are data in the shared layer
(``etax/calculators/data``, ``etax/guide/data``, filing's calendar), so its role has nothing
but its logs and traces.
"""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.platform import Platform

ROUTES = (
    "/v1/tools/iit/withholding",
    "/v1/tools/iit/annual",
    "/v1/tools/iit/bonus",
    "/v1/tools/vat",
    "/v1/tools/vehicle-vessel",
    "/v1/tools/departure-refund",
)
GUIDE = "GET /v1/guide"


class Calculators(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        self.function: lambda_.Function = platform.function(
            self, "calculators",
            description="A3: tax calculators (income tax, VAT, vehicle and vessel tax, "
                        "departure refund) and the service guide",
        )
        platform.api.routes(self.function, *(f"POST {path}" for path in ROUTES), GUIDE,
                            public=True)
