"""Board B, tax handling (办税服务): B4 online acceptance so far — the taxpayer registry,
the public credit-code check, the taxpayer's own record, and the registration feed."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.platform import Platform
from infra.platform.events import QueueConsumer


class TaxHandling(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        self.registry: dynamodb.Table = platform.table(self, "RegistryTable",
                                                       partition_key="credit_code")
        env = {"REGISTRY_TABLE": self.registry.table_name}

        self.registration: lambda_.Function = platform.function(
            self, "registration",
            description="B4: public credit-code check and the taxpayer's registration record",
            environment=env,
        )
        self.registry.grant_read_data(self.registration)
        api = platform.api
        api.route("GET", "/v1/registration/verify/{credit_code}", self.registration, public=True)
        api.route("GET", "/v1/registration/records/{credit_code}", self.registration)

        self.registration_feed: lambda_.Function = platform.function(
            self, "registration_feed",
            description="B4: applies the market-supervision registration feed to the registry",
            environment=env,
            publishes_events=True,
            timeout=Duration.seconds(5),
        )
        self.registry.grant_read_write_data(self.registration_feed)
        self.feed: QueueConsumer = platform.consumer(self, "RegistrationFeed",
                                                     function=self.registration_feed)
