"""The platform stack as synthesized: what a real account and the local stack both get."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

import app
from infra.config import ConfigError
from tests.infra.conftest import PROD_CONTEXT, platform_functions

FUNCTIONS = {"platform", "acceptance_registration", "acceptance_feed", "authorizer", "invoices",
             "verification", "invoice_events", "lottery", "lottery_events", "lottery_payout",
             "calculators", "supply", "supply_events", "supply_worker", "certificates",
             "refunds", "refund_events", "refund_checks", "refund_approval", "refund_payment",
             "refund_notify", "acceptance_applications", "acceptance_events", "filing",
             "filing_callbacks", "filing_events",
             "filing_reminders", "notifications", "notifier", "notification_sender",
             "regulations", "regulation_events", "knowledge", "knowledge_events",
             "regulation_published", "crowd",
             "knowledge_indexer", "knowledge_search", "consult",
             "violators", "violator_events", "violator_removals", "complaints",
             "complaints_escalation", "outreach", "outreach_sender", "outreach_registrations",
             "outreach_indicators",
             "credit", "credit_runs", "credit_violators", "credit_annual", "complaint_events",
             "feedback", "feedback_events",
             "analytics", "analytics_archive", "analytics_compactor", "analytics_risk",
             "analytics_briefing", "sharing", "sharing_events", "sharing_feed", "open_data",
             "open_data_publisher",
             "office", "office_alerts", "ideas",
             "school", "school_reminders", "school_courses", "apps"}
# the functions with the search layer (ADR 0022)
SEARCH_FUNCTIONS = {"knowledge_indexer", "knowledge_search", "consult"}
ANALYTICS_FUNCTIONS = {"analytics", "analytics_compactor", "analytics_risk",
                       "analytics_briefing", "open_data_publisher"}  # DuckDB


# Anyone may call these; the dev issuer's exist on the local stack only.
PUBLIC_ROUTES = {
    "GET /v1/health",
    "GET /v1/ideas",
    "GET /v1/ideas/similar",
    "GET /v1/ideas/{idea_id}",
    "GET /v1/school/sessions",
    "GET /v1/school/sessions/{session_id}",
    "GET /v1/school/certificates/{number}/verify",
    "GET /v1/school/courses",
    "GET /v1/school/courses/{course_id}",
    "GET /v1/school/library",
    "GET /v1/school/library/{document_id}",
    "POST /v1/school/library/{document_id}/downloads",
    "GET /v1/apps",
    "GET /v1/apps/{app_id}",
    "POST /v1/apps/{app_id}/versions/{version}/downloads",
    "GET /v1/openapi.json",
    "GET /v1/docs",
    "POST /v1/auth/dev-token",
    "GET /v1/auth/jwks.json",
    "GET /v1/registration/verify/{credit_code}",
    "GET /v1/credit/a-list",
    "GET /v1/feedback/results",
    "GET /v1/keys",
    "GET /v1/invoices/spec",
    "POST /v1/invoices/verify",
    "POST /v1/invoices/qr/parse",
    "GET /v1/channels/wechat",
    "POST /v1/channels/wechat",
    "POST /v1/channels/sms",
    "GET /v1/lottery/campaigns/{campaign_id}",
    "GET /v1/lottery/campaigns/{campaign_id}/periods/{index}/export",
    "POST /v1/tools/iit/withholding",
    "POST /v1/tools/iit/annual",
    "POST /v1/tools/iit/bonus",
    "POST /v1/tools/vat",
    "POST /v1/tools/vehicle-vessel",
    "POST /v1/tools/departure-refund",
    "GET /v1/guide",
    "GET /v1/certificates/{number}/verify",
    "GET /v1/field-documents/{number}/verify",
    "GET /v1/applications/items",
    "POST /v1/filing/callbacks/{method}",
    "GET /v1/regulations/works",
    "GET /v1/regulations/works/{work_id}",
    "GET /v1/kb/articles/{id}",
    "GET /v1/regulations/search",
    "GET /v1/kb/search",
    "GET /v1/crowd/questions",
    "GET /v1/crowd/questions/{question_id}",
    "POST /v1/consult/ask",
    "POST /v1/consult/answers/{answer_id}/feedback",
    "GET /v1/consult/hot",
    "GET /v1/consult/figures",
    "GET /v1/consult/channels/wechat",
    "POST /v1/consult/channels/wechat",
    "POST /v1/consult/channels/sms",
    "GET /v1/credit/violators",
    "GET /v1/credit/violators/{case_id}",
    "GET /v1/open-data/datasets",
    "GET /v1/open-data/datasets/{dataset_id}",
    "GET /v1/open-data/datasets/{dataset_id}/releases/{month}",
    "GET /v1/violators/announcements",
    "POST /v1/reports",
    "GET /v1/reports/{tracking_code}",
    "POST /v1/reports/{tracking_code}/rating",
}


def resources(template: Template, kind: str) -> dict[str, Any]:
    """The resources of ``kind``; for functions, the platform's (:func:`platform_functions`)."""
    if kind == "AWS::Lambda::Function":
        return platform_functions(template)
    return dict(template.find_resources(kind))


def functions_by_service(template: Template) -> dict[str, dict[str, Any]]:
    return {
        props["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"]: props
        for props in resources(template, "AWS::Lambda::Function").values()
    }


def test_every_function_runs_python_312_with_both_layers_and_tracing(prod: Template) -> None:
    functions = functions_by_service(prod)
    assert set(functions) == FUNCTIONS
    layers = {k: v for k, v in resources(prod, "AWS::Lambda::LayerVersion").items()
              if not k.startswith("PortalPublish")}  # CDK's AWS CLI, for the portal's deploy
    assert len(layers) == 4  # the dependencies, the shared code, the search, the analytics
    for name, function in functions.items():
        props = function["Properties"]
        assert props["Runtime"] == "python3.12", name
        assert props["Architectures"] == ["arm64"], name  # Graviton (tests/infra/test_capacity.py)
        assert props["Handler"] == "handler.handler", name
        assert len(props["Layers"]) == (
            3 if name in SEARCH_FUNCTIONS | ANALYTICS_FUNCTIONS else 2), name
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


def route_paths(template: Template) -> dict[str, str]:
    """Each API resource's logical id and its full path (``/v1/tools/vat``)."""
    found = resources(template, "AWS::ApiGateway::Resource")
    paths: dict[str, str] = {}

    def path_of(logical_id: str) -> str:
        if logical_id not in found:
            return ""
        if logical_id not in paths:
            props = found[logical_id]["Properties"]
            parent = props["ParentId"]
            parent_id = parent.get("Ref", "") if isinstance(parent, dict) else ""
            paths[logical_id] = f"{path_of(parent_id)}/{props['PathPart']}"
        return paths[logical_id]

    for logical_id in found:
        path_of(logical_id)
    return paths


def test_only_the_listed_routes_are_public(local: Template) -> None:
    """Every route needs a bearer token except these (and the CORS preflights)."""
    paths = route_paths(local)
    public = set()
    for method in resources(local, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if props["HttpMethod"] == "OPTIONS" or props["AuthorizationType"] == "CUSTOM":
            continue
        assert props["AuthorizationType"] == "NONE"
        public.add(f"{props['HttpMethod']} {paths[props['ResourceId']['Ref']]}")
    assert public == PUBLIC_ROUTES
    local.has_resource_properties("AWS::ApiGateway::Authorizer", {
        "Type": "TOKEN",
        "IdentitySource": "method.request.header.Authorization",
        "AuthorizerResultTtlInSeconds": 60,
    })


def test_tables_are_on_demand_encrypted_and_backed_up(prod: Template) -> None:
    tables = resources(prod, "AWS::DynamoDB::Table")
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
    queues = resources(prod, "AWS::SQS::Queue")
    consumed = {mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]
                for mapping in resources(prod, "AWS::Lambda::EventSourceMapping").values()
                if "Fn::GetAtt" in mapping["Properties"]["EventSourceArn"]
                and mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0] in queues}
    assert consumed
    for logical_id in consumed:
        props = queues[logical_id]["Properties"]
        assert props["RedrivePolicy"]["maxReceiveCount"] == 3, logical_id
        assert props["VisibilityTimeout"] % 6 == 0, logical_id
    # AWS's advice: visibility timeout six times the consumer's timeout (5 s for the feed)
    feed = [q for q in consumed if q.startswith("AcceptanceRegistrationFeed")]
    assert [queues[q]["Properties"]["VisibilityTimeout"] for q in feed] == [30]
    for queue in queues.values():
        assert queue["Properties"]["SqsManagedSseEnabled"] is True


def test_local_queues_hide_a_failed_message_for_one_timeout_of_its_consumer(
        local: Template) -> None:
    # the least an event source accepts, so the tests' failing messages dead-letter quickly
    queues = resources(local, "AWS::SQS::Queue")
    feed = [q for q in queues if q.startswith("AcceptanceRegistrationFeedQueue")]
    assert [queues[q]["Properties"]["VisibilityTimeout"] for q in feed] == [5]


def test_alarms_on_dead_letters_and_server_errors(prod: Template) -> None:
    alarms = resources(prod, "AWS::CloudWatch::Alarm").values()
    assert [a["Properties"].get("MetricName") for a in alarms
            if "ApiName" in json.dumps(a)  # the whole API's, not a route's
            and "Resource" not in json.dumps(a)].count("5XXError") == 1
    # every queue no function reads (dead letters, failed stream batches) raises an alarm
    queues = resources(prod, "AWS::SQS::Queue")
    read = {mapping["Properties"]["EventSourceArn"]["Fn::GetAtt"][0]
            for mapping in resources(prod, "AWS::Lambda::EventSourceMapping").values()
            if "Fn::GetAtt" in mapping["Properties"]["EventSourceArn"]}
    watched = {dimension["Value"]["Fn::GetAtt"][0]
               for alarm in alarms
               if alarm["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
               for dimension in alarm["Properties"]["Dimensions"]}
    assert watched == set(queues) - read
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"]
    prod.has_resource_properties("AWS::SNS::Subscription", {
        "Protocol": "email", "Endpoint": "ops@example.org"})


def test_least_privilege_registry_access(prod: Template) -> None:
    """The public check only reads the registry; only the feed consumer writes it."""
    policies = resources(prod, "AWS::IAM::Policy")
    functions = functions_by_service(prod)
    [registry] = [k for k in resources(prod, "AWS::DynamoDB::Table") if "Registry" in k]

    def actions_of(service: str, table: str | None = None) -> set[str]:
        role = functions[service]["Properties"]["Role"]["Fn::GetAtt"][0]
        found: set[str] = set()
        for policy in policies.values():
            if {"Ref": role} in policy["Properties"]["Roles"]:
                for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                    if table is not None and table not in str(statement["Resource"]):
                        continue
                    action = statement["Action"]
                    found.update(action if isinstance(action, list) else [action])
        return found

    for reader in ("acceptance_registration", "acceptance_applications"):
        assert "dynamodb:GetItem" in actions_of(reader, registry)
        assert not {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"} & \
            actions_of(reader, registry)
    assert "dynamodb:PutItem" in actions_of("acceptance_feed")
    assert "events:PutEvents" in actions_of("acceptance_feed")
    assert not any(a.startswith("dynamodb:") for a in actions_of("platform"))


def test_outputs_clients_need(local: Template) -> None:
    outputs = local.find_outputs("*")
    for name in ("ApiUrl", "ApiId", "ApiStage", "RegistryTableName",
                 "RegistrationFeedQueueUrl", "RegistrationFeedDeadLetterQueueUrl"):
        assert name in outputs


GATEWAY_TYPES = {"DEFAULT_4XX", "DEFAULT_5XX", "UNAUTHORIZED", "ACCESS_DENIED",
                 "MISSING_AUTHENTICATION_TOKEN", "THROTTLED", "REQUEST_TOO_LARGE",
                 "EXPIRED_TOKEN", "INTEGRATION_TIMEOUT", "BAD_REQUEST_BODY"}


def test_the_gateways_own_answers_are_problems(prod: Template) -> None:
    responses = {r["Properties"]["ResponseType"]: r["Properties"]
                 for r in resources(prod, "AWS::ApiGateway::GatewayResponse").values()}
    assert set(responses) >= GATEWAY_TYPES
    for response_type, props in responses.items():
        headers = props["ResponseParameters"]
        assert headers["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
        assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == "'*'"
        template = props["ResponseTemplates"]["application/json"]
        filled = template.replace("$context.error.messageString", '"message"')
        problem = json.loads(filled)
        assert set(problem) >= {"type", "title", "status", "detail"}, response_type
        assert problem["type"].startswith("urn:etax:problem:")
        assert str(problem["status"]) == props["StatusCode"], response_type
    assert responses["UNAUTHORIZED"]["StatusCode"] == "401"
    assert responses["MISSING_AUTHENTICATION_TOKEN"]["StatusCode"] == "404"
    assert responses["REQUEST_TOO_LARGE"]["StatusCode"] == "413"
    assert responses["THROTTLED"]["ResponseParameters"]["gatewayresponse.header.Retry-After"]


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_a_cached_verdict_lives_a_minute_and_the_lifetime_cap_reaches_the_authorizer(
        stage: str, request: pytest.FixtureRequest) -> None:
    synthesized = request.getfixturevalue(f"{stage}_synth")
    [authorizer] = [r for r in synthesized.nested["Api"]["Resources"].values()
                    if r["Type"] == "AWS::ApiGateway::Authorizer"]
    assert authorizer["Properties"]["AuthorizerResultTtlInSeconds"] == 60
    template: Template = request.getfixturevalue(stage)
    variables = functions_by_service(template)["authorizer"]["Properties"]["Environment"]
    assert variables["Variables"]["AUTH_MAX_TOKEN_LIFETIME_SECONDS"] == "3600"


@pytest.mark.parametrize("value", ["59", "86401", "an hour"])
def test_the_token_lifetime_cap_is_bounded(value: str) -> None:
    cdk_app = cdk.App(context={"stage": "local", "auth_max_token_lifetime": value},
                      builtin_cloud_formation_validation=False)
    with pytest.raises(ConfigError, match=r"auth_max_token_lifetime|whole number"):
        app.build(cdk_app)


def test_on_the_local_stage_a_function_serving_routes_waits_as_long_as_the_gateway(
        local: Template, prod: Template) -> None:
    """Locally every function serving routes has API Gateway's 29 s (its cold start shares
    the machine with LocalStack and its pollers: infra/platform/api.py); in the cloud each keeps
    its own. Queue consumers keep theirs everywhere (their queues' visibility is made of it)."""
    from infra.platform.api import LOCAL_ROUTE_TIMEOUT_SECONDS

    here, there = functions_by_service(local), functions_by_service(prod)
    for service in ("lottery", "verification", "analytics", "office"):
        assert here[service]["Properties"]["Timeout"] == LOCAL_ROUTE_TIMEOUT_SECONDS, service
    assert there["lottery"]["Properties"]["Timeout"] == 10
    assert there["analytics"]["Properties"]["Timeout"] == 29
    for consumer in ("refund_payment", "notifier", "office_alerts"):
        assert here[consumer]["Properties"]["Timeout"] == there[consumer]["Properties"]["Timeout"]
    # the authorizer too, within API Gateway's wait: a burst of new tokens starts several of
    # its cold starts at once on the local stack
    assert here["authorizer"]["Properties"]["Timeout"] == 20
    assert there["authorizer"]["Properties"]["Timeout"] == 5


def test_a_function_is_either_a_queue_s_consumer_or_serves_routes() -> None:
    from aws_cdk import App, Duration, Stack
    from aws_cdk import aws_lambda as lambda_

    from infra.platform.functions import consumes_a_queue, serves_routes

    stack = Stack(App(), "Probe")
    both = lambda_.Function(stack, "Both", runtime=lambda_.Runtime.PYTHON_3_12,
                            handler="index.handler", timeout=Duration.seconds(10),
                            code=lambda_.Code.from_inline("def handler(e, c): pass"))
    serves_routes(both)
    with pytest.raises(ValueError, match="serves API routes"):
        consumes_a_queue(both)
