"""The lottery (C11) as synthesized: who may decrypt seeds, the export index, the outbox
stream, the payout pipeline (rule → queue with DLQ and alarm → worker reporting failures)."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template

from tests.infra.conftest import live_alias
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import functions_by_service, resources


def seed_key_id(template: Template) -> str:
    [key_id] = [k for k, v in resources(template, "AWS::KMS::Key").items()
                if "seeds" in v["Properties"].get("Description", "")]
    return key_id


def test_the_seed_key_is_symmetric_rotated_and_decrypted_by_the_lottery_only(
        prod: Template) -> None:
    key_id = seed_key_id(prod)
    key = resources(prod, "AWS::KMS::Key")[key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    assert "KeySpec" not in key  # symmetric (SYMMETRIC_DEFAULT)
    holders: set[str] = set()
    for policy in resources(prod, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) \
                else [statement["Action"]]
            targets = statement["Resource"] if isinstance(statement["Resource"], list) \
                else [statement["Resource"]]
            if "kms:Decrypt" in actions and {"Fn::GetAtt": [key_id, "Arn"]} in targets:
                holders.update(r["Ref"] for r in policy["Properties"]["Roles"])
    lottery_role = functions_by_service(prod)["lottery"]["Properties"]["Role"]["Fn::GetAtt"][0]
    assert holders == {lottery_role}
    deny = [s for s in key["KeyPolicy"]["Statement"] if s["Effect"] == "Deny"]
    assert deny
    assert deny[0]["Action"] == "kms:Decrypt"
    assert "ArnNotEquals" in deny[0]["Condition"]
    assert "kms:Decrypt" not in role_actions(prod, "lottery_payout")


def test_draws_table_has_the_export_index_and_a_stream(prod: Template) -> None:
    prod.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "number", "KeyType": "HASH"}],
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "GlobalSecondaryIndexes": [Match.object_like({
            "IndexName": "by_period",
            "KeySchema": [{"AttributeName": "period_key", "KeyType": "HASH"},
                          {"AttributeName": "number", "KeyType": "RANGE"}],
            "Projection": Match.object_like({"ProjectionType": "INCLUDE"}),
        })],
    })
    prod.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
    })
    actions = role_actions(prod, "lottery")
    assert {"dynamodb:Query", "dynamodb:PutItem", "dynamodb:GetItem"} <= actions
    # no Scan on any request path: not even allowed on the lottery's tables
    tables = [k for k in resources(prod, "AWS::DynamoDB::Table") if k.startswith("Lottery")]
    for policy in resources(prod, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            granted = statement["Action"] if isinstance(statement["Action"], list) \
                else [statement["Action"]]
            if "dynamodb:Scan" in granted:
                assert not any(t in str(statement["Resource"]) for t in tables), statement
    assert "events:PutEvents" in role_actions(prod, "lottery_events")


def test_payout_worker_reports_batch_item_failures_with_a_dead_letter_queue(
        prod: Template) -> None:
    worker = functions_by_service(prod)["lottery_payout"]
    worker_id = next(k for k, v in resources(prod, "AWS::Lambda::Function").items()
                 if v is not None and v["Properties"] == worker["Properties"])
    mappings: list[Any] = [m["Properties"] for m in
                           resources(prod, "AWS::Lambda::EventSourceMapping").values()
                           if live_alias(prod, worker_id)
                           in json.dumps(m["Properties"]["FunctionName"])]
    assert len(mappings) == 1
    assert mappings[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queue_id = mappings[0]["EventSourceArn"]["Fn::GetAtt"][0]
    queue = resources(prod, "AWS::SQS::Queue")[queue_id]["Properties"]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
    assert queue["VisibilityTimeout"] == 90  # six times the worker's 15 s
    dlq_id = queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
    alarms = [a["Properties"] for a in resources(prod, "AWS::CloudWatch::Alarm").values()]
    assert any(d.get("Value") == {"Fn::GetAtt": [dlq_id, "QueueName"]}
               for a in alarms for d in a.get("Dimensions", []))
    env = worker["Properties"]["Environment"]["Variables"]
    assert env["PAYOUT_MAX_RECEIVES"] == "3"
    assert env["PAYOUT_QUEUE_URL"] == {"Ref": queue_id}


def test_prize_won_rule_feeds_the_payout_queue(prod: Template) -> None:
    rules = [r["Properties"] for r in resources(prod, "AWS::Events::Rule").values()]
    [rule] = [r for r in rules if r.get("EventPattern", {}).get("source") == ["tax.lottery"]]
    assert rule["EventPattern"] == {"source": ["tax.lottery"], "detail-type": ["PrizeWon"]}
    [target] = rule["Targets"]
    assert "Fn::GetAtt" in target["Arn"]
    queue_id = target["Arn"]["Fn::GetAtt"][0]
    assert "Payouts" in queue_id


def test_routes(local: Template) -> None:
    paths = {r["Properties"]["PathPart"] for r in
             resources(local, "AWS::ApiGateway::Resource").values()}
    assert {"lottery", "campaigns", "{campaign_id}", "periods", "{index}", "export", "scan",
            "draws"} <= paths
