"""What goes in which template (docs/decisions/0005, 0017): the API in its nested stack, the
functions' versions, aliases and deployments in theirs, the alarms, their topic and the
dashboard in theirs, everything else in the parent, and every template well inside
CloudFormation's limits."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import app
from tests.infra.conftest import DEPLOY_TIME_FUNCTIONS, Synthesized

# CloudFormation refuses a template over 500 resources, 200 parameters or 200 outputs; the
# margin leaves room for a board or two before the split has to change. With the knowledge
# boards the parent holds about 270 resources and Monitoring about 230 alarms (two per
# function, two per public route): Monitoring is the one that fills first.
MAX_RESOURCES = 490
MAX_PARAMETERS = 200
MAX_OUTPUTS = 200
API_STACK = "Api"
RELEASES_STACK = "Releases"
MONITORING_STACK = "Monitoring"


def templates(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {"parent": synthesized.parent, **synthesized.nested}


def of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_every_template_stays_well_inside_the_limits(stage: str,
                                                     request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(f"{stage}_synth")
    found = templates(synthesized)
    assert set(found) == {"parent", API_STACK, RELEASES_STACK, MONITORING_STACK}
    for name, template in found.items():
        counts = (len(template["Resources"]), len(template.get("Parameters", {})),
                  len(template.get("Outputs", {})))
        print(f"{stage} {name}: {counts[0]} resources, {counts[1]} parameters, "
              f"{counts[2]} outputs")
        assert counts[0] < MAX_RESOURCES, (stage, name, Counter(
            v["Type"] for v in template["Resources"].values()).most_common(5))
        assert counts[1] < MAX_PARAMETERS, (stage, name)
        assert counts[2] < MAX_OUTPUTS, (stage, name)


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_the_api_is_the_nested_stack_and_the_functions_stay_in_the_parent(
        stage: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(f"{stage}_synth")
    parent, api = synthesized.parent, synthesized.nested[API_STACK]
    assert len(of_type(parent, "AWS::CloudFormation::Stack")) == 3
    # the partners' usage plans and keys name the stage but are no part of its deployment
    assert not [k for k, v in parent["Resources"].items()
                if v["Type"].startswith("AWS::ApiGateway::") and v["Type"] not in (
                    "AWS::ApiGateway::UsagePlan", "AWS::ApiGateway::ApiKey",
                    "AWS::ApiGateway::UsagePlanKey")]
    for kind in ("AWS::ApiGateway::RestApi", "AWS::ApiGateway::Authorizer",
                 "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage"):
        assert len(of_type(api, kind)) == 1, kind
    assert len(of_type(api, "AWS::ApiGateway::Method")) > 100
    assert not of_type(api, "AWS::Lambda::Function")
    assert not of_type(api, "AWS::DynamoDB::Table")
    assert not of_type(api, "AWS::SQS::Queue")
    # the functions' releases: versions and aliases beside them, never the functions
    releases = synthesized.nested[RELEASES_STACK]
    assert len(of_type(releases, "AWS::Lambda::Version")) == len(
        [k for k in of_type(parent, "AWS::Lambda::Function")
         if not k.startswith(DEPLOY_TIME_FUNCTIONS)])
    assert not of_type(releases, "AWS::Lambda::Function")
    assert not of_type(parent, "AWS::Lambda::Version")
    assert not of_type(parent, "AWS::Lambda::Alias")
    # what clients read comes out of the nested stack into the parent's outputs
    [stack_id] = [k for k in of_type(parent, "AWS::CloudFormation::Stack") if "Api" in k]
    for name in ("ApiUrl", "ApiId"):
        assert stack_id in json.dumps(parent["Outputs"][name]["Value"]), name
    assert parent["Outputs"]["ApiStage"]["Value"] == "api"


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_the_alarms_are_the_monitoring_stack_and_a_release_names_its_own(
        stage: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(f"{stage}_synth")
    parent = synthesized.parent
    monitoring = synthesized.nested[MONITORING_STACK]
    releases = synthesized.nested[RELEASES_STACK]
    assert not of_type(parent, "AWS::CloudWatch::Alarm")
    assert not of_type(parent, "AWS::CloudWatch::Dashboard")
    assert not of_type(parent, "AWS::SNS::Topic")
    alarms = of_type(monitoring, "AWS::CloudWatch::Alarm")
    assert len(alarms) > 150
    assert len(of_type(monitoring, "AWS::CloudWatch::Dashboard")) == 1
    names = {a["Properties"]["AlarmName"] for a in alarms.values()}
    assert len(names) == len(alarms)
    assert all(isinstance(n, str) and n.startswith(f"etax-{stage}-") for n in names)
    # the releases roll back on alarms they name: literal names of alarms that exist, no
    # value passed from one nested stack to the other, and Monitoring deployed first
    groups = of_type(releases, "AWS::CodeDeploy::DeploymentGroup")
    assert bool(groups) == (stage != "local")
    for group in groups.values():
        [alarm] = group["Properties"]["AlarmConfiguration"]["Alarms"]
        assert alarm["Name"] in names
    [releases_id] = [k for k in of_type(parent, "AWS::CloudFormation::Stack") if "Releases" in k]
    [monitoring_id] = [k for k in of_type(parent, "AWS::CloudFormation::Stack")
                       if "Monitoring" in k]
    assert monitoring_id in parent["Resources"][releases_id]["DependsOn"]
    assert "Monitoring" not in json.dumps(parent["Resources"][releases_id]["Properties"])


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_one_api_permission_per_function_scoped_to_this_api(
        stage: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(f"{stage}_synth")
    parent, api = synthesized.parent, synthesized.nested[API_STACK]
    [rest_api] = of_type(api, "AWS::ApiGateway::RestApi")
    [authorizer] = of_type(api, "AWS::ApiGateway::Authorizer")
    assert not [p for p in of_type(parent, "AWS::Lambda::Permission").values()
                if p["Properties"]["Principal"] == "apigateway.amazonaws.com"]
    integrated = {json.dumps(m["Properties"]["Integration"]["Uri"])
                  for m in of_type(api, "AWS::ApiGateway::Method").values()
                  if m["Properties"]["Integration"]["Type"] == "AWS_PROXY"}
    granted: Counter[str] = Counter()
    for permission in of_type(api, "AWS::Lambda::Permission").values():
        props = permission["Properties"]
        assert props["Action"] == "lambda:InvokeFunction"
        assert props["Principal"] == "apigateway.amazonaws.com"
        parameter = props["FunctionName"]["Ref"]
        assert parameter in api["Parameters"]
        granted[parameter] += 1
        parts = props["SourceArn"]["Fn::Join"][1]
        assert any(":execute-api:" in part for part in parts if isinstance(part, str)), props
        assert {"Ref": rest_api} in parts, props
        if {"Ref": authorizer} in parts:
            assert parts[-2:] == ["/authorizers/", {"Ref": authorizer}]
        else:
            assert parts[-1] == "/*/*/*", props
    # each function once: the authorizer, and every function a method integrates
    assert set(granted.values()) == {1}
    served = {p for p in granted if any(p in uri for uri in integrated)}
    assert len(served) == len(integrated) == len(granted) - 1


def test_a_changed_route_redeploys_the_api() -> None:
    """The deployment's logical id is a hash of the methods, so CloudFormation makes a new
    deployment when a route changes (and the stage serves it)."""

    def deployment_id(extra_route: bool) -> str:
        cdk_app = cdk.App(context={"stage": "local"}, builtin_cloud_formation_validation=False)
        stack = app.build(cdk_app)
        if extra_route:
            stack.platform.api.route("GET", "/v1/health/deep", stack.platform.platform_function,
                                     public=True)
        cdk_app.synth()
        api = stack.platform.api
        [deployment] = Template.from_stack(api).find_resources("AWS::ApiGateway::Deployment")
        return str(deployment)

    assert deployment_id(False) != deployment_id(True)
