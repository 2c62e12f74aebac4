"""The push fan-out as synthesized: the rule matching every event that carries a
notification, the notifier and the four channel senders each behind a queue with a
dead-letter queue and an alarm, least privilege, the inbox index, the routes and outputs.
(cdk-nag runs in every synth of the session: a finding would fail them all.)"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk.assertions import Match, Template

from tests.infra.conftest import live_alias
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import resources

CHANNELS = {"sms", "wechat", "email", "app"}


def functions_of(template: Template, service: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in resources(template, "AWS::Lambda::Function").items()
            if v["Properties"]["Environment"]["Variables"]["POWERTOOLS_SERVICE_NAME"] == service}


def mapping_of(template: Template, function_id: str) -> dict[str, Any]:
    mapping: dict[str, Any]
    [mapping] = [m["Properties"] for m in
                 resources(template, "AWS::Lambda::EventSourceMapping").values()
                 if live_alias(template, function_id)
                 in json.dumps(m["Properties"]["FunctionName"])]
    return mapping


def actions_of_role(template: Template, function: dict[str, Any]) -> set[str]:
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    found: set[str] = set()
    for policy in resources(template, "AWS::IAM::Policy").values():
        if {"Ref": role} in policy["Properties"]["Roles"]:
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                action = statement["Action"]
                found.update(action if isinstance(action, list) else [action])
    return found


def test_the_rule_takes_every_event_carrying_a_notification_id(prod: Template) -> None:
    rules = [r["Properties"] for r in resources(prod, "AWS::Events::Rule").values()]
    [rule] = [r for r in rules if "notification" in str(r.get("EventPattern", ""))]
    assert rule["EventPattern"] == {"detail": {"notification": {"id": [{"exists": True}]}}}
    assert rule["EventBusName"]["Ref"].startswith("PlatformBus")
    [target] = rule["Targets"]
    [notifier_id] = functions_of(prod, "notifier")
    assert target["Arn"] == mapping_of(prod, notifier_id)["EventSourceArn"]


def test_every_queue_has_a_dead_letter_queue_with_an_alarm(prod: Template) -> None:
    queues = {k: v["Properties"] for k, v in resources(prod, "AWS::SQS::Queue").items()
              if k.startswith("Notifications")}
    consumed = {k: q for k, q in queues.items() if "RedrivePolicy" in q}
    assert len(consumed) == 5  # the notifier's and one per channel
    assert len(queues) == 10
    alarms = [a["Properties"] for a in resources(prod, "AWS::CloudWatch::Alarm").values()]
    for queue in consumed.values():
        assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
        dlq_id = queue["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        assert queues[dlq_id]["MessageRetentionPeriod"] == 14 * 24 * 3600
        assert any(d.get("Value") == {"Fn::GetAtt": [dlq_id, "QueueName"]}
                   for a in alarms for d in a.get("Dimensions", []))
    for queue in queues.values():
        assert queue["SqsManagedSseEnabled"] is True


def test_the_notifier_takes_big_batches_and_reports_failures_one_by_one(
        prod: Template) -> None:
    [(notifier_id, notifier)] = functions_of(prod, "notifier").items()
    mapping = mapping_of(prod, notifier_id)
    assert mapping["BatchSize"] == 250
    assert mapping["MaximumBatchingWindowInSeconds"] == 1
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    env = notifier["Properties"]["Environment"]["Variables"]
    assert {f"{c.upper()}_QUEUE_URL" for c in CHANNELS} <= set(env)
    actions = actions_of_role(prod, notifier)
    assert {"sqs:SendMessage", "dynamodb:PutItem", "dynamodb:BatchGetItem"} <= actions
    assert not {"dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:UpdateItem"} & actions


def test_one_sender_per_channel_each_on_its_own_queue(prod: Template) -> None:
    senders = functions_of(prod, "notification_sender")
    channels = {v["Properties"]["Environment"]["Variables"]["NOTIFICATION_CHANNEL"]: k
                for k, v in senders.items()}
    assert set(channels) == CHANNELS
    sources = set()
    for function_id, sender in senders.items():
        mapping = mapping_of(prod, function_id)
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["BatchSize"] == 10
        sources.add(mapping["EventSourceArn"]["Fn::GetAtt"][0])
        env = sender["Properties"]["Environment"]["Variables"]
        assert env["SENDER_MAX_RECEIVES"] == "3"
        actions = actions_of_role(prod, sender)
        assert "dynamodb:UpdateItem" in actions
        assert not {"dynamodb:Scan", "dynamodb:DeleteItem", "sqs:SendMessage"} & actions
    assert len(sources) == 4
    for channel, function_id in channels.items():
        assert channel.capitalize() in mapping_of(prod, function_id)["EventSourceArn"][
            "Fn::GetAtt"][0]


def test_the_inbox_is_one_query_on_its_index(prod: Template) -> None:
    prod.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "recipient", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [Match.object_like({
            "IndexName": "inbox",
            "KeySchema": [{"AttributeName": "inbox_of", "KeyType": "HASH"},
                          {"AttributeName": "listed", "KeyType": "RANGE"}]})],
    })
    actions = role_actions(prod, "notifications")
    assert {"dynamodb:Query", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
            "events:PutEvents"} <= actions
    assert "dynamodb:Scan" not in actions


def test_routes_and_outputs(local: Template) -> None:
    paths = {r["Properties"]["PathPart"] for r in
             resources(local, "AWS::ApiGateway::Resource").values()}
    assert {"me", "inbox", "read", "notification-preferences", "notifications"} <= paths
    methods = {(m["Properties"]["HttpMethod"], m["Properties"]["AuthorizationType"])
               for m in resources(local, "AWS::ApiGateway::Method").values()}
    assert ("PUT", "CUSTOM") in methods
    outputs = local.find_outputs("*")
    for name in ("NotificationsTableName", "NotificationLedgerTableName", "NotifierQueueUrl",
                 "NotifierDeadLetterQueueUrl",
                 *(f"Notification{c.capitalize()}{kind}QueueUrl" for c in CHANNELS
                   for kind in ("", "DeadLetter"))):
        assert name in outputs, name
