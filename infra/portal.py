"""The public portal (docs/decisions/0019-public-portal.md): static pages built from ``portal/``
into ``portal/dist`` (``make setup``), kept in a private bucket.

Outside ``local`` the pages are served by CloudFront through an origin access control (the
bucket stays private), with security headers (a content security policy that lets the pages
load only their own files and call only the stage's API), and published by the deploy itself:
a ``BucketDeployment`` copies ``portal/dist`` and writes ``config.json`` (the API's URL, the
stage) beside it. On ``local`` the bucket is the same, and ``scripts/local.py`` publishes the
same files after the deploy: the ``BucketDeployment``'s function runs the AWS CLI from its
layer, which the host-mode Lambda executor does not provide; LocalStack serves the bucket's
objects at ``<endpoint>/<bucket>/index.html`` (``PortalUrl`` in ``local-outputs.json``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aws_cdk import Duration, Fn, RemovalPolicy, Stack, Token
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.config import StageConfig
from infra.nag import LAMBDA_BASIC_EXECUTION, acknowledge
from infra.platform import Platform

DIST = Path(__file__).resolve().parent.parent / "portal" / "dist"


def content_security_policy(api_origin: str, *more_origins: str) -> str:
    """The pages' own files only; scripts never inline; calls to the stage's API only (and the
    identity provider's token endpoint, when the portal signs in with it); images from the page
    or the browser itself (a photo being read: ``blob:``)."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        " ".join(["connect-src 'self'", api_origin, *more_origins]),
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Portal(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, platform: Platform) -> None:
        super().__init__(scope, construct_id)
        config = platform.config
        self.bucket = s3.Bucket(
            self, "Pages",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            removal_policy=RemovalPolicy.RETAIN if platform.retain else RemovalPolicy.DESTROY,
        )
        acknowledge(self.bucket, "AwsSolutions-S1",
                    "the portal's pages are public and rebuilt from the repository on every "
                    "deploy; their reads are CloudFront's to log")
        self.distribution: cloudfront.Distribution | None = None
        self.url: str | None = None  # on local, scripts/local.py knows it
        if config.is_local:
            return

        api_url = platform.api.rest_api.url
        api_origin = "https://" + Fn.select(2, Fn.split("/", api_url))
        token_origins = [_origin(config.auth_token_url)] if config.auth_token_url else []
        headers = cloudfront.ResponseHeadersPolicy(
            self, "Headers",
            comment="The portal's security headers",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=content_security_policy(api_origin, *token_origins),
                    override=True),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER,
                    override=True),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True,
                    override=True),
            ),
        )
        self.distribution = cloudfront.Distribution(
            self, "Distribution",
            comment=f"e-tax portal ({config.stage})",
            default_root_object="index.html",
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
            ),
        )
        self.url = f"https://{self.distribution.distribution_domain_name}/"
        acknowledge(self.distribution, "AwsSolutions-CFR1",
                    "a public service for taxpayers in China and travellers abroad: no geo "
                    "restriction")
        acknowledge(self.distribution, "AwsSolutions-CFR2",
                    "static pages only; the API they call has its own regional web ACL "
                    "(infra/platform/waf.py)")
        acknowledge(self.distribution, "AwsSolutions-CFR3",
                    "static pages rebuilt from the repository; the API's access logs record "
                    "what callers do")
        acknowledge(self.distribution, "AwsSolutions-CFR4",
                    "the default CloudFront certificate: TLS 1.2 is set as the minimum, which "
                    "only a custom certificate enforces; a custom domain is an operator's step")
        s3deploy.BucketDeployment(
            self, "Publish",
            sources=[s3deploy.Source.asset(str(DIST)),
                     s3deploy.Source.json_data("config.json",
                                               self._runtime_config(config, api_url))],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=256,
        )
        self._acknowledge_deployment_function()

    def _runtime_config(self, config: StageConfig, api_url: str) -> dict[str, Any]:
        """The pages' ``config.json``: the API, the stage and, with an OIDC client, how to sign
        in (the redirect URI is the portal's own sign-in page; the audience names which of the
        provider's tokens the API accepts)."""
        settings: dict[str, Any] = {"apiUrl": api_url, "stage": config.stage}
        if config.has_oidc_client:
            oidc = {"authorizeUrl": config.auth_authorize_url,
                    "tokenUrl": config.auth_token_url, "clientId": config.auth_client_id,
                    "scopes": config.auth_scopes, "audience": config.auth_audience,
                    "redirectUri": f"{self.url}signin.html"}
            if config.auth_logout_url:
                oidc["logoutUrl"] = config.auth_logout_url
            settings["oidc"] = oidc
        return settings

    def _acknowledge_deployment_function(self) -> None:
        """cdk-nag's findings on the function CDK makes once per stack for bucket deployments
        (beside the stack's own constructs): its grants are CDK's, run at deploy time only."""
        stack = Stack.of(self)
        cfn = self.bucket.node.default_child
        assert isinstance(cfn, s3.CfnBucket)
        bucket = stack.resolve(cfn.logical_id)
        account = "<AWS::AccountId>" if Token.is_unresolved(stack.account) else stack.account
        region = "<AWS::Region>" if Token.is_unresolved(stack.region) else stack.region
        assets = f"arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-{account}-{region}/*"
        findings = [LAMBDA_BASIC_EXECUTION, "AwsSolutions-L1"] + [
            f"AwsSolutions-IAM5[{finding}]" for finding in (
                "Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*",
                "Action::s3:DeleteObject*", "Action::s3:Abort*", "Resource::*",
                f"Resource::<{bucket}.Arn>/*", f"Resource::{assets}")]
        for function in stack.node.children:
            if function.node.id.startswith("Custom::CDKBucketDeployment"):
                for finding in findings:
                    acknowledge(function, finding,
                                "CDK's bucket-deployment function, run at deploy time only: "
                                "reads the portal's asset, replaces the portal bucket's "
                                "objects, invalidates the distribution")
