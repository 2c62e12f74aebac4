"""The refund pipeline (B6) as synthesized: the table with its sparse review index and its
stream outbox, one rule → queue (+ dead letters, alarm) → consumer per stage, and roles that
may do only what their stage does."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template

from tests.infra.conftest import live_alias
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import functions_by_service, resources

STAGES = {"refund_checks": ["RefundSubmitted"],
          "refund_approval": ["RefundDocumentsChecked"],
          "refund_payment": ["RefundApproved"],
          "refund_notify": ["RefundPaid", "RefundRejected"]}


def function_id(template: Template, service: str) -> str:
    wanted = functions_by_service(template)[service]["Properties"]
    return next(k for k, v in resources(template, "AWS::Lambda::Function").items()
                if v["Properties"] == wanted)


def table_id(template: Template, prefix: str) -> str:
    [found] = [k for k in resources(template, "AWS::DynamoDB::Table")
               if k.startswith(prefix)]
    return found


def statements_of(template: Template, service: str) -> list[dict[str, Any]]:
    role = functions_by_service(template)[service]["Properties"]["Role"]["Fn::GetAtt"][0]
    return [s for p in resources(template, "AWS::IAM::Policy").values()
            if {"Ref": role} in p["Properties"]["Roles"]
            for s in p["Properties"]["PolicyDocument"]["Statement"]]


def actions_on(template: Template, service: str, table: str) -> set[str]:
    """The DynamoDB actions ``service`` may take on ``table`` (the table itself or its index)."""
    found: set[str] = set()
    for statement in statements_of(template, service):
        actions = statement["Action"] if isinstance(statement["Action"], list) \
            else [statement["Action"]]
        if table in str(statement["Resource"]):
            found.update(a for a in actions if a.startswith("dynamodb:"))
    return found


def test_the_refunds_table_has_a_sparse_review_index_and_a_stream(prod: Template) -> None:
    prod.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "case_id", "KeyType": "HASH"}],
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "GlobalSecondaryIndexes": [Match.object_like({
            "IndexName": "by_review_office",
            "KeySchema": [{"AttributeName": "review_office", "KeyType": "HASH"},
                          {"AttributeName": "submitted_at", "KeyType": "RANGE"}],
        }), Match.object_like({
            "IndexName": "by_applicant",
            "KeySchema": [{"AttributeName": "applicant", "KeyType": "HASH"},
                          {"AttributeName": "submitted_at", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": [
                "kind", "state", "amount_fen", "tax_office", "updated_at"]},
        })],
    })
    refunds = table_id(prod, "RefundsRefundsTable")
    mappings = [m["Properties"] for m in
                resources(prod, "AWS::Lambda::EventSourceMapping").values()
                if live_alias(prod, function_id(prod, "refund_events"))
                in json.dumps(m["Properties"]["FunctionName"])]
    [stream] = mappings
    assert stream["EventSourceArn"] == {"Fn::GetAtt": [refunds, "StreamArn"]}
    assert stream["BisectBatchOnFunctionError"] is True
    assert "DestinationConfig" in stream
    assert "events:PutEvents" in role_actions(prod, "refund_events")


def test_every_stage_is_a_rule_a_queue_with_dead_letters_and_a_consumer(
        prod: Template) -> None:
    queues = resources(prod, "AWS::SQS::Queue")
    alarms = [a["Properties"] for a in resources(prod, "AWS::CloudWatch::Alarm").values()]
    rules = [r["Properties"] for r in resources(prod, "AWS::Events::Rule").values()
             if r["Properties"].get("EventPattern", {}).get("source") == ["tax.refunds"]]
    assert len(rules) == len(STAGES)
    for service, detail_types in STAGES.items():
        [mapping] = [m["Properties"] for m in
                     resources(prod, "AWS::Lambda::EventSourceMapping").values()
                     if live_alias(prod, function_id(prod, service))
                     in json.dumps(m["Properties"]["FunctionName"])]
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"], service
        queue_id = mapping["EventSourceArn"]["Fn::GetAtt"][0]
        queue = queues[queue_id]["Properties"]
        assert queue["RedrivePolicy"]["maxReceiveCount"] == 3, service
        assert queue["VisibilityTimeout"] == 36, service  # six times the stage's 6 s
        dlq_id = queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert any(d.get("Value") == {"Fn::GetAtt": [dlq_id, "QueueName"]}
                   for a in alarms for d in a.get("Dimensions", [])), service
        [rule] = [r for r in rules if r["EventPattern"]["detail-type"] == detail_types]
        assert rule["EventPattern"] == {"source": ["tax.refunds"], "detail-type": detail_types}
        assert rule["EventBusName"] is not None
        [target] = rule["Targets"]
        assert target["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}, service


def test_least_privilege(prod: Template, local: Template) -> None:
    refunds = table_id(prod, "RefundsRefundsTable")
    treasury = table_id(local, "RefundsTreasuryTable")  # the simulation's books: local only
    filing = table_id(prod, "FilingAndPaymentFilingTable")
    for service in STAGES:
        # the payment stage may also delete the claim a paid case lets go of
        claims = {"dynamodb:DeleteItem"} if service == "refund_payment" else set()
        assert actions_on(prod, service, refunds) == {"dynamodb:GetItem",
                                                      "dynamodb:UpdateItem"} | claims, service
        assert "events:PutEvents" not in role_actions(prod, service), service
    assert actions_on(local, "refund_payment", treasury) == {"dynamodb:GetItem",
                                                             "dynamodb:PutItem"}
    for service in ("refunds", "refund_checks", "refund_approval", "refund_notify",
                    "refund_events"):
        assert not actions_on(local, service, treasury), service
    assert actions_on(prod, "refunds", refunds) == {"dynamodb:GetItem", "dynamodb:PutItem",
                                                    "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                                                    "dynamodb:Query"}
    [query] = [s for s in statements_of(prod, "refunds") if s["Action"] == "dynamodb:Query"]
    assert len(query["Resource"]) == 2
    assert all("/index/" in str(r) for r in query["Resource"])  # the indexes, not the table
    for source in ("AcceptanceRegistryTable", "AcceptanceAcceptanceTable",
                   "InvoiceServicesInvoicesTable"):  # who applies, the export's invoices
        assert actions_on(prod, "refunds", table_id(prod, source)) == {"dynamodb:GetItem"}
    # the filing ledger: read when applying (and checked unchanged as the case is stored),
    # recorded in only by the payment stage
    assert actions_on(prod, "refunds", filing) == {"dynamodb:GetItem",
                                                   "dynamodb:ConditionCheckItem"}
    assert actions_on(prod, "refund_payment", filing) == {"dynamodb:GetItem",
                                                          "dynamodb:UpdateItem"}
    for service in ("refund_checks", "refund_approval", "refund_notify", "refund_events"):
        assert not actions_on(prod, service, filing), service
    # no Scan on either refunds table by anyone, no Delete on the treasury's books
    for policy in resources(local, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            granted = statement["Action"] if isinstance(statement["Action"], list) \
                else [statement["Action"]]
            if "dynamodb:Scan" in granted:
                assert refunds not in str(statement["Resource"]), statement
            if {"dynamodb:Scan", "dynamodb:DeleteItem"} & set(granted):
                assert treasury not in str(statement["Resource"]), statement


def test_routes(local: Template) -> None:
    paths = {r["Properties"]["PathPart"] for r in
             resources(local, "AWS::ApiGateway::Resource").values()}
    assert {"refunds", "{case_id}", "approve", "reject"} <= paths
