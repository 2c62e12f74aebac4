"""Board C as synthesized: the verification hot path's privileges, the invoice stream, PDFs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from etax.invoices import outbox as invoice_outbox
from tests.infra.conftest import live_alias
from tests.infra.test_platform_stack import functions_by_service, resources


def policy_statements(template: Template, service: str) -> list[dict[str, Any]]:
    role = functions_by_service(template)[service]["Properties"]["Role"]["Fn::GetAtt"][0]
    return [statement for policy in resources(template, "AWS::IAM::Policy").values()
            if {"Ref": role} in policy["Properties"]["Roles"]
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]]


def role_actions(template: Template, service: str) -> set[str]:
    found: set[str] = set()
    for statement in policy_statements(template, service):
        action = statement["Action"]
        found.update(action if isinstance(action, list) else [action])
    return found


def test_verification_may_only_count_and_read_invoices(prod: Template) -> None:
    dynamodb = {a for a in role_actions(prod, "verification") if a.startswith("dynamodb:")}
    assert dynamodb == {"dynamodb:UpdateItem", "dynamodb:PutItem"}
    role = functions_by_service(prod)["verification"]["Properties"]["Role"]["Fn::GetAtt"][0]
    tables = resources(prod, "AWS::DynamoDB::Table")
    [guard] = [name for name, table in tables.items() if "VerificationGuard" in name]
    assert tables[guard]["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": "expires_at", "Enabled": True}
    for policy in resources(prod, "AWS::IAM::Policy").values():
        if {"Ref": role} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "dynamodb:PutItem" in statement["Action"]:  # only the guard table's nonces
                assert statement["Resource"] == [{"Fn::GetAtt": [guard, "Arn"]}] or \
                    statement["Resource"] == {"Fn::GetAtt": [guard, "Arn"]}


def test_issuing_writes_invoices_but_never_deletes(prod: Template) -> None:
    actions = role_actions(prod, "invoices")
    assert {"dynamodb:PutItem", "dynamodb:UpdateItem", "kms:Sign"} <= actions
    assert "dynamodb:DeleteItem" not in {a for a in actions if "Invoices" in a}


def test_issuing_lists_its_callers_invoices_through_the_two_indexes(prod: Template) -> None:
    actions = role_actions(prod, "invoices")
    assert {"dynamodb:Query", "dynamodb:BatchGetItem"} <= actions
    queried = [statement["Resource"] for statement in policy_statements(prod, "invoices")
               if statement["Action"] == "dynamodb:Query"]
    assert queried
    assert all("/index/by_" in json.dumps(resource) for resource in queried)


def test_invoice_facts_leave_through_the_table_stream(prod: Template) -> None:
    prod.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "number", "KeyType": "HASH"}],
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "GlobalSecondaryIndexes": [
            Match.object_like({"IndexName": "by_seller"}),
            Match.object_like({"IndexName": "by_buyer", "KeySchema": [
                {"AttributeName": "buyer_id", "KeyType": "HASH"},
                {"AttributeName": "issued_at", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"}})],
    })
    prod.has_resource_properties("AWS::Lambda::EventSourceMapping", {
        "BisectBatchOnFunctionError": True,
        "MaximumRetryAttempts": 5,
        "DestinationConfig": {"OnFailure": {"Destination": Match.any_value()}},
    })
    assert "events:PutEvents" in role_actions(prod, "invoice_events")


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_a_verification_does_not_wake_the_invoice_stream_consumer(
        stage: str, request: pytest.FixtureRequest) -> None:
    """The invoice_events source filters on the records that can announce (a new invoice, one
    voided): a check's counter, rewritten on every verification, is not one of them."""
    template: Template = request.getfixturevalue(stage)
    [function] = [name for name, f in resources(template, "AWS::Lambda::Function").items()
                  if f["Properties"]["Environment"]["Variables"].get("POWERTOOLS_SERVICE_NAME")
                  == "invoice_events"]
    alias = live_alias(template, function)
    [mapping] = [m for m in resources(template, "AWS::Lambda::EventSourceMapping").values()
                 if alias in json.dumps(m["Properties"]["FunctionName"])]
    filters = mapping["Properties"]["FilterCriteria"]["Filters"]
    patterns = [json.loads(f["Pattern"]) for f in filters]
    assert patterns == [json.loads(json.dumps(p)) for p in invoice_outbox.ANNOUNCING]


def test_the_api_serves_pdf_as_binary(prod: Template) -> None:
    prod.has_resource_properties("AWS::ApiGateway::RestApi", {
        "BinaryMediaTypes": ["application/pdf"]})


def test_channel_token_is_a_generated_secret(prod: Template) -> None:
    secrets: dict[str, Any] = resources(prod, "AWS::SecretsManager::Secret")
    [secret] = [s for s in secrets.values()
                if "channel" in s["Properties"].get("Description", "")]
    assert secret["Properties"]["GenerateSecretString"]["GenerateStringKey"] == "token"
    assert "secretsmanager:GetSecretValue" in role_actions(prod, "verification")
