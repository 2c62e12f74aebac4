"""The portal's infrastructure (infra/portal.py): a private bucket everywhere; outside local, a
CloudFront distribution reaching it through an origin access control, HTTPS only, with the
security headers, and the deploy publishing the pages with the stage's config.json (with the
portal's OIDC client when the stage has one)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import app
from infra.config import ConfigError
from tests.infra.conftest import PROD_CONTEXT
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
    [distribution] = [d for k, d in resources(prod, "AWS::CloudFront::Distribution").items()
                      if k.startswith("Portal")]
    config = distribution["Properties"]["DistributionConfig"]
    assert config["DefaultRootObject"] == "index.html"
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    [origin] = config["Origins"]
    assert "OriginAccessControlId" in origin  # the bucket is read by CloudFront alone
    # the portal's, and the open data's (infra/open_data.py)
    assert len(resources(prod, "AWS::CloudFront::OriginAccessControl")) == 2


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


OIDC_CONTEXT = {
    **PROD_CONTEXT, "auth_audience": "6example0client0id",
    "auth_authorize_url": "https://signin.example.org/oauth2/authorize",
    "auth_token_url": "https://signin.example.org/oauth2/token",
    "auth_client_id": "6example0client0id", "auth_scopes": "openid profile",
    "auth_logout_url": "https://signin.example.org/logout",
}


@pytest.fixture(scope="module")
def oidc_synth() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A stage whose portal signs in with an OIDC provider: its template, the ``config.json``
    the deploy writes (each deploy-time value as ``"<marker>"``) and those values by marker."""
    cdk_app = cdk.App(context=OIDC_CONTEXT, builtin_cloud_formation_validation=False)
    stack = app.build(cdk_app)
    assembly = cdk_app.synth()
    template = dict(Template.from_stack(stack).to_json())
    [deployment] = [r for r in template["Resources"].values()
                    if r["Type"] == "Custom::CDKBucketDeployment"]
    keys = deployment["Properties"]["SourceObjectKeys"]
    [(text, markers)] = [
        ((Path(assembly.directory) / f"asset.{key.removesuffix('.zip')}" / "config.json")
         .read_text(encoding="utf-8"), marks)
        for key, marks in zip(keys, deployment["Properties"]["SourceMarkers"], strict=True)
        if (Path(assembly.directory) / f"asset.{key.removesuffix('.zip')}"
            / "config.json").is_file()]
    written = json.loads(re.sub(r"<<marker:0x\w+:\d+>>", lambda m: json.dumps(m.group(0)), text))
    return template, written, markers


def test_the_oidc_client_settings_reach_the_portals_config(
        oidc_synth: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    _, written, markers = oidc_synth
    oidc = written["oidc"]
    assert {k: v for k, v in oidc.items() if k != "redirectUri"} == {
        "authorizeUrl": "https://signin.example.org/oauth2/authorize",
        "tokenUrl": "https://signin.example.org/oauth2/token",
        "clientId": "6example0client0id", "scopes": "openid profile",
        "audience": "6example0client0id",  # which token the API accepts (Cognito: the ID token)
        "logoutUrl": "https://signin.example.org/logout"}
    redirect = json.dumps(markers[oidc["redirectUri"]])  # the distribution's own sign-in page
    assert "PortalDistribution" in redirect
    assert "DomainName" in redirect
    assert redirect.endswith('/signin.html\\""]]}')


def test_without_an_oidc_client_the_config_has_no_sign_in(prod: Template) -> None:
    [deployment] = resources(prod, "Custom::CDKBucketDeployment").values()
    assert "signin.html" not in json.dumps(deployment["Properties"]["SourceMarkers"])


def test_the_pages_may_call_the_token_endpoint_and_nothing_else_of_the_provider(
        oidc_synth: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    template, _, _ = oidc_synth
    [policy] = [r for r in template["Resources"].values()
                if r["Type"] == "AWS::CloudFront::ResponseHeadersPolicy"]
    csp = json.dumps(policy["Properties"]["ResponseHeadersPolicyConfig"]
                     ["SecurityHeadersConfig"]["ContentSecurityPolicy"])
    assert " https://signin.example.org; object-src 'none'" in csp  # connect-src's last origin
    assert "unsafe-inline" not in csp


@pytest.mark.parametrize(("changed", "refusal"), [
    ({"auth_token_url": None}, "together \\(missing auth_token_url\\)"),
    ({"auth_authorize_url": None, "auth_token_url": None, "auth_client_id": None},
     "auth_logout_url is the portal's OIDC client's"),
    ({"auth_authorize_url": "http://signin.example.org/oauth2/authorize"},
     "auth_authorize_url .* must be an https URL"),
    ({"auth_token_url": "https://user:secret@signin.example.org/oauth2/token"},
     "auth_token_url .* must be an https URL"),
    ({"auth_logout_url": "javascript:alert(1)"}, "auth_logout_url .* must be an https URL"),
    ({"auth_client_id": "a client"}, "auth_client_id .* is not a client id"),
    ({"auth_scopes": "openid  \"profile\""}, "auth_scopes"),
])
def test_bad_oidc_client_settings_are_refused_at_synth(changed: dict[str, str | None],
                                                       refusal: str) -> None:
    context = {k: v for k, v in {**OIDC_CONTEXT, **changed}.items() if v is not None}
    with pytest.raises(ConfigError, match=refusal):
        app.build(cdk.App(context=context, builtin_cloud_formation_validation=False))
