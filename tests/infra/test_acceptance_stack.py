"""Online acceptance (B4) as synthesized: the documents bucket (private, encrypted, TLS only,
abandoned uploads expire, browsers may POST forms, access logged), the acceptance table with
its officer-queue index and its stream outbox, and least privilege for the functions."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template

from tests.infra.conftest import PROD_CONTEXT, live_alias
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import functions_by_service, resources


def documents_bucket(template: Template) -> tuple[str, dict[str, Any]]:
    [(key, bucket)] = [(k, v) for k, v in resources(template, "AWS::S3::Bucket").items()
                       if "DocumentsBucket" in k]
    return key, bucket["Properties"]


def test_documents_bucket_is_private_and_encrypted(prod: Template) -> None:
    _, bucket = documents_bucket(prod)
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True,
        "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    [rule] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert bucket["LoggingConfiguration"]["DestinationBucketName"]["Ref"].startswith(
        "AcceptanceUploadsDocumentsAccessLogs")
    for found in resources(prod, "AWS::S3::Bucket").values():       # no legacy log ACL
        assert "AccessControl" not in found["Properties"]
    assert "logging.s3.amazonaws.com" in str(resources(prod, "AWS::S3::BucketPolicy"))


def test_documents_bucket_refuses_plain_http(prod: Template) -> None:
    key, _ = documents_bucket(prod)
    policies = [p["Properties"] for p in resources(prod, "AWS::S3::BucketPolicy").values()
                if p["Properties"]["Bucket"] == {"Ref": key}]
    [policy] = policies
    deny = [s for s in policy["PolicyDocument"]["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in deny)


def test_abandoned_uploads_expire(prod: Template) -> None:
    _, bucket = documents_bucket(prod)
    [rule] = bucket["LifecycleConfiguration"]["Rules"]
    assert rule["Prefix"] == "incoming/"
    assert rule["ExpirationInDays"] == 1
    assert rule["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}
    assert rule["Status"] == "Enabled"


def test_browsers_may_post_upload_forms(prod: Template) -> None:
    _, bucket = documents_bucket(prod)
    [cors] = bucket["CorsConfiguration"]["CorsRules"]
    assert "POST" in cors["AllowedMethods"]
    assert cors["AllowedOrigins"] == PROD_CONTEXT["upload_origins"].split(",")  # not "*"


def test_acceptance_table_has_the_office_queue_and_a_stream(prod: Template) -> None:
    prod.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "GlobalSecondaryIndexes": [Match.object_like({
            "IndexName": "by_office",
            "KeySchema": [{"AttributeName": "office", "KeyType": "HASH"},
                          {"AttributeName": "queue", "KeyType": "RANGE"}],
        })],
    })


def actions_on_acceptance_table(template: Template, service: str) -> set[str]:
    [table] = [k for k in resources(template, "AWS::DynamoDB::Table") if "AcceptanceTable" in k]
    role = functions_by_service(template)[service]["Properties"]["Role"]["Fn::GetAtt"][0]
    found: set[str] = set()
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                if table in str(statement["Resource"]):
                    action = statement["Action"]
                    found.update(action if isinstance(action, list) else [action])
    return found


def test_least_privilege(prod: Template) -> None:
    applications = role_actions(prod, "acceptance_applications")
    assert {"dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem",
            "s3:PutObject", "s3:GetObject", "s3:DeleteObject"} <= applications
    assert "s3:ListBucket" not in applications
    assert "dynamodb:Scan" not in actions_on_acceptance_table(prod, "acceptance_applications")
    assert "dynamodb:Scan" not in actions_on_acceptance_table(prod, "acceptance_registration")
    registration = role_actions(prod, "acceptance_registration")
    assert not any(a.startswith("s3:") for a in registration)
    assert "events:PutEvents" in role_actions(prod, "acceptance_events")
    # the API functions never publish: the stream does (an outbox that cannot be skipped)
    assert "events:PutEvents" not in applications
    # object writes are limited to the two prefixes
    [(key, _)] = [(k, v) for k, v in resources(prod, "AWS::S3::Bucket").items()
                  if "DocumentsBucket" in k]
    function = functions_by_service(prod)["acceptance_applications"]
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    for policy in resources(prod, "AWS::IAM::Policy").values():
        if {"Ref": role} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if key in str(statement["Resource"]):
                assert "/incoming/*" in str(statement["Resource"]) or \
                    "/documents/*" in str(statement["Resource"]), statement


def test_the_stream_feeds_the_announcer(prod: Template) -> None:
    functions = functions_by_service(prod)
    announcer = functions["acceptance_events"]
    [function_id] = [k for k, v in resources(prod, "AWS::Lambda::Function").items()
                     if v["Properties"] == announcer["Properties"]]
    mappings = [m["Properties"] for m in resources(prod, "AWS::Lambda::EventSourceMapping")
                .values()
                if live_alias(prod, function_id) in json.dumps(m["Properties"]["FunctionName"])]
    assert len(mappings) == 1
    assert "Acceptance" in str(mappings[0]["EventSourceArn"])
    assert mappings[0]["BisectBatchOnFunctionError"] is True


def test_routes_and_outputs(local: Template) -> None:
    paths = {r["Properties"]["PathPart"] for r in
             resources(local, "AWS::ApiGateway::Resource").values()}
    assert {"applications", "items", "{application_id}", "documents", "{document_id}",
            "confirm", "submit", "decision", "temporary", "withholding-agents",
            "natural-persons", "{resident_id}"} <= paths
    methods = {m["Properties"]["HttpMethod"] for m in
               resources(local, "AWS::ApiGateway::Method").values()}
    assert "PATCH" in methods
    outputs = local.find_outputs("*")
    assert {"AcceptanceTableName", "DocumentsBucketName",
            "AcceptanceStreamFailuresQueueUrl"} <= set(outputs)
