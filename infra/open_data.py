"""Open data (plan actions D14, E19, docs/open-data.md), in the analytical store's board: the
open-data bucket, the publisher (DuckDB over the store's tables, every day) and the public
routes' function.

The bucket holds nothing but released aggregates (``open-data/``: the catalogue, each data
set's dictionary, each released month as JSON and CSV) and is read by anyone: outside
``local`` through a CloudFront distribution with an origin access control (the bucket itself
stays private, as every bucket of the platform); on ``local`` LocalStack serves its objects at
``<endpoint>/<bucket>/<key>`` (``OpenDataUrl`` in ``local-outputs.json``).
"""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from etax.analytics.open_data import PREFIX
from infra.nag import acknowledge
from infra.platform import Platform
from infra.platform.data import listing, private_bucket

PUBLIC_ROUTES = ("GET /v1/open-data/datasets", "GET /v1/open-data/datasets/{dataset_id}",
                 "GET /v1/open-data/datasets/{dataset_id}/releases/{month}")
PUBLISHED_AT = "cron(0 20 * * ? *)"  # 04:00 in Asia/Shanghai, after the night's compactions


class OpenData(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform,
                 store: s3.IBucket, tables_prefix: str, layer: lambda_.ILayerVersion,
                 store_env: dict[str, str]) -> None:
        super().__init__(scope, construct_id)
        self.bucket = private_bucket(self, "Bucket", retain=platform.retain)
        acknowledge(self.bucket, "AwsSolutions-S1",
                    "released aggregates only, public by design; reads are CloudFront's to "
                    "log, writes the publisher's")
        public_env = {"OPEN_DATA_BUCKET": self.bucket.bucket_name}

        self.publisher: lambda_.Function = platform.function(
            self, "open_data_publisher",
            description="D14/E19: releases the closed months of the open data sets",
            environment={**store_env, **public_env}, timeout=Duration.minutes(5),
            memory_size=2048, layers=[layer])
        self.publisher.add_to_role_policy(iam.PolicyStatement(
            actions=["s3:GetObject"], resources=[store.arn_for_objects(f"{tables_prefix}*")]))
        self.publisher.add_to_role_policy(listing(store, tables_prefix))
        self.publisher.add_to_role_policy(iam.PolicyStatement(
            actions=["s3:GetObject", "s3:PutObject"],
            resources=[self.bucket.arn_for_objects(f"{PREFIX}*")]))
        self.publisher.add_to_role_policy(listing(self.bucket, PREFIX))
        platform.schedule(self, "Releases",
                          description="Every day: the closed months of the open data sets "
                                      "not released yet",
                          schedule=events.Schedule.expression(PUBLISHED_AT),
                          function=self.publisher)

        self.function: lambda_.Function = platform.function(
            self, "open_data",
            description="D14/E19: the open data sets, read by anyone",
            environment=public_env, timeout=Duration.seconds(10))
        self.function.add_to_role_policy(iam.PolicyStatement(
            actions=["s3:GetObject"], resources=[self.bucket.arn_for_objects(f"{PREFIX}*")]))
        self.function.add_to_role_policy(listing(self.bucket, PREFIX))
        platform.api.routes(self.function, *PUBLIC_ROUTES, public=True)

        stack = Stack.of(self)
        for bucket, functions in ((store, (self.publisher,)),
                                  (self.bucket, (self.publisher, self.function))):
            logical = stack.resolve(bucket.node.default_child.logical_id)  # type: ignore[union-attr]
            prefix = tables_prefix if bucket is store else PREFIX
            for function in functions:
                acknowledge(function, f"AwsSolutions-IAM5[Resource::<{logical}.Arn>/{prefix}*]",
                            "released files and store partitions are named per data set and "
                            "month under this prefix; only the prefix can be named")

        self.url: str | None = None  # on local, scripts/local.py makes it from the endpoint
        if not platform.config.is_local:
            self.distribution = cloudfront.Distribution(
                self, "Distribution", comment=f"e-tax open data ({platform.config.stage})",
                minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
                default_behavior=cloudfront.BehaviorOptions(
                    origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                    cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                    response_headers_policy=cloudfront.ResponseHeadersPolicy
                    .CORS_ALLOW_ALL_ORIGINS_WITH_PREFLIGHT_AND_SECURITY_HEADERS))
            self.url = f"https://{self.distribution.distribution_domain_name}/"
            for rule, reason in (
                    ("AwsSolutions-CFR1", "public statistics for anyone: no geo restriction"),
                    ("AwsSolutions-CFR2", "static files, read only; no web ACL needed"),
                    ("AwsSolutions-CFR3", "public aggregates; the bucket's writes are the "
                                          "publisher's, logged by it"),
                    ("AwsSolutions-CFR4", "the default CloudFront certificate; a custom domain "
                                          "is an operator's step")):
                acknowledge(self.distribution, rule, reason)
