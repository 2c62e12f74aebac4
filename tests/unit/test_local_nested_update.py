"""scripts/local.py's update of the API's nested stack on the local stack: the first step's
template (without the stage) and the values the parent passes."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import local

TEMPLATE: dict[str, Any] = {
    "Parameters": {"fnArn": {"Type": "String"}},
    "Resources": {
        "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "etax-local"}},
        "Deployment1": {"Type": "AWS::ApiGateway::Deployment",
                        "Properties": {"RestApiId": {"Ref": "Api"}}},
        "Stage": {"Type": "AWS::ApiGateway::Stage", "DependsOn": ["Account"],
                  "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "api",
                                 "DeploymentId": {"Ref": "Deployment1"}}},
        "Account": {"Type": "AWS::ApiGateway::Account", "Properties": {}},
    },
    "Outputs": {
        "ApiRef": {"Value": {"Ref": "Api"}},
        "StageRef": {"Value": {"Ref": "Stage"}},
        "Url": {"Value": {"Fn::Join": ["", ["https://", {"Ref": "Api"}, "/", {"Ref": "Stage"}]]}},
    },
}


def test_the_first_step_drops_the_stage_and_the_outputs_reading_it() -> None:
    first = local.template_without_stages(TEMPLATE)
    assert set(first["Resources"]) == {"Api", "Deployment1", "Account"}
    assert set(first["Outputs"]) == {"ApiRef"}
    assert first["Parameters"] == TEMPLATE["Parameters"]
    assert set(TEMPLATE["Resources"]) == {"Api", "Deployment1", "Stage", "Account"}


def test_a_resource_that_uses_the_stage_stops_the_update() -> None:
    template = {**TEMPLATE, "Resources": {
        **TEMPLATE["Resources"],
        "Mapping": {"Type": "AWS::ApiGateway::BasePathMapping",
                    "Properties": {"Stage": {"Ref": "Stage"}}},
    }}
    with pytest.raises(ValueError, match="uses an API stage"):
        local.template_without_stages(template)


def test_a_template_without_a_stage_is_left_as_it_is() -> None:
    template = {"Resources": {"Queue": {"Type": "AWS::SQS::Queue"}}}
    assert local.template_without_stages(template) is template


def test_the_parent_values_resolve_as_cloudformation_would() -> None:
    deployed = {"Bucket": {"PhysicalResourceId": "assets", "ResourceType": "AWS::S3::Bucket"}}
    url = {"Fn::Join": ["", ["https://s3.", {"Ref": "AWS::Region"}, ".",
                             {"Ref": "AWS::URLSuffix"}, "/", {"Ref": "Bucket"}, "/t.json"]]}
    assert local.resolve(url, deployed, "http://unused") == \
        "https://s3.us-east-1.amazonaws.com/assets/t.json"
    with pytest.raises(ValueError, match="cannot resolve"):
        local.resolve({"Fn::GetAtt": ["Bucket", "Arn"]}, deployed, "http://unused")


def test_a_queue_passes_its_name_and_its_arn_from_its_url() -> None:
    deployed = {"Queue": {"ResourceType": "AWS::SQS::Queue", "PhysicalResourceId":
                          "http://sqs.us-east-1.localhost:4566/000000000000/etax-local-Q1"}}
    assert local.resolve({"Fn::GetAtt": ["Queue", "QueueName"]}, deployed,
                         "http://unused") == "etax-local-Q1"
    assert local.resolve({"Fn::GetAtt": ["Queue", "Arn"]}, deployed, "http://unused") == \
        f"arn:aws:sqs:{local.REGION}:{local.ACCOUNT}:etax-local-Q1"


def test_a_nested_stack_of_a_nested_stack_gets_the_values_passed_to_its_parent() -> None:
    """The API's second part is a nested stack of the API's: what the API passes it reads the
    API's own resources and the parameters the stage's stack passed the API."""
    deployed = {"RestApi": {"PhysicalResourceId": "a1b2c3", "ResourceType":
                            "AWS::ApiGateway::RestApi"}}
    passed = {"fnArnParameter": "arn:aws:lambda:us-east-1:000000000000:function:f:live"}
    assert local.resolve({"Ref": "RestApi"}, deployed, "http://unused", passed) == "a1b2c3"
    assert local.resolve({"Ref": "fnArnParameter"}, deployed, "http://unused", passed) == \
        passed["fnArnParameter"]
    with pytest.raises(KeyError):
        local.resolve({"Ref": "fnArnParameter"}, deployed, "http://unused")


def test_a_nested_stack_with_its_own_first_drops_its_deployments_too() -> None:
    """The API's stack has the second part as a nested stack: its deployment snapshots the
    part's methods, so the first step leaves it out and the last makes it after the part."""
    template = {**TEMPLATE, "Resources": {
        **TEMPLATE["Resources"],
        "Part": {"Type": "AWS::CloudFormation::Stack",
                 "Properties": {"Parameters": {"api": {"Ref": "Api"}}}},
    }}
    assert local.has_nested_stacks(template)
    assert not local.has_nested_stacks(TEMPLATE)
    first = local.template_without_stages(template, deployments=True)
    assert set(first["Resources"]) == {"Api", "Account", "Part"}
    assert set(first["Outputs"]) == {"ApiRef"}
    assert "Deployment1" in local.template_without_stages(template)["Resources"]


def test_another_nested_stacks_output_is_read_from_that_stack(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The API's methods read the functions' live aliases, outputs of the releases' stack."""
    outputs = [{"OutputKey": "FnLiveRef", "OutputValue": "arn:aws:lambda:f:live"}]

    class Stacks:
        def describe_stacks(self, StackName: str) -> dict[str, Any]:
            assert StackName == "arn:releases"
            return {"Stacks": [{"Outputs": outputs}]}

    monkeypatch.setattr(local, "client", lambda service, endpoint: Stacks())
    deployed = {"Releases": {"PhysicalResourceId": "arn:releases",
                             "ResourceType": "AWS::CloudFormation::Stack"}}
    assert local.resolve({"Fn::GetAtt": ["Releases", "Outputs.FnLiveRef"]}, deployed,
                         "http://unused") == "arn:aws:lambda:f:live"
    with pytest.raises(ValueError, match="cannot resolve"):
        local.resolve({"Fn::GetAtt": ["Releases", "Outputs.Missing"]}, deployed,
                      "http://unused")


def test_a_board_gets_the_arns_of_the_tables_the_bus_and_the_key_it_is_passed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A board in a nested stack of its own is passed the registry's ARN, the bus's, the
    signing key's: each read from its service, as the deployed resource has it."""

    class Services:
        def __init__(self, service: str) -> None:
            self.service = service

        def describe_table(self, TableName: str) -> dict[str, Any]:
            return {"Table": {"TableArn": f"arn:aws:dynamodb:r:a:table/{TableName}",
                              "LatestStreamArn": f"arn:stream:{TableName}"}}

        def describe_event_bus(self, Name: str) -> dict[str, Any]:
            return {"Arn": f"arn:aws:events:r:a:event-bus/{Name}"}

        def describe_key(self, KeyId: str) -> dict[str, Any]:
            return {"KeyMetadata": {"Arn": f"arn:aws:kms:r:a:key/{KeyId}"}}

    monkeypatch.setattr(local, "client", lambda service, endpoint: Services(service))
    deployed = {
        "Registry": {"PhysicalResourceId": "registry", "ResourceType": "AWS::DynamoDB::Table"},
        "Bus": {"PhysicalResourceId": "etax-local", "ResourceType": "AWS::Events::EventBus"},
        "Key": {"PhysicalResourceId": "k-1", "ResourceType": "AWS::KMS::Key"}}
    expected = {("Registry", "Arn"): "arn:aws:dynamodb:r:a:table/registry",
                ("Registry", "StreamArn"): "arn:stream:registry",
                ("Bus", "Arn"): "arn:aws:events:r:a:event-bus/etax-local",
                ("Key", "Arn"): "arn:aws:kms:r:a:key/k-1"}
    for (logical_id, attribute), arn in expected.items():
        assert local.resolve({"Fn::GetAtt": [logical_id, attribute]}, deployed,
                             "http://unused") == arn
    with pytest.raises(ValueError, match="cannot resolve"):
        local.resolve({"Fn::GetAtt": ["Key", "KeyId"]}, deployed, "http://unused")
