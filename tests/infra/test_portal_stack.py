"""The portal's infrastructure (infra/portal.py): a private bucket everywhere; outside local, a
CloudFront distribution reaching it through an origin access control, HTTPS only, with the
security headers, and the deploy publishing the pages with the stage's config.json."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from tests.infra.test_platform_stack import resources


def portal_bucket(template: Template) -> dict[str, Any]:
    [bucket] = [v for k, v in resources(template, "AWS::S3::Bucket").items()
                if k.startswith("PortalPages")]
    found: dict[str, Any] = bucket
    return found


def test_the_pages_bucket_is_private_and_refuses_plain_http(local: Template,
                                                            prod: Template) -> None:
    for template in (local, prod):
        properties = portal_bucket(template)["Properties"]
        assert properties["PublicAccessBlockConfiguration"] == {
            "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
            "RestrictPublicBuckets": True}
        policies = [p for k, p in resources(template, "AWS::S3::BucketPolicy").items()
                    if k.startswith("PortalPages")]
        assert any(s["Effect"] == "Deny" and s["Condition"] == {
            "Bool": {"aws:SecureTransport": "false"}}
            for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"])


def test_local_has_no_distribution_and_no_deploy_time_function(local: Template) -> None:
    assert resources(local, "AWS::CloudFront::Distribution") == {}
    assert resources(local, "Custom::CDKBucketDeployment") == {}


def test_production_serves_the_pages_through_cloudfront_only_over_https(prod: Template) -> None:
    [distribution] = resources(prod, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    [origin] = config["Origins"]
    assert "OriginAccessControlId" in origin  # the bucket is read by CloudFront alone
    assert len(resources(prod, "AWS::CloudFront::OriginAccessControl")) == 1


def test_the_pages_load_only_their_own_files_and_call_only_the_api(prod: Template) -> None:
    [policy] = resources(prod, "AWS::CloudFront::ResponseHeadersPolicy").values()
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = json.dumps(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'",
                      "frame-ancestors 'none'", "connect-src 'self' https://"):
        assert directive in csp, directive
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31_536_000
    assert headers["ContentTypeOptions"]["Override"] is True


def test_the_deploy_publishes_the_pages_with_the_stages_config(prod: Template) -> None:
    [deployment] = resources(prod, "Custom::CDKBucketDeployment").values()
    properties = deployment["Properties"]
    assert len(properties["SourceObjectKeys"]) == 2  # the built pages and config.json
    assert properties["Prune"] is True
    assert properties["DistributionPaths"] == ["/*"]
    config = json.dumps(properties["SourceMarkers"])
    assert "Api" in config  # the API's URL, from the API's nested stack
    assert "PortalUrl" in prod.to_json()["Outputs"]
