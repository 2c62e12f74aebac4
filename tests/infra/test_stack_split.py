"""What goes in which template (docs/decisions/0005, 0017): the API in its nested stack with
the methods of some boards in a nested stack of its own, the functions' versions, aliases and
deployments in theirs, the alarms, their topic and the dashboard in theirs, everything else in
the parent, and every template well inside CloudFormation's limits."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

import app
from infra.platform.api import SECOND_PART, second_part
from tests.infra.conftest import DEPLOY_TIME_FUNCTIONS, Synthesized

# CloudFormation refuses a template over 500 resources, 200 parameters or 200 outputs; the
# margin leaves room for a board or two before the split has to change. With the supervision
# and feedback boards the parent holds about 400 resources on local (420 on a real stage),
# Monitoring about 290 (two alarms per function, two per public route), the API's stack about
# 390 and its second part about 120.
MAX_RESOURCES = 490
MAX_PARAMETERS = 200
MAX_OUTPUTS = 200
API_STACK = "Api"
API_PART_STACK = "Routes"
RELEASES_STACK = "Releases"
MONITORING_STACK = "Monitoring"
# the boards built as nested stacks
BOARD_STACKS = ("Analytics", "Sharing", "Office", "Ideas", "School", "Apps")
LOCAL_STACKS = ("PartnerBank",)  # the demo partner bank's app, on local only


def templates(synthesized: Synthesized) -> dict[str, dict[str, Any]]:
    return {"parent": synthesized.parent, **synthesized.nested}


def of_type(template: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_every_template_stays_well_inside_the_limits(stage: str,
                                                     request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(f"{stage}_synth")
    found = templates(synthesized)
    assert set(found) == {"parent", API_STACK, API_PART_STACK, RELEASES_STACK,
                          MONITORING_STACK, *BOARD_STACKS,
                          *(LOCAL_STACKS if stage == "local" else ())}
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
    assert len(of_type(parent, "AWS::CloudFormation::Stack")) == 3 + len(BOARD_STACKS) + (
        len(LOCAL_STACKS) if stage == "local" else 0)
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
def test_a_board_in_its_own_stack_keeps_its_releases_and_alarms(
        stage: str, request: pytest.FixtureRequest) -> None:
    """A board built as a nested stack (infra/platform/boards.py) holds its functions with
    their versions, aliases (and deployment groups), its alarms and its dashboard: nothing of
    it is in Releases or Monitoring, which never read a value from it (a board reads from
    them, one way, so no two templates wait for each other)."""
    synthesized: Synthesized = request.getfixturevalue(f"{stage}_synth")
    parent = synthesized.parent
    for name in BOARD_STACKS:
        board = synthesized.nested[name]
        functions = of_type(board, "AWS::Lambda::Function")
        assert functions
        assert len(of_type(board, "AWS::Lambda::Version")) == len(functions)
        assert len(of_type(board, "AWS::Lambda::Alias")) == len(functions)
        assert len(of_type(board, "AWS::CodeDeploy::DeploymentGroup")) == (
            0 if stage == "local" else len(functions))
        alarms = of_type(board, "AWS::CloudWatch::Alarm")
        assert len(alarms) >= 2 * len(functions)
        assert all(a["Properties"]["AlarmName"].startswith(f"etax-{stage}-")
                   for a in alarms.values())
        assert len(of_type(board, "AWS::CloudWatch::Dashboard")) == 1
        [board_id] = [k for k in of_type(parent, "AWS::CloudFormation::Stack") if name in k]
        for other in (RELEASES_STACK, MONITORING_STACK, API_STACK):
            [other_id] = [k for k in of_type(parent, "AWS::CloudFormation::Stack")
                          if other in k]
            if other == API_STACK:  # the API invokes the board's aliases: it reads them
                continue
            assert board_id not in json.dumps(parent["Resources"][other_id]), (name, other)


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_the_second_part_holds_its_boards_methods_on_the_same_api(
        stage: str, request: pytest.FixtureRequest) -> None:
    """The methods under :data:`SECOND_PART` are the part's, all others the API stack's; the
    part makes no API, authorizer, deployment or permission of its own, and the deployment
    waits for it."""
    synthesized: Synthesized = request.getfixturevalue(f"{stage}_synth")
    api, part = synthesized.nested[API_STACK], synthesized.nested[API_PART_STACK]
    for kind in ("AWS::ApiGateway::RestApi", "AWS::ApiGateway::Authorizer",
                 "AWS::ApiGateway::Deployment", "AWS::ApiGateway::Stage",
                 "AWS::Lambda::Permission", "AWS::Lambda::Function"):
        assert not of_type(part, kind), kind
    assert len(of_type(part, "AWS::ApiGateway::Method")) > 20
    paths = {path for _, path in routes(synthesized.merged.to_json()["Resources"])}
    for prefix in SECOND_PART:  # each prefix names a board's paths: none is left unserved
        assert any(second_part(path) and path.startswith(prefix) for path in paths), prefix
    for template, inside in ((api, False), (part, True)):
        for method, path in routes(synthesized.merged.to_json()["Resources"], template):
            assert second_part(path) is inside, (method, path)
    [deployment] = of_type(api, "AWS::ApiGateway::Deployment").values()
    [part_stack] = of_type(api, "AWS::CloudFormation::Stack")
    assert part_stack in deployment["DependsOn"]
    # the part's methods use the API stack's authorizer and API, passed in
    [authorizer] = of_type(api, "AWS::ApiGateway::Authorizer")
    [rest_api] = of_type(api, "AWS::ApiGateway::RestApi")
    passed = api["Resources"][part_stack]["Properties"]["Parameters"]
    for method in of_type(part, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        assert passed[props["RestApiId"]["Ref"]] == {"Ref": rest_api}
        if props["AuthorizationType"] == "CUSTOM":
            assert passed[props["AuthorizerId"]["Ref"]] == {"Ref": authorizer}


def routes(resources: dict[str, Any],
           template: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """``(method, path)`` of every method of ``template`` (all of ``resources`` if none), its
    path read in ``resources``, the merged stage where a part's parameters are resolved."""
    def path_of(resource_id: str) -> str:
        props = resources[resource_id]["Properties"]
        parent = props["ParentId"]
        return (path_of(parent["Ref"]) if "Ref" in parent else "") + "/" + str(props["PathPart"])

    found = []
    for key, body in (template or {"Resources": resources})["Resources"].items():
        if body["Type"] == "AWS::ApiGateway::Method":
            resource = resources[key]["Properties"]["ResourceId"]
            found.append((body["Properties"]["HttpMethod"],
                          path_of(resource["Ref"]) if "Ref" in resource else "/"))
    return found


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_no_path_is_made_twice(stage: str, request: pytest.FixtureRequest) -> None:
    """API Gateway refuses a second resource of the same path: a path is made in one
    template, whichever parts serve the paths below it."""
    synthesized: Synthesized = request.getfixturevalue(f"{stage}_synth")
    resources = synthesized.merged.to_json()["Resources"]
    made = Counter(json.dumps([body["Properties"]["ParentId"], body["Properties"]["PathPart"]])
                   for body in resources.values() if body["Type"] == "AWS::ApiGateway::Resource")
    assert [path for path, count in made.items() if count > 1] == []


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_one_api_permission_per_function_scoped_to_this_api(
        stage: str, request: pytest.FixtureRequest) -> None:
    synthesized: Synthesized = request.getfixturevalue(f"{stage}_synth")
    parent, api = synthesized.parent, synthesized.nested[API_STACK]
    [rest_api] = of_type(api, "AWS::ApiGateway::RestApi")
    [authorizer] = of_type(api, "AWS::ApiGateway::Authorizer")
    assert not [p for p in of_type(parent, "AWS::Lambda::Permission").values()
                if p["Properties"]["Principal"] == "apigateway.amazonaws.com"]
    for permission in of_type(api, "AWS::Lambda::Permission").values():
        props = permission["Properties"]
        assert props["Action"] == "lambda:InvokeFunction"
        assert props["Principal"] == "apigateway.amazonaws.com"
        assert props["FunctionName"]["Ref"] in api["Parameters"]
        parts = props["SourceArn"]["Fn::Join"][1]
        assert any(":execute-api:" in part for part in parts if isinstance(part, str)), props
        assert {"Ref": rest_api} in parts, props
        if {"Ref": authorizer} in parts:
            assert parts[-2:] == ["/authorizers/", {"Ref": authorizer}]
        else:
            assert parts[-1] == "/*/*/*", props
    # each function once, in both parts: the authorizer, and every function a method
    # integrates (compared where the parts' parameters are resolved, the merged stage)
    merged = synthesized.merged.to_json()["Resources"]
    partner = set(synthesized.nested.get("PartnerBank", {"Resources": {}})["Resources"])
    granted = Counter(json.dumps(body["Properties"]["FunctionName"])
                      for logical, body in merged.items() if logical not in partner
                      and body["Type"] == "AWS::Lambda::Permission"
                      and body["Properties"]["Principal"] == "apigateway.amazonaws.com")
    integrated = {json.dumps(body["Properties"]["Integration"]["Uri"]["Fn::Join"][1][-2])
                  for body in merged.values() if body["Type"] == "AWS::ApiGateway::Method"
                  and body["Properties"]["Integration"]["Type"] == "AWS_PROXY"}
    assert set(granted.values()) == {1}
    assert integrated <= set(granted)
    assert len(integrated) == len(granted) - 1


def test_a_changed_route_redeploys_the_api() -> None:
    """The deployment's logical id is a hash of the methods, so CloudFormation makes a new
    deployment when a route changes (and the stage serves it)."""

    def deployment_id(extra_route: str | None) -> str:
        cdk_app = cdk.App(context={"stage": "local"}, builtin_cloud_formation_validation=False)
        stack = app.build(cdk_app)
        if extra_route:
            method, path = extra_route.split(" ")
            stack.platform.api.route(method, path, stack.platform.platform_function,
                                     public=True)
        cdk_app.synth()
        api = stack.platform.api
        [deployment] = Template.from_stack(api).find_resources("AWS::ApiGateway::Deployment")
        return str(deployment)

    # a route of the API's stack, and one of its second part (a template of its own)
    ids = {deployment_id(None), deployment_id("GET /v1/health/deep"),
           deployment_id("GET /v1/credit/deep")}
    assert len(ids) == 3
