"""Capacity for the public path and safe delivery (ADR 0018):
Graviton outside local, reserved concurrency for the authorizer, verification and lottery,
provisioned concurrency scaled on utilization on production, every function behind its
``live`` alias, CodeDeploy rolling each alias back on its function's alarm."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Template

from infra.platform.functions import CAPACITY
from tests.infra.conftest import live_alias
from tests.infra.test_platform_stack import functions_by_service, resources

RESERVED = {"authorizer", "verification", "lottery"}
WARM = {"verification", "lottery", "acceptance_registration", "authorizer", "platform"}


def function_ids(template: Template) -> dict[str, str]:
    """Function folder name → logical id."""
    return {v["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]: k
            for k, v in resources(template, "AWS::Lambda::Function").items()}


def test_prod_runs_on_graviton_with_the_arm64_layer(prod: Template) -> None:
    for name, function in functions_by_service(prod).items():
        assert function["Properties"]["Architectures"] == ["arm64"], name
    deps = [v["Properties"] for v in resources(prod, "AWS::Lambda::LayerVersion").values()
            if "Third-party" in v["Properties"]["Description"]]
    assert [d["CompatibleArchitectures"] for d in deps] == [["arm64"]]


def test_the_local_stack_runs_x86_64(local: Template) -> None:
    for name, function in functions_by_service(local).items():
        assert function["Properties"]["Architectures"] == ["x86_64"], name


def test_reserved_concurrency_on_the_public_path_only(prod: Template, local: Template) -> None:
    reserved = {name: f["Properties"].get("ReservedConcurrentExecutions")
                for name, f in functions_by_service(prod).items()}
    assert {n for n, r in reserved.items() if r} == RESERVED
    assert sum(r for r in reserved.values() if r) <= 1000 - 100 - 300  # the rest stays shared
    assert not [f for f in functions_by_service(local).values()
                if "ReservedConcurrentExecutions" in f["Properties"]]


def test_every_function_is_a_version_behind_its_live_alias(prod: Template,
                                                           local: Template) -> None:
    for template in (prod, local):
        ids = function_ids(template)
        versions = resources(template, "AWS::Lambda::Version")
        for name, function_id in ids.items():
            alias = resources(template, "AWS::Lambda::Alias")[live_alias(template, function_id)]
            version = alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][0]
            assert versions[version]["Properties"]["FunctionName"] == {"Ref": function_id}
            # republished when the function changes: its description is their fingerprint
            assert versions[version]["Properties"]["Description"].startswith("fingerprint "), name


def test_api_gateway_the_authorizer_queues_and_streams_invoke_the_aliases(
        prod: Template) -> None:
    aliases = set(resources(prod, "AWS::Lambda::Alias"))
    functions = set(resources(prod, "AWS::Lambda::Function"))

    def invokes_an_alias(value: Any) -> bool:
        text = json.dumps(value)
        return any(f'"{a}"' in text for a in aliases) and not any(
            f'"{f}"' in text for f in functions)

    methods = [m["Properties"] for m in resources(prod, "AWS::ApiGateway::Method").values()
               if m["Properties"]["Integration"]["Type"] == "AWS_PROXY"]
    assert methods
    assert all(invokes_an_alias(m["Integration"]["Uri"]) for m in methods)
    [authorizer] = resources(prod, "AWS::ApiGateway::Authorizer").values()
    assert invokes_an_alias(authorizer["Properties"]["AuthorizerUri"])
    mappings = resources(prod, "AWS::Lambda::EventSourceMapping").values()
    assert mappings
    assert all(invokes_an_alias(m["Properties"]["FunctionName"])
                            for m in mappings)
    scheduled = [t["Arn"] for r in resources(prod, "AWS::Events::Rule").values()
                 for t in r["Properties"].get("Targets", [])
                 if "ScheduleExpression" in r["Properties"]]
    assert scheduled
    assert all(invokes_an_alias(arn) for arn in scheduled)


def test_provisioned_concurrency_scales_on_utilization_on_production(prod: Template) -> None:
    ids = function_ids(prod)
    aliases = resources(prod, "AWS::Lambda::Alias")
    warm = {name for name, fid in ids.items()
            if "ProvisionedConcurrencyConfig" in aliases[live_alias(prod, fid)]["Properties"]}
    assert warm == WARM
    targets = resources(prod, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert len(targets) == len(WARM)
    for target in targets.values():
        props = target["Properties"]
        assert props["ScalableDimension"] == "lambda:function:ProvisionedConcurrency"
        name = next(n for n in WARM if live_alias(prod, ids[n]) in json.dumps(props))
        assert (props["MinCapacity"], props["MaxCapacity"]) == (CAPACITY[name].warm,
                                                                CAPACITY[name].peak)
        reserved = CAPACITY[name].reserved
        assert reserved is None or CAPACITY[name].peak <= reserved, name
    for policy in resources(prod, "AWS::ApplicationAutoScaling::ScalingPolicy").values():
        config = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
        assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] == (
            "LambdaProvisionedConcurrencyUtilization")
        assert config["TargetValue"] == 0.7


def test_canary_deployments_roll_back_on_the_functions_alarms(prod: Template) -> None:
    function_ids(prod)
    groups = [g["Properties"] for g in
              resources(prod, "AWS::CodeDeploy::DeploymentGroup").values()]
    assert len(groups) == len(resources(prod, "AWS::Lambda::Function"))
    alarms = resources(prod, "AWS::CloudWatch::Alarm")
    for group in groups:
        assert group["DeploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
        assert group["AutoRollbackConfiguration"]["Enabled"] is True
        assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]
        assert group["AlarmConfiguration"]["Enabled"] is True
        [alarm] = group["AlarmConfiguration"]["Alarms"]
        # named literally (the alarms are in the Monitoring nested stack)
        [named] = [a for a in alarms if alarms[a]["Properties"]["AlarmName"] == alarm["Name"]]
        signal = alarms[named]["Properties"]["AlarmDescription"]
        assert "errors in 5 minutes" in signal or "authorizer failed" in signal, named
    # each alias rolled by CodeDeploy, not by CloudFormation
    for alias in resources(prod, "AWS::Lambda::Alias"):
        assert "CodeDeployLambdaAliasUpdate" in json.dumps(
            prod.to_json()["Resources"][alias].get("UpdatePolicy", {})), alias


def test_the_local_stack_has_no_codedeploy_and_nothing_provisioned(local: Template) -> None:
    assert not resources(local, "AWS::CodeDeploy::DeploymentGroup")
    assert not resources(local, "AWS::CodeDeploy::Application")
    assert not resources(local, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert not [a for a in resources(local, "AWS::Lambda::Alias").values()
                if "ProvisionedConcurrencyConfig" in a["Properties"]]
