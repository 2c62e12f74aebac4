"""Self-service (B7) as synthesized: the supply table's index and outbox stream, the worker's
queue fed by a rule, least privilege (no Scan, the quota raised only by the worker), and the
certificate routes (verification public, downloads signed in)."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template

from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import functions_by_service, resources


def test_supply_table_has_the_applicant_and_review_indexes_and_a_stream(prod: Template) -> None:
    prod.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "GlobalSecondaryIndexes": [Match.object_like({
            "IndexName": "by_applicant",
            "KeySchema": [{"AttributeName": "applicant", "KeyType": "HASH"},
                          {"AttributeName": "applied_at", "KeyType": "RANGE"}],
        }), Match.object_like({
            "IndexName": "by_review_office",  # the officers' queue
            "KeySchema": [{"AttributeName": "review_office", "KeyType": "HASH"},
                          {"AttributeName": "applied_at", "KeyType": "RANGE"}],
        })],
    })
    assert "events:PutEvents" in role_actions(prod, "supply_events")


def test_a_rule_sends_the_workers_events_to_its_queue(prod: Template) -> None:
    rules: dict[str, Any] = resources(prod, "AWS::Events::Rule")
    [rule] = [r for r in rules.values()
              if r["Properties"].get("EventPattern", {}).get("source") == ["tax.supply"]]
    assert sorted(rule["Properties"]["EventPattern"]["detail-type"]) == [
        "InvoiceSupplyApplied", "InvoiceSupplyApproved", "InvoiceSupplyShipped"]
    queue_id = rule["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0]
    queue = resources(prod, "AWS::SQS::Queue")[queue_id]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
    worker = functions_by_service(prod)["supply_worker"]
    assert "SUPPLY_QUEUE_URL" in worker["Properties"]["Environment"]["Variables"]
    assert worker["Properties"]["Timeout"] == 30


def actions_on(template: Template, service: str, table_fragment: str) -> set[str]:
    """The actions ``service``'s role holds on resources naming ``table_fragment``."""
    role = functions_by_service(template)[service]["Properties"]["Role"]["Fn::GetAtt"][0]
    found: set[str] = set()
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role} not in policy["Properties"]["Roles"]:
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if table_fragment in json.dumps(statement["Resource"]):
                action = statement["Action"]
                found.update(action if isinstance(action, list) else [action])
    return found


def test_least_privilege_no_scans_and_only_the_worker_raises_quotas(prod: Template) -> None:
    for service in ("supply", "supply_worker", "certificates"):
        for table in ("SupplyTable", "CertificatesTable", "InvoicesTable", "QuotaTable"):
            assert "dynamodb:Scan" not in actions_on(prod, service, table), (service, table)
    assert actions_on(prod, "supply_worker", "QuotaTable") == {"dynamodb:BatchGetItem",
                                                               "dynamodb:UpdateItem"}
    assert actions_on(prod, "supply", "QuotaTable") == {"dynamodb:BatchGetItem"}
    assert "dynamodb:UpdateItem" in role_actions(prod, "supply_worker")
    certificates = role_actions(prod, "certificates")
    assert {"kms:Sign", "kms:GetPublicKey", "dynamodb:PutItem"} <= certificates
    # issued once, never rewritten
    assert actions_on(prod, "certificates", "CertificatesTable") == {"dynamodb:GetItem",
                                                                     "dynamodb:PutItem"}
    assert "kms:Sign" not in role_actions(prod, "supply")


def test_certificate_verification_is_public_and_downloads_are_signed_in(
        local: Template) -> None:
    methods = resources(local, "AWS::ApiGateway::Method")
    resources_by_id = resources(local, "AWS::ApiGateway::Resource")

    def path_of(resource_id: str) -> str:
        parts = []
        while resource_id in resources_by_id:
            props = resources_by_id[resource_id]["Properties"]
            parts.append(props["PathPart"])
            parent = props["ParentId"]
            resource_id = parent.get("Ref", "") if isinstance(parent, dict) else ""
        return "/" + "/".join(reversed(parts))

    auth = {(path_of(m["Properties"]["ResourceId"]["Ref"]), m["Properties"]["HttpMethod"]):
            m["Properties"]["AuthorizationType"] for m in methods.values()
            if m["Properties"]["HttpMethod"] != "OPTIONS"}
    assert auth[("/v1/certificates/{number}/verify", "GET")] == "NONE"
    assert auth[("/v1/certificates/{number}", "GET")] == "CUSTOM"
    assert auth[("/v1/certificates/{number}/document", "GET")] == "CUSTOM"
    assert auth[("/v1/invoice-supplies", "POST")] == "CUSTOM"
    assert auth[("/v1/invoice-supplies/{application_id}/decision", "POST")] == "CUSTOM"
