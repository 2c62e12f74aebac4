"""Board B, tax handling: self-service (plan action B7, 自助申领), tax certificates — a tax
residency or tax payment certificate issued online as a signed document with a QR code, and
anyone's check of a certificate (the invoice supply of B7 is :mod:`infra.supply`).

Resources: the certificates table and the API function ``certificates`` (signs with the
platform's signing key; reads the registry; tax payment certificates read filing's confirmed
payments, granted in :mod:`infra.stack`).
"""

from __future__ import annotations

from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from etax.certificates.tables import CERTIFICATES
from infra.platform import Platform
from infra.platform.data import grant


class Certificates(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 registry: dynamodb.ITable) -> None:
        super().__init__(scope, construct_id)
        self.table = platform.table(self, CERTIFICATES)
        self.function: lambda_.Function = platform.function(
            self, "certificates",
            description="B7: tax residency and tax payment certificates as signed documents",
            environment={"CERTIFICATES_TABLE": self.table.table_name},
            idempotent=True, memory_size=512)
        grant(self.function, self.table, "GetItem", "PutItem")
        platform.grant_registry_read(self.function, registry)
        platform.grant_signing(self.function)
        platform.api.routes(self.function, "POST /v1/certificates", "GET /v1/certificates/{number}",
                            "GET /v1/certificates/{number}/document")
        platform.api.route("GET", "/v1/certificates/{number}/verify", self.function, public=True)
