"""The project's LocalStack plugin against a live LocalStack on the host.

Every resource is made here with plain boto3 (tiny function and layer zips built in memory), so
these tests pin down the local runtime itself: DynamoDB on moto, the ``local`` Lambda executor
(layers, environment, timeout, errors, logs, SQS partial batch failures), Lambda authorizers on
execute-api calls and the ``AWS::ApiGateway::Authorizer`` CloudFormation type.
"""

from __future__ import annotations

import io
import json
import textwrap
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.config import Config

from tests.e2e.app_fixtures import local  # type: ignore[attr-defined]  # scripts/local.py

pytestmark = [pytest.mark.enable_socket, pytest.mark.e2e]

REGION = "us-east-1"
ACCOUNT = "000000000000"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/etax-local-test"


# -- helpers ----------------------------------------------------------------------------------


def client(localstack: Any, service: str) -> Any:
    """A boto3 client for the local endpoint with dummy credentials."""
    return local.client(service, localstack.endpoint,
                        config=Config(retries={"max_attempts": 2}, read_timeout=60))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def zip_bytes(files: dict[str, str]) -> bytes:
    """An in-memory zip of ``{path: source}``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            archive.writestr(path, textwrap.dedent(text))
    return buffer.getvalue()


def wait_for[T](check: Callable[[], T | None], timeout: float, what: str, every: float = 0.25) -> T:
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def create_function(
    lam: Any,
    source: str,
    *,
    timeout: int = 5,
    layers: list[str] | None = None,
    env: dict[str, str] | None = None,
    name: str | None = None,
) -> str:
    """Create a python3.12 function from one ``app.py`` and wait until it is Active."""
    name = name or unique("fn")
    arn: str = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=ROLE,
        Handler="app.handler",
        Code={"ZipFile": zip_bytes({"app.py": source})},
        Timeout=timeout,
        Layers=layers or [],
        Environment={"Variables": env or {}},
    )["FunctionArn"]

    def active() -> bool:
        return bool(lam.get_function_configuration(FunctionName=name)["State"] == "Active")

    wait_for(active, 30, f"function {name} to become Active")
    return arn


def invoke(lam: Any, function: str, event: Any) -> tuple[str | None, Any]:
    """``(FunctionError, decoded payload)`` of a synchronous invocation."""
    response = lam.invoke(FunctionName=function, Payload=json.dumps(event).encode())
    return response.get("FunctionError"), json.loads(response["Payload"].read() or b"null")


def http_get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """``(status, headers, JSON body)`` of a GET, error statuses included."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read() or b"null")


# -- DynamoDB on moto -------------------------------------------------------------------------


def test_dynamodb_table_gsi_ttl_conditional_and_transactional_writes(localstack: Any) -> None:
    ddb = client(localstack, "dynamodb")
    table = unique("invoices")
    ddb.create_table(
        TableName=table,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "seller", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-seller",
                "KeySchema": [{"AttributeName": "seller", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    assert ddb.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"
    ddb.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    ttl = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}

    item = {"pk": {"S": "inv-1"}, "seller": {"S": "s-1"}, "expires": {"N": "1900000000"}}
    ddb.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        ddb.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")

    ddb.batch_write_item(
        RequestItems={
            table: [
                {"PutRequest": {"Item": {"pk": {"S": f"inv-{n}"}, "seller": {"S": "s-2"}}}}
                for n in (2, 3)
            ]
        }
    )
    with pytest.raises(ddb.exceptions.TransactionCanceledException):
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": table,
                        "Item": {"pk": {"S": "inv-4"}, "seller": {"S": "s-2"}},
                    }
                },
                {
                    "Put": {
                        "TableName": table,
                        "Item": item,
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )
    by_seller = ddb.query(
        TableName=table,
        IndexName="by-seller",
        KeyConditionExpression="seller = :s",
        ExpressionAttributeValues={":s": {"S": "s-2"}},
    )
    assert sorted(i["pk"]["S"] for i in by_seller["Items"]) == ["inv-2", "inv-3"]


# -- the local Lambda executor ----------------------------------------------------------------

PROBE_FUNCTION = """
import os, importlib.util, sys
import boto3

def handler(event, context):
    tables = boto3.client("dynamodb").list_tables()["TableNames"]  # via AWS_ENDPOINT_URL
    return {
        "has_gateway_listen": "GATEWAY_LISTEN" in os.environ,
        "has_provider_override": "PROVIDER_OVERRIDE_DYNAMODB" in os.environ,
        "endpoint": os.environ.get("AWS_ENDPOINT_URL"),
        "own_variable": os.environ.get("INVOICE_TABLE"),
        "task_root_is_cwd": os.environ["LAMBDA_TASK_ROOT"] == os.getcwd(),
        "requests_importable": importlib.util.find_spec("requests") is not None,
        "python": list(sys.version_info[:2]),
        "listed_tables": isinstance(tables, list),
        "context": {
            "function_name": context.function_name,
            "function_version": context.function_version,
            "invoked_function_arn": context.invoked_function_arn,
            "memory_limit_in_mb": context.memory_limit_in_mb,
            "aws_request_id": bool(context.aws_request_id),
            "log_group_name": context.log_group_name,
            "remaining_ms": context.get_remaining_time_in_millis(),
        },
    }
"""


def test_worker_has_lambda_environment_not_localstacks(localstack: Any) -> None:
    lam = client(localstack, "lambda")
    name = unique("probe")
    arn = create_function(lam, PROBE_FUNCTION, name=name, env={"INVOICE_TABLE": "invoices"})

    error, result = invoke(lam, name, {})

    assert error is None, result
    assert result["has_gateway_listen"] is False
    assert result["has_provider_override"] is False
    assert result["endpoint"] == localstack.endpoint
    assert result["own_variable"] == "invoices"
    assert result["task_root_is_cwd"] is True
    assert result["requests_importable"] is False  # only boto3 is in the runtime
    assert result["python"] == [3, 12]
    assert result["listed_tables"] is True
    context = result["context"]
    assert context["function_name"] == name
    assert context["function_version"] == "$LATEST"
    assert context["invoked_function_arn"] == arn
    assert context["memory_limit_in_mb"] == "128"
    assert context["aws_request_id"] is True
    assert context["log_group_name"] == f"/aws/lambda/{name}"
    assert 0 < context["remaining_ms"] <= 5000


def test_layers_are_importable_and_missing_dependency_fails(localstack: Any) -> None:
    lam = client(localstack, "lambda")
    layer = lam.publish_layer_version(
        LayerName=unique("deps"),
        Content={
            "ZipFile": zip_bytes(
                {
                    "python/etax_layer_probe.py": "VALUE = 'from python/'\n",
                    "python/lib/python3.12/site-packages/etax_site_probe.py": "VALUE = 'site'\n",
                }
            )
        },
        CompatibleRuntimes=["python3.12"],
    )["LayerVersionArn"]
    source = """
    import etax_layer_probe, etax_site_probe

    def handler(event, context):
        return [etax_layer_probe.VALUE, etax_site_probe.VALUE]
    """
    with_layer = create_function(lam, source, layers=[layer])
    without_layer = create_function(lam, source)

    assert invoke(lam, with_layer, {}) == (None, ["from python/", "site"])
    error, result = invoke(lam, without_layer, {})
    assert error == "Unhandled"
    assert result["errorType"] == "Runtime.ImportModuleError"
    assert "No module named 'etax_layer_probe'" in result["errorMessage"]


def test_timeout_is_enforced_and_next_invocation_gets_a_fresh_worker(localstack: Any) -> None:
    lam = client(localstack, "lambda")
    source = """
    import os, time

    def handler(event, context):
        time.sleep(event.get("sleep", 0))
        return os.getpid()
    """
    function = create_function(lam, source, timeout=2)
    _, first_pid = invoke(lam, function, {})

    started = time.monotonic()
    error, result = invoke(lam, function, {"sleep": 10})
    elapsed = time.monotonic() - started

    assert error == "Unhandled"
    assert result["errorType"] == "Sandbox.Timedout"
    assert "Task timed out after 2.00 seconds" in result["errorMessage"]
    assert 1.9 < elapsed < 5
    error, second_pid = invoke(lam, function, {})
    assert error is None
    assert second_pid != first_pid


def test_the_timeout_counts_from_the_end_of_a_slow_init(localstack: Any) -> None:
    """As on Lambda, a cold start's imports have their own budget: after a timeout the next
    invocation starts a fresh worker, whose 3 s init before a 2 s timeout's quick handler is
    no timeout (a busy machine slows inits, not handlers)."""
    lam = client(localstack, "lambda")
    source = """
    import time

    time.sleep(3)

    def handler(event, context):
        time.sleep(event.get("sleep", 0))
        return context.get_remaining_time_in_millis()
    """
    function = create_function(lam, source, timeout=2)
    error, result = invoke(lam, function, {"sleep": 10})
    assert error == "Unhandled"
    assert result["errorType"] == "Sandbox.Timedout"
    error, remaining = invoke(lam, function, {})
    assert error is None, remaining
    assert 1000 < remaining <= 2000


def test_unhandled_exception_is_a_function_error_with_stack(localstack: Any) -> None:
    lam = client(localstack, "lambda")
    source = """
    def handler(event, context):
        raise ValueError("invoice total is negative")
    """
    error, result = invoke(lam, create_function(lam, source), {})
    assert error == "Unhandled"
    assert result["errorType"] == "ValueError"
    assert result["errorMessage"] == "invoice total is negative"
    assert result["requestId"]
    assert any("app.py" in frame for frame in result["stackTrace"])


def test_invocation_logs_reach_cloudwatch(localstack: Any) -> None:
    lam, logs = client(localstack, "lambda"), client(localstack, "logs")
    name = unique("logger")
    marker = uuid.uuid4().hex
    source = f"""
    def handler(event, context):
        print("marker {marker}")
        return "ok"
    """
    create_function(lam, source, name=name)
    assert invoke(lam, name, {}) == (None, "ok")

    def messages() -> list[str]:
        try:
            events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]
        except logs.exceptions.ResourceNotFoundException:
            return []
        text = [event["message"] for event in events]
        return text if any(marker in line for line in text) else []

    lines = wait_for(messages, 15, "the invocation's log events")
    assert any(line.startswith("START RequestId:") for line in lines)
    assert any(line.startswith("REPORT RequestId:") for line in lines)


def test_sqs_mapping_honours_batch_item_failures(localstack: Any) -> None:
    lam, sqs = client(localstack, "lambda"), client(localstack, "sqs")
    dlq_url = sqs.create_queue(QueueName=unique("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    queue_url = sqs.create_queue(
        QueueName=unique("work"),
        Attributes={
            "VisibilityTimeout": "1",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"}),
        },
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    done_url = sqs.create_queue(QueueName=unique("done"))["QueueUrl"]
    source = """
    import os, boto3

    sqs = boto3.client("sqs")

    def handler(event, context):
        failures = []
        for record in event["Records"]:
            if record["body"].startswith("fail"):
                failures.append({"itemIdentifier": record["messageId"]})
            else:
                sqs.send_message(QueueUrl=os.environ["DONE_URL"], MessageBody=record["body"])
        return {"batchItemFailures": failures}
    """
    function = create_function(lam, source, env={"DONE_URL": done_url})
    bodies = ["ok-1", "ok-2", "ok-3", "fail-1", "ok-4", "fail-2"]
    for body in bodies:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    mapping = lam.create_event_source_mapping(
        EventSourceArn=queue_arn,
        FunctionName=function,
        BatchSize=10,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )["UUID"]
    try:
        dead = drain(sqs, dlq_url, expected=2, timeout=45)
        done = drain(sqs, done_url, expected=4, timeout=15)
    finally:
        lam.delete_event_source_mapping(UUID=mapping)
    assert sorted(dead) == ["fail-1", "fail-2"]
    assert sorted(set(done)) == ["ok-1", "ok-2", "ok-3", "ok-4"]


def drain(sqs: Any, url: str, expected: int, timeout: float) -> list[str]:
    """Receive and delete messages until ``expected`` arrived (bounded by ``timeout``)."""
    received: list[str] = []
    deadline = time.monotonic() + timeout
    while len(received) < expected and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get(
            "Messages", []
        )
        for message in messages:
            received.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert len(received) >= expected, f"only {received} arrived in {url} within {timeout} s"
    return received


# -- API Gateway Lambda authorizers -----------------------------------------------------------

AUTHORIZER_FUNCTION = """
def handler(event, context):
    if event["type"] == "TOKEN":
        token = event["authorizationToken"]
    else:
        headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
        query = event.get("queryStringParameters") or {}
        token = headers.get("x-tenant", "") + "|" + query.get("q", "")
    if token == "expired":
        raise Exception("Unauthorized")
    if token == "boom":
        raise RuntimeError("authorizer bug")
    api_wide = event["methodArn"].split("/")[0] + "/*"
    return {
        "principalId": "user-" + token,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{
                "Action": "execute-api:Invoke",
                "Effect": "Deny" if token == "deny" else "Allow",
                "Resource": api_wide,
            }],
        },
        "context": {"tenant": token, "level": 3, "admin": False},
    }
"""

BACKEND_FUNCTION = """
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps(event["requestContext"].get("authorizer"))}
"""


@pytest.fixture(scope="module")
def authorizer_functions(localstack: Any) -> tuple[str, str]:
    """``(authorizer ARN, backend ARN)``, shared by the REST API and CloudFormation tests."""
    lam = client(localstack, "lambda")
    return create_function(lam, AUTHORIZER_FUNCTION), create_function(lam, BACKEND_FUNCTION)


def lambda_uri(function_arn: str) -> str:
    return (
        f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )


@pytest.fixture(scope="module")
def rest_api(localstack: Any, authorizer_functions: tuple[str, str]) -> Iterator[str]:
    """A REST API made with boto3: ``GET /hello`` (TOKEN), ``GET /req`` (REQUEST), stage test."""
    apigw = client(localstack, "apigateway")
    authorizer_arn, backend_arn = authorizer_functions
    api = apigw.create_rest_api(name=unique("api"))["id"]
    root = apigw.get_resources(restApiId=api)["items"][0]["id"]
    token = apigw.create_authorizer(
        restApiId=api,
        name="token",
        type="TOKEN",
        authorizerUri=lambda_uri(authorizer_arn),
        identitySource="method.request.header.Authorization",
        authorizerResultTtlInSeconds=0,
    )["id"]
    request = apigw.create_authorizer(
        restApiId=api,
        name="request",
        type="REQUEST",
        authorizerUri=lambda_uri(authorizer_arn),
        identitySource="method.request.header.X-Tenant, method.request.querystring.q",
        authorizerResultTtlInSeconds=300,
    )["id"]
    for path, authorizer in (("hello", token), ("req", request)):
        resource = apigw.create_resource(restApiId=api, parentId=root, pathPart=path)["id"]
        apigw.put_method(
            restApiId=api,
            resourceId=resource,
            httpMethod="GET",
            authorizationType="CUSTOM",
            authorizerId=authorizer,
        )
        apigw.put_integration(
            restApiId=api,
            resourceId=resource,
            httpMethod="GET",
            type="AWS_PROXY",
            integrationHttpMethod="POST",
            uri=lambda_uri(backend_arn),
        )
    apigw.create_deployment(restApiId=api, stageName="test")
    yield f"{localstack.endpoint}/_aws/execute-api/{api}/test"
    apigw.delete_rest_api(restApiId=api)


def test_token_authorizer_denies_and_allows(rest_api: str) -> None:
    status, headers, body = http_get(f"{rest_api}/hello")
    assert (status, body) == (401, {"message": "Unauthorized"})
    assert headers["Content-Type"] == "application/json"
    assert headers["x-amzn-ErrorType"] == "UnauthorizedException"

    status, headers, body = http_get(f"{rest_api}/hello", {"Authorization": "deny"})
    assert status == 403
    assert body == {
        "Message": "User is not authorized to access this resource with an explicit deny"
    }
    assert headers["x-amzn-ErrorType"] == "AccessDeniedException"

    assert http_get(f"{rest_api}/hello", {"Authorization": "expired"})[0] == 401
    status, _, body = http_get(f"{rest_api}/hello", {"Authorization": "boom"})
    assert (status, body) == (500, {"message": None})

    status, _, body = http_get(f"{rest_api}/hello", {"Authorization": "allow"})
    assert status == 200
    assert body["principalId"] == "user-allow"
    assert body["tenant"] == "allow"
    assert (body["level"], body["admin"]) == ("3", "false")


def test_request_authorizer_needs_every_identity_source(rest_api: str) -> None:
    assert http_get(f"{rest_api}/req?q=1")[0] == 401  # no X-Tenant header
    assert http_get(f"{rest_api}/req", {"X-Tenant": "t1"})[0] == 401  # no q parameter
    status, _, body = http_get(f"{rest_api}/req?q=7", {"X-Tenant": "t1"})
    assert status == 200
    assert body["principalId"] == "user-t1|7"
    assert body["integrationLatency"] > 0  # the authorizer Lambda ran
    _, _, again = http_get(f"{rest_api}/req?q=7", {"X-Tenant": "t1"})
    assert again["principalId"] == "user-t1|7"
    assert again["integrationLatency"] == 0  # served from the 300 s result cache


# -- CloudFormation ---------------------------------------------------------------------------


def authorizer_stack(authorizer_arn: str, ttl: int, api_name: str) -> dict[str, Any]:
    """A REST API with a TOKEN authorizer on a MOCK method, plus a DynamoDB table with a stream."""
    return {
        "Resources": {
            "Api": {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": api_name}},
            "Auth": {
                "Type": "AWS::ApiGateway::Authorizer",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "Name": "token",
                    "Type": "TOKEN",
                    "IdentitySource": "method.request.header.Authorization",
                    "AuthorizerUri": lambda_uri(authorizer_arn),
                    "AuthorizerResultTtlInSeconds": ttl,
                },
            },
            "Ping": {
                "Type": "AWS::ApiGateway::Resource",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "ParentId": {"Fn::GetAtt": ["Api", "RootResourceId"]},
                    "PathPart": "ping",
                },
            },
            "PingGet": {
                "Type": "AWS::ApiGateway::Method",
                "Properties": {
                    "RestApiId": {"Ref": "Api"},
                    "ResourceId": {"Ref": "Ping"},
                    "HttpMethod": "GET",
                    "AuthorizationType": "CUSTOM",
                    "AuthorizerId": {"Ref": "Auth"},
                    "Integration": {
                        "Type": "MOCK",
                        "RequestTemplates": {"application/json": '{"statusCode": 200}'},
                        "IntegrationResponses": [
                            {"StatusCode": "200", "ResponseTemplates": {"application/json": "{}"}}
                        ],
                    },
                    "MethodResponses": [{"StatusCode": "200"}],
                },
            },
            "Deployment": {
                "Type": "AWS::ApiGateway::Deployment",
                "DependsOn": ["PingGet"],
                "Properties": {"RestApiId": {"Ref": "Api"}, "StageName": "test"},
            },
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "BillingMode": "PAY_PER_REQUEST",
                    "AttributeDefinitions": [
                        {"AttributeName": "pk", "AttributeType": "S"},
                        {"AttributeName": "gsi", "AttributeType": "S"},
                    ],
                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "GlobalSecondaryIndexes": [
                        {
                            "IndexName": "by-gsi",
                            "KeySchema": [{"AttributeName": "gsi", "KeyType": "HASH"}],
                            "Projection": {"ProjectionType": "KEYS_ONLY"},
                        }
                    ],
                    "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True},
                    "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
                },
            },
        },
        "Outputs": {
            "ApiId": {"Value": {"Ref": "Api"}},
            "AuthorizerRef": {"Value": {"Ref": "Auth"}},
            "AuthorizerAtt": {"Value": {"Fn::GetAtt": ["Auth", "AuthorizerId"]}},
            "TableName": {"Value": {"Ref": "Table"}},
            "StreamArn": {"Value": {"Fn::GetAtt": ["Table", "StreamArn"]}},
        },
    }


def wait_stack(cfn: Any, name: str, goal: str) -> dict[str, str]:
    """Wait for ``goal`` status (bounded); return the outputs."""

    def settled() -> dict[str, Any] | None:
        try:
            stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        except cfn.exceptions.ClientError:
            return {"StackStatus": "DELETE_COMPLETE"}
        return stack if not stack["StackStatus"].endswith("_IN_PROGRESS") else None

    stack = wait_for(settled, 60, f"stack {name} to reach {goal}")
    if stack["StackStatus"] != goal:
        events = cfn.describe_stack_events(StackName=name)["StackEvents"]
        reasons = [e.get("ResourceStatusReason") for e in events if e.get("ResourceStatusReason")]
        pytest.fail(f"stack {name} ended {stack['StackStatus']}: {reasons[:5]}")
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_cloudformation_authorizer_and_table(
    localstack: Any, authorizer_functions: tuple[str, str]
) -> None:
    cfn, apigw, ddb = (client(localstack, s) for s in ("cloudformation", "apigateway", "dynamodb"))
    name = unique("etax-local")
    authorizer_arn, _ = authorizer_functions
    cfn.create_stack(
        StackName=name, TemplateBody=json.dumps(authorizer_stack(authorizer_arn, 0, name))
    )
    outputs = wait_stack(cfn, name, "CREATE_COMPLETE")

    api, authorizer = outputs["ApiId"], outputs["AuthorizerRef"]
    assert outputs["AuthorizerAtt"] == authorizer
    described = apigw.get_authorizer(restApiId=api, authorizerId=authorizer)
    assert (described["type"], described["authorizerUri"]) == ("TOKEN", lambda_uri(authorizer_arn))
    table = ddb.describe_table(TableName=outputs["TableName"])["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert outputs["StreamArn"] == table["LatestStreamArn"]
    url = f"{localstack.endpoint}/_aws/execute-api/{api}/test/ping"
    assert http_get(url)[0] == 401
    assert http_get(url, {"Authorization": "allow"})[0] == 200

    cfn.update_stack(
        StackName=name, TemplateBody=json.dumps(authorizer_stack(authorizer_arn, 60, name))
    )
    wait_stack(cfn, name, "UPDATE_COMPLETE")
    described = apigw.get_authorizer(restApiId=api, authorizerId=authorizer)
    assert described["authorizerResultTtlInSeconds"] == 60

    cfn.delete_stack(StackName=name)
    wait_stack(cfn, name, "DELETE_COMPLETE")
    with pytest.raises(apigw.exceptions.NotFoundException):
        apigw.get_authorizer(restApiId=api, authorizerId=authorizer)


def test_transactions_are_all_or_nothing_for_readers_and_streams(localstack: Any) -> None:
    """A cancelled transaction writes nothing, not even to the stream, and the stream goes on
    (moto alone applies items one by one, then swaps whole tables back: a stream reader saw
    the cancelled Put and lost every later write; etax_localstack.dynamodb_atomic), and 50
    concurrent transactions against a 10-unit counter succeed exactly 10 times."""
    from concurrent.futures import ThreadPoolExecutor

    ddb = client(localstack, "dynamodb")
    table = unique("atomic")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     StreamSpecification={"StreamEnabled": True,
                                          "StreamViewType": "NEW_IMAGE"})
    ddb.put_item(TableName=table, Item={"pk": {"S": "stock"}, "left": {"N": "10"}})
    streams = client(localstack, "dynamodbstreams")
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                          ShardIteratorType="LATEST")["ShardIterator"]

    def take(i: int, limit: str = "0") -> bool:
        try:
            client(localstack, "dynamodb").transact_write_items(TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": f"win-{i}"}},
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Update": {"TableName": table, "Key": {"pk": {"S": "stock"}},
                            "UpdateExpression": "SET #l = #l - :one",
                            "ConditionExpression": "#l > :limit",
                            "ExpressionAttributeNames": {"#l": "left"},
                            "ExpressionAttributeValues": {":one": {"N": "1"},
                                                          ":limit": {"N": limit}}}},
            ])
        except ddb.exceptions.TransactionCanceledException:
            return False
        return True

    assert not take(999, limit="100")  # cancelled: its Put must not show anywhere
    ddb.put_item(TableName=table, Item={"pk": {"S": "after"}})
    records = streams.get_records(ShardIterator=iterator, Limit=100)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["after"]
    assert "Item" not in ddb.get_item(TableName=table, Key={"pk": {"S": "win-999"}})

    with ThreadPoolExecutor(max_workers=16) as pool:
        won = sum(pool.map(take, range(50)))
    items = ddb.scan(TableName=table)["Items"]
    wins = [i for i in items if i["pk"]["S"].startswith("win-")]
    stock = next(i for i in items if i["pk"]["S"] == "stock")
    assert (won, len(wins), stock["left"]["N"]) == (10, 10, "0")


def test_a_replaced_resource_stays_in_its_stack(localstack: Any) -> None:
    """An update that replaces a resource (a queue renamed: a new queue, the old one deleted)
    leaves it listed in the stack with its new physical id, as CloudFormation does
    (etax_localstack.cfn_replacement: the engine dropped it), and its ``Ref`` resolves."""
    cfn, sqs = client(localstack, "cloudformation"), client(localstack, "sqs")
    name = unique("etax-replace")

    def template(queue: str) -> dict[str, Any]:
        return {"Resources": {"Queue": {"Type": "AWS::SQS::Queue",
                                        "Properties": {"QueueName": queue}}},
                "Outputs": {"QueueUrl": {"Value": {"Ref": "Queue"}}}}

    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template(f"{name}-a")))
    first = wait_stack(cfn, name, "CREATE_COMPLETE")["QueueUrl"]
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(template(f"{name}-b")))
    second = wait_stack(cfn, name, "UPDATE_COMPLETE")["QueueUrl"]
    assert first != second
    assert second.endswith(f"{name}-b")
    [listed] = cfn.describe_stack_resources(StackName=name)["StackResources"]
    assert (listed["LogicalResourceId"], listed["PhysicalResourceId"],
            listed["ResourceStatus"]) == ("Queue", second, "UPDATE_COMPLETE")
    urls = sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", [])
    assert [u.rsplit("/", 1)[1] for u in urls] == [f"{name}-b"]  # the old queue deleted
    events = cfn.describe_stack_events(StackName=name)["StackEvents"]
    assert any(e["LogicalResourceId"] == "Queue" and e["ResourceStatus"] == "DELETE_COMPLETE"
               for e in events)  # the old copy's deletion is still told
    cfn.delete_stack(StackName=name)
    wait_stack(cfn, name, "DELETE_COMPLETE")


@pytest.mark.parametrize("named", ["by its Ref", "by its name"])
def test_a_redeployed_function_s_alias_serves_its_new_code(localstack: Any, named: str) -> None:
    """A function's code changed and the stack updated: a new version is published and the
    alias moves to it, whether the version names the function by its ``Ref`` (a board's own
    stack) or by its name alone (a stack of releases, passed the name): LocalStack's version
    and alias providers had no update, and the engine's replacement of the alias failed on
    the alias already there (etax_localstack.cfn_replacement)."""
    cfn, lam = client(localstack, "cloudformation"), client(localstack, "lambda")
    name = unique("etax-alias")
    function = {"Ref": "Function"} if named == "by its Ref" else name

    def template(answer: str) -> dict[str, Any]:
        return {"Resources": {
            "Function": {"Type": "AWS::Lambda::Function", "Properties": {
                "FunctionName": name, "Runtime": "python3.12", "Handler": "index.handler",
                "Role": ROLE, "Code": {"ZipFile": f"def handler(event, context):\n"
                                                  f"    return {answer!r}\n"}}},
            "Version": {"Type": "AWS::Lambda::Version", "DependsOn": "Function", "Properties": {
                "FunctionName": function, "Description": f"fingerprint {answer}"}},
            "Live": {"Type": "AWS::Lambda::Alias", "Properties": {
                "FunctionName": function, "Name": "live",
                "FunctionVersion": {"Fn::GetAtt": ["Version", "Version"]}}}}}

    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template("first")))
    wait_stack(cfn, name, "CREATE_COMPLETE")
    assert invoke(lam, f"{name}:live", {}) == (None, "first")
    cfn.update_stack(StackName=name, TemplateBody=json.dumps(template("second")))
    wait_stack(cfn, name, "UPDATE_COMPLETE")
    assert invoke(lam, f"{name}:live", {}) == (None, "second")
    alias = lam.get_alias(FunctionName=name, Name="live")
    assert alias["FunctionVersion"] != "1"
    listed = {r["LogicalResourceId"] for r in
              cfn.describe_stack_resources(StackName=name)["StackResources"]}
    assert listed == {"Function", "Version", "Live"}
    cfn.delete_stack(StackName=name)
    wait_stack(cfn, name, "DELETE_COMPLETE")
