"""The public paths' protection layers (docs/decisions/0016): a regional endpoint, per-method
throttles from the route classes of infra/platform/edge.py, and outside ``local`` the WAF web
ACL, the cache for caller-independent GETs and the partners' usage plans and API keys."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Template

from etax.platform.api import MAX_BODY_BYTES
from infra.complaints import SECRET_ROUTES
from infra.platform.api import API_STAGE, THROTTLE_BURST, THROTTLE_RATE
from infra.platform.edge import (
    ACCOUNT_RPS,
    PUBLIC_SHARE,
    ROUTE_CLASSES,
    limit_of,
    path_pattern,
    public_rps,
    route_class,
)
from infra.platform.waf import RATE_WINDOW_SECONDS
from tests.infra.test_platform_stack import resources, route_paths

STAGES = ["local", "prod"]
LOCAL_ONLY_PUBLIC = {"POST /v1/auth/dev-token", "GET /v1/auth/jwks.json"}  # the dev issuer
CACHED = {"GET /v1/keys", "GET /v1/invoices/spec", "GET /v1/applications/items",
          "GET /v1/lottery/campaigns/{campaign_id}", "GET /v1/openapi.json", "GET /v1/docs",
          "GET /v1/open-data/datasets", "GET /v1/open-data/datasets/{dataset_id}",
          "GET /v1/open-data/datasets/{dataset_id}/releases/{month}"}
PARTNER_ROUTES = {"POST /v1/filing/callbacks/{method}", "GET /v1/channels/wechat",
                  "POST /v1/channels/wechat", "POST /v1/channels/sms",
                  "GET /v1/consult/channels/wechat", "POST /v1/consult/channels/wechat",
                  "POST /v1/consult/channels/sms"}


def template_of(stage: str, request: pytest.FixtureRequest) -> Template:
    template: Template = request.getfixturevalue(stage)
    return template


def methods(template: Template) -> dict[str, dict[str, Any]]:
    """Each method's properties by ``METHOD /path`` (no CORS preflights)."""
    paths = route_paths(template)
    found = {}
    for method in resources(template, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if props["HttpMethod"] == "OPTIONS":
            continue
        resource = props["ResourceId"]
        path = paths[resource["Ref"]] if "Ref" in resource else "/"
        found[f"{props['HttpMethod']} {path}"] = props
    return found


def stage_props(template: Template) -> dict[str, Any]:
    (stage,) = resources(template, "AWS::ApiGateway::Stage").values()
    props: dict[str, Any] = stage["Properties"]
    assert props["StageName"] == API_STAGE
    return props


def method_settings(template: Template) -> dict[str, dict[str, Any]]:
    """The stage's method settings by ``METHOD /path`` (``* /*`` for the stage's default)."""
    def path(resource_path: str) -> str:  # "/~1v1~1tools~1vat" (a JSON pointer) or "/*"
        return resource_path if resource_path == "/*" else resource_path[1:].replace("~1", "/")

    return {f"{s['HttpMethod']} {path(s['ResourcePath'])}": s
            for s in stage_props(template)["MethodSettings"]}


def web_acl_rules(template: Template) -> dict[str, dict[str, Any]]:
    (acl,) = resources(template, "AWS::WAFv2::WebACL").values()
    return {rule["Name"]: rule for rule in acl["Properties"]["Rules"]}


@pytest.mark.parametrize("stage", STAGES)
def test_the_endpoint_is_regional(stage: str, request: pytest.FixtureRequest) -> None:
    """China regions have no edge-optimized endpoints; the local stack gets the same."""
    (api,) = resources(template_of(stage, request), "AWS::ApiGateway::RestApi").values()
    assert api["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}


@pytest.mark.parametrize("stage", STAGES)
def test_every_public_route_has_its_class_throttle(stage: str,
                                                   request: pytest.FixtureRequest) -> None:
    template = template_of(stage, request)
    settings = method_settings(template)
    public = {route for route, props in methods(template).items()
              if props["AuthorizationType"] == "NONE"} - LOCAL_ONLY_PUBLIC
    classified = {route for c in ROUTE_CLASSES for route in c.routes}
    assert public <= classified, public - classified
    assert settings["* /*"]["ThrottlingRateLimit"] == THROTTLE_RATE
    for route in classified:
        route_class_ = route_class(*route.split(" ", 1))
        assert route_class_ is not None
        setting = settings[route]
        assert (setting["ThrottlingRateLimit"], setting["ThrottlingBurstLimit"]) == (
            route_class_.rate, route_class_.burst), route
        assert setting["LoggingLevel"] == "ERROR"
        assert setting["MetricsEnabled"] is True


@pytest.mark.parametrize("stage", STAGES)
def test_every_method_setting_names_a_method_of_the_api(stage: str,
                                                        request: pytest.FixtureRequest) -> None:
    template = template_of(stage, request)
    assert set(method_settings(template)) - {"* /*"} <= set(methods(template))


def test_signed_in_filing_and_payment_keep_the_stage_default(prod: Template) -> None:
    """No class covers them: a flood on a public class is refused at the class's limit."""
    settings = method_settings(prod)
    routes = methods(prod)
    for route in ("POST /v1/filing/obligations/{obligation_id}/return",
                  "POST /v1/filing/obligations/{obligation_id}/payments"):
        assert route in routes
        assert routes[route]["AuthorizationType"] == "CUSTOM"
        assert route not in settings


def test_public_classes_together_leave_the_account_quota_to_signed_in_callers() -> None:
    assert public_rps() <= ACCOUNT_RPS * PUBLIC_SHARE
    for route_class_ in ROUTE_CLASSES:
        assert route_class_.rate <= THROTTLE_RATE
        assert route_class_.burst <= THROTTLE_BURST
        assert route_class_.name.isalpha()


def test_production_has_a_regional_web_acl_on_the_stage(prod: Template) -> None:
    (acl_id, acl) = next(iter(resources(prod, "AWS::WAFv2::WebACL").items()))
    assert acl["Properties"]["Scope"] == "REGIONAL"
    assert acl["Properties"]["DefaultAction"] == {"Allow": {}}
    (association,) = resources(prod, "AWS::WAFv2::WebACLAssociation").values()
    props = association["Properties"]
    assert props["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    (stage_id,) = resources(prod, "AWS::ApiGateway::Stage")
    arn = str(props["ResourceArn"])
    assert ":apigateway:" in arn
    assert "/stages/" in arn
    assert stage_id in arn


def test_the_managed_rule_groups_guard_every_route(prod: Template) -> None:
    rules = web_acl_rules(prod)
    groups = {rule["Statement"]["ManagedRuleGroupStatement"]["Name"]: rule
              for rule in rules.values() if "ManagedRuleGroupStatement" in rule["Statement"]}
    assert set(groups) == {"AWSManagedRulesCommonRuleSet",
                           "AWSManagedRulesKnownBadInputsRuleSet",
                           "AWSManagedRulesAmazonIpReputationList"}
    for rule in groups.values():
        assert rule["OverrideAction"] == {"None": {}}  # the groups' own block actions apply
    # only the common set's 8 KB body rule is counted: BodyTooLarge applies the real limit
    common = groups["AWSManagedRulesCommonRuleSet"]["Statement"]["ManagedRuleGroupStatement"]
    assert common["RuleActionOverrides"] == [
        {"Name": "SizeRestrictions_BODY", "ActionToUse": {"Count": {}}}]


def test_every_waf_rule_has_its_metric(prod: Template) -> None:
    (acl,) = resources(prod, "AWS::WAFv2::WebACL").values()
    configs = [acl["Properties"]["VisibilityConfig"],
               *(rule["VisibilityConfig"] for rule in acl["Properties"]["Rules"])]
    for config in configs:
        assert config["CloudWatchMetricsEnabled"] is True
        assert config["SampledRequestsEnabled"] is False  # samples show bearer tokens
    names = [config["MetricName"] for config in configs]
    assert len(set(names)) == len(names)
    assert all(name.startswith("etax-prod-") for name in names)


def test_the_body_size_rule_is_the_functions_limit(prod: Template) -> None:
    (acl,) = resources(prod, "AWS::WAFv2::WebACL").values()
    # WAF reads the whole body a function accepts; a larger one matches as oversize
    assert acl["Properties"]["AssociationConfig"] == {
        "RequestBody": {"API_GATEWAY": {"DefaultSizeInspectionLimit": "KB_64"}}}
    assert MAX_BODY_BYTES == 64 * 1024
    rule = web_acl_rules(prod)["BodyTooLarge"]
    assert rule["Action"] == {"Block": {}}
    size = rule["Statement"]["SizeConstraintStatement"]
    assert size["FieldToMatch"] == {"Body": {"OversizeHandling": "MATCH"}}
    assert (size["ComparisonOperator"], size["Size"]) == ("GT", MAX_BODY_BYTES)


def scope_down_patterns(rule: dict[str, Any]) -> list[str]:
    statement = rule["Statement"]["RateBasedStatement"]["ScopeDownStatement"]
    statements = statement["OrStatement"]["Statements"] if "OrStatement" in statement \
        else [statement]
    return [s["RegexMatchStatement"]["RegexString"] for s in statements]


def test_each_public_class_has_its_per_ip_rate_rule(prod: Template) -> None:
    rules = web_acl_rules(prod)
    for route_class_ in ROUTE_CLASSES:
        name = f"RatePerIp{route_class_.name}"
        if route_class_.per_ip is None:  # partners: limited per API key instead
            assert name not in rules
            continue
        statement = rules[name]["Statement"]["RateBasedStatement"]
        assert rules[name]["Action"] == {"Block": {}}
        assert (statement["AggregateKeyType"], statement["Limit"],
                statement["EvaluationWindowSec"]) == ("IP", route_class_.per_ip,
                                                      RATE_WINDOW_SECONDS)
        paths = {route.split(" ", 1)[1] for route in route_class_.routes}
        assert sorted(scope_down_patterns(rules[name])) == sorted(
            path_pattern(p) for p in paths)


@pytest.mark.parametrize(("path", "route", "matches"), [
    ("/api/v1/invoices/verify", "/v1/invoices/verify", True),
    ("/v1/invoices/verify/", "/v1/invoices/verify", True),  # a custom domain, no stage
    ("/api/v1/invoices/verify-all", "/v1/invoices/verify", False),
    ("/api/v1/certificates/C2026/verify", "/v1/certificates/{number}/verify", True),
    ("/api/v1/certificates/C2026", "/v1/certificates/{number}/verify", False),
    ("/api/v1/registration/verify/91350100M000100Y43",
     "/v1/registration/verify/{credit_code}", True),
    ("/api/v1/tools/vehicle-vessel", "/v1/tools/vehicle-vessel", True),
    ("/api/v1/lottery/campaigns/c1/periods/2/export",
     "/v1/lottery/campaigns/{campaign_id}", False),
])
def test_a_class_rule_counts_its_routes_only(path: str, route: str, matches: bool) -> None:
    assert bool(re.search(path_pattern(route), path)) is matches


def test_the_local_stack_has_no_waf_cache_or_partner_keys(local: Template) -> None:
    """LocalStack has no WAF; the local flows call partner routes without keys."""
    for kind in ("AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation",
                 "AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::ApiKey"):
        assert not resources(local, kind), kind
    props = stage_props(local)
    assert not props.get("CacheClusterEnabled")
    assert not any(s.get("CachingEnabled") for s in props["MethodSettings"])
    assert not any(m.get("ApiKeyRequired") for m in methods(local).values())


def test_caller_independent_gets_are_cached_outside_local(prod: Template) -> None:
    props = stage_props(prod)
    assert props["CacheClusterEnabled"] is True
    assert props["CacheClusterSize"] == "0.5"
    routes = methods(prod)
    cached = {route for route, setting in method_settings(prod).items()
              if setting.get("CachingEnabled")}
    assert cached == CACHED
    for route in cached:
        setting = method_settings(prod)[route]
        assert setting["CacheTtlInSeconds"] > 0
        assert setting["CacheDataEncrypted"] is True
        assert routes[route]["AuthorizationType"] == "NONE"  # never a caller's answer
    # one entry per campaign: the path parameter is part of the cache key
    campaign = routes["GET /v1/lottery/campaigns/{campaign_id}"]
    assert campaign["RequestParameters"] == {"method.request.path.campaign_id": True}
    assert campaign["Integration"]["CacheKeyParameters"] == ["method.request.path.campaign_id"]
    release = routes["GET /v1/open-data/datasets/{dataset_id}/releases/{month}"]
    assert sorted(release["Integration"]["CacheKeyParameters"]) == [
        "method.request.path.dataset_id", "method.request.path.month"]


def test_partners_call_with_their_own_api_key_outside_local(prod: Template) -> None:
    routes = methods(prod)
    required = {route for route, props in routes.items() if props.get("ApiKeyRequired")}
    assert required == PARTNER_ROUTES
    for route in required:  # the key is an extra: the signature checks stay in the handlers
        assert routes[route]["AuthorizationType"] == "NONE"
    plans = resources(prod, "AWS::ApiGateway::UsagePlan")
    partner_classes = [c for c in ROUTE_CLASSES if c.partners]
    assert len(plans) == len(partner_classes)
    throttles = sorted((p["Properties"]["Throttle"]["RateLimit"],
                        p["Properties"]["Throttle"]["BurstLimit"]) for p in plans.values())
    assert throttles == sorted((c.partner_rate, c.partner_burst) for c in partner_classes)
    keys = resources(prod, "AWS::ApiGateway::ApiKey")
    partners = [p for c in partner_classes for p in c.partners]
    assert len(keys) == len(partners) == 7
    assert sorted(k["Properties"]["Name"] for k in keys.values()) == sorted(
        f"etax-prod-{p}" for p in partners)
    links = resources(prod, "AWS::ApiGateway::UsagePlanKey")
    assert {link["Properties"]["KeyId"]["Ref"] for link in links.values()} == set(keys)


def served_by(template: Template) -> dict[str, str]:
    """The logical id of the function serving each ``METHOD /path`` (through its alias)."""
    aliases = {logical: alias["Properties"]["FunctionName"]["Ref"]
               for logical, alias in resources(template, "AWS::Lambda::Alias").items()
               if isinstance(alias["Properties"]["FunctionName"], dict)
               and "Ref" in alias["Properties"]["FunctionName"]}
    served = {}
    for route, props in methods(template).items():
        uri = json.dumps(props.get("Integration", {}).get("Uri", ""))
        found = [function for alias, function in aliases.items() if f'"{alias}"' in uri]
        if found:
            served[route] = found[0]
    return served


def limit_statements(template: Template, table: str) -> dict[str, list[dict[str, Any]]]:
    """Each policy's statements on the counters' table, by the role the policy is attached to."""
    arn = {"Fn::GetAtt": [table, "Arn"]}
    found: dict[str, list[dict[str, Any]]] = {}
    for policy in resources(template, "AWS::IAM::Policy").values():
        props = policy["Properties"]
        for statement in props["PolicyDocument"]["Statement"]:
            if arn in (statement["Resource"] if isinstance(statement["Resource"], list)
                       else [statement["Resource"]]):
                for role in props["Roles"]:
                    found.setdefault(role["Ref"], []).append(statement)
    return found


def test_local_functions_count_their_classes_figures_with_the_least_grant(
        local: Template) -> None:
    """No WAF on local: each function serving a limited class gets its classes' figures (the
    WAF's, from the one table) and UpdateItem on those classes' counters only."""
    (table,) = [k for k in resources(local, "AWS::DynamoDB::Table") if "EdgeLimits" in k]
    functions = resources(local, "AWS::Lambda::Function")
    served = served_by(local)
    expected: dict[str, list[str]] = {}
    for route_class_ in ROUTE_CLASSES:
        if route_class_.per_ip is None:
            continue
        for route in route_class_.routes:
            classes = expected.setdefault(served[route], [])
            if route_class_.name not in classes:
                classes.append(route_class_.name)
    statements = limit_statements(local, table)
    for logical, function in functions.items():
        variables = function["Properties"]["Environment"]["Variables"]
        role = function["Properties"]["Role"]["Fn::GetAtt"][0]
        names = expected.get(logical)
        if names is None:
            assert "EDGE_LIMITS" not in variables, logical
            assert role not in statements, logical
            continue
        limits = sorted(json.loads(variables["EDGE_LIMITS"]), key=lambda limit: limit["name"])
        by_name = {c.name: c for c in ROUTE_CLASSES}
        assert limits == [limit_of(by_name[n]).as_json() for n in sorted(names)]
        assert all(limit["window"] == RATE_WINDOW_SECONDS for limit in limits)
        assert variables["EDGE_LIMITS_TABLE"] == {"Ref": table}
        assert sorted(
            (s["Action"], *s["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"])
            for s in statements[role]) == sorted(("dynamodb:UpdateItem", f"{n}#*")
                                                 for n in names)
    assert {n for names in expected.values() for n in names} == {
        c.name for c in ROUTE_CLASSES if c.per_ip is not None}


def test_outside_local_waf_counts_and_the_functions_do_not(prod: Template) -> None:
    assert not [k for k in resources(prod, "AWS::DynamoDB::Table") if "EdgeLimits" in k]
    for function in resources(prod, "AWS::Lambda::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert not {"EDGE_LIMITS", "EDGE_LIMITS_TABLE"} & set(variables)


def test_a_signed_in_class_is_counted_per_token_outside_local(prod: Template) -> None:
    rules = web_acl_rules(prod)
    per_identity = [c for c in ROUTE_CLASSES if c.per_identity is not None]
    assert [c.name for c in per_identity] == ["LotteryScan"]
    for route_class_ in ROUTE_CLASSES:
        name = f"RatePerToken{route_class_.name}"
        if route_class_.per_identity is None:
            assert name not in rules
            continue
        statement = rules[name]["Statement"]["RateBasedStatement"]
        assert rules[name]["Action"] == {"Block": {}}
        assert (statement["AggregateKeyType"], statement["Limit"],
                statement["EvaluationWindowSec"]) == ("CUSTOM_KEYS", route_class_.per_identity,
                                                      RATE_WINDOW_SECONDS)
        assert statement["CustomKeys"] == [{"Header": {
            "Name": "authorization", "TextTransformations": [{"Priority": 0, "Type": "NONE"}]}}]
        assert scope_down_patterns(rules[name]) == [
            path_pattern(r.split(" ", 1)[1]) for r in route_class_.routes]


def test_a_preflight_where_a_browser_asks_first_and_nowhere_else(local: Template) -> None:
    paths = route_paths(local)
    by_path: dict[str, set[tuple[str, str]]] = {}
    for method in resources(local, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        resource = props["ResourceId"]
        path = paths[resource["Ref"]] if "Ref" in resource else "/"
        by_path.setdefault(path, set()).add((props["HttpMethod"], props["AuthorizationType"]))
    assert by_path
    for path, served in by_path.items():
        asked_first = f"GET {path}" in SECRET_ROUTES or any(
            verb != "GET" or auth != "NONE" for verb, auth in served if verb != "OPTIONS")
        assert (("OPTIONS", "NONE") in served) == asked_first, (path, served)
