"""The platform stack as synthesized: what a real account and the local stack both get."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

import app
from infra.config import ConfigError
from tests.infra.conftest import PROD_CONTEXT

FUNCTIONS = {"platform", "registration", "registration_feed", "authorizer", "invoices",
             "verification", "invoice_events", "lottery", "lottery_events", "lottery_payout",
             "notifications", "notifier", "notification_sender"}


def resources(template: Template, kind: str) -> dict[str, Any]:
    return dict(template.find_resources(kind))


def functions_by_service(template: Template) -> dict[str, dict[str, Any]]:
    return {
        props["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]: props
        for props in resources(template, "AWS::Lambda::Function").values()
    }


def test_every_function_runs_python_312_with_both_layers_and_tracing(prod: Template) -> None:
    functions = functions_by_service(prod)
    assert set(functions) == FUNCTIONS
    layers = resources(prod, "AWS::Lambda::LayerVersion")
    assert len(layers) == 2
    for name, function in functions.items():
        props = function["Properties"]
        assert props["Runtime"] == "python3.12", name
        assert props["Architectures"] == ["x86_64"], name
        assert props["Handler"] == "handler.handler", name
        assert len(props["Layers"]) == 2, name
        assert props["TracingConfig"] == {"Mode": "Active"}, name
        assert props["Environment"]["Variables"]["ETAX_STAGE"] == "prod"
        assert "LoggingConfig" in props, name


def test_the_dev_issuer_exists_only_on_the_local_stack(local: Template, prod: Template) -> None:
    assert "dev_issuer" in functions_by_service(local)
    assert "dev_issuer" not in functions_by_service(prod)
    local_paths = {r["Properties"]["PathPart"] for r in
                   resources(local, "AWS::ApiGateway::Resource").values()}
    prod_paths = {r["Properties"]["PathPart"] for r in
                  resources(prod, "AWS::ApiGateway::Resource").values()}
    assert {"auth", "dev-token", "jwks.json"} <= local_paths
    assert not {"auth", "dev-token", "jwks.json"} & prod_paths
    # and no key for it, and an authorizer that trusts the configured issuer only
    assert len(resources(local, "AWS::KMS::Key")) == 3
    assert len(resources(prod, "AWS::KMS::Key")) == 2
    authorizer = functions_by_service(prod)["authorizer"]["Properties"]["Environment"]["Variables"]
    assert authorizer["AUTH_ISSUER"] == PROD_CONTEXT["auth_issuer"]
    assert authorizer["AUTH_JWKS_URL"] == PROD_CONTEXT["auth_jwks_url"]
    assert "AUTH_DEV_KEY_ID" not in authorizer


def test_a_real_stage_needs_an_identity_provider() -> None:
    cdk_app = cdk.App(context={"stage": "prod"}, builtin_cloud_formation_validation=False)
    with pytest.raises(ConfigError, match="auth_issuer, auth_jwks_url"):
        app.build(cdk_app)


def test_the_api_stage_throttles_logs_and_traces(prod: Template) -> None:
    prod.has_resource_properties("AWS::ApiGateway::Stage", {
        "StageName": "api",
        "TracingEnabled": True,
        "AccessLogSetting": {"DestinationArn": Match.any_value(), "Format": Match.any_value()},
        "MethodSettings": Match.array_with([Match.object_like({
            "ThrottlingRateLimit": 1000, "ThrottlingBurstLimit": 2000,
            "MetricsEnabled": True, "LoggingLevel": "ERROR",
        })]),
    })


def test_public_and_signed_in_routes(local: Template) -> None:
    prod_methods = resources(local, "AWS::ApiGateway::Method").values()
    by_auth: dict[str, int] = {}
    for method in prod_methods:
        props = method["Properties"]
        by_auth[props["AuthorizationType"]] = by_auth.get(props["AuthorizationType"], 0) + 1
    # signed in: me, records, and the seller's and buyer's invoice routes (issue, download,
    # print, red-letter, void), the inbox and preferences (5); everything else is public,
    # OPTIONS preflights included
    assert by_auth["CUSTOM"] == 15
    local.has_resource_properties("AWS::ApiGateway::Authorizer", {
        "Type": "TOKEN",
        "IdentitySource": "method.request.header.Authorization",
        "AuthorizerResultTtlInSeconds": 300,
    })


def test_tables_are_on_demand_encrypted_and_backed_up(prod: Template) -> None:
    tables = resources(prod, "AWS::DynamoDB::Table")
    assert len(tables) == 10  # 8 + notifications and the providers' ledger
    for table in tables.values():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"
    prod.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True},
    })


def test_local_resources_are_disposable(local: Template) -> None:
    for table in resources(local, "AWS::DynamoDB::Table").values():
        assert table["DeletionPolicy"] == "Delete"


def test_the_signing_key_is_asymmetric_p256(prod: Template) -> None:
    prod.has_resource_properties("AWS::KMS::Key", {
        "KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY",
    })


def test_consumers_report_partial_failures_and_dead_letter(prod: Template) -> None:
    prod.has_resource_properties("AWS::Lambda::EventSourceMapping", {
        "BatchSize": 10,
        "FunctionResponseTypes": ["ReportBatchItemFailures"],
    })
    queues = {k: v for k, v in resources(prod, "AWS::SQS::Queue").items()
              if not k.startswith("Notifications")}  # tests/infra/test_notifications_stack.py
    assert len(queues) == 6  # feed + DLQ, invoice stream failures; payouts + DLQ, draws stream
    with_dlq = [q for q in queues.values() if "RedrivePolicy" in q["Properties"]]
    assert len(with_dlq) == 2
    assert with_dlq[0]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 3
    # AWS's advice: visibility timeout six times the consumer's timeout (5 s)
    assert with_dlq[0]["Properties"]["VisibilityTimeout"] == 30
    for queue in queues.values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True


def test_alarms_on_dead_letters_and_server_errors(prod: Template) -> None:
    alarms = [a for k, a in resources(prod, "AWS::CloudWatch::Alarm").items()
              if "Notifier" not in k and "Deliveries" not in k]  # the fan-out's: its own test
    metrics = sorted(a["Properties"]["MetricName"] for a in alarms)
    assert metrics == ["5XXError", *["ApproximateNumberOfMessagesVisible"] * 4]
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"]
    prod.has_resource_properties("AWS::SNS::Subscription", {
        "Protocol": "email", "Endpoint": "ops@example.org"})


def test_least_privilege_registry_access(prod: Template) -> None:
    """The public check only reads the registry; only the feed consumer writes it."""
    policies = resources(prod, "AWS::IAM::Policy")
    functions = functions_by_service(prod)

    def actions_of(service: str) -> set[str]:
        role = functions[service]["Properties"]["Role"]["Fn::GetAtt"][0]
        found: set[str] = set()
        for policy in policies.values():
            if {"Ref": role} in policy["Properties"]["Roles"]:
                for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                    action = statement["Action"]
                    found.update(action if isinstance(action, list) else [action])
        return found

    assert "dynamodb:GetItem" in actions_of("registration")
    assert not {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} & actions_of(
        "registration")
    assert "dynamodb:PutItem" in actions_of("registration_feed")
    assert "events:PutEvents" in actions_of("registration_feed")
    assert not any(a.startswith("dynamodb:") for a in actions_of("platform"))


def test_outputs_clients_need(local: Template) -> None:
    outputs = local.find_outputs("*")
    for name in ("ApiUrl", "ApiId", "ApiStage", "RegistryTableName",
                 "RegistrationFeedQueueUrl", "RegistrationFeedDeadLetterQueueUrl"):
        assert name in outputs
