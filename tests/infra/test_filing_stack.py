"""Filing and payment (B5) as synthesized: the table's sparse indexes, the daily schedule of the
reminder run (Query on the due index only, PutEvents on the bus), the public callback route and
its secret, the table's stream announcing returns filed and payments confirmed (the outbox, its
filter and its failures queue), and who may do what."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Match, Template

from etax.filing import outbox as filing_outbox
from tests.infra.conftest import live_alias
from tests.infra.test_invoices_stack import policy_statements as statements_of
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import functions_by_service, resources


def function_id(template: Template, service: str) -> str:
    wanted = functions_by_service(template)[service]["Properties"]
    return next(k for k, v in resources(template, "AWS::Lambda::Function").items()
                if v["Properties"] == wanted)


def test_the_filing_table_has_the_due_and_payer_indexes(prod: Template) -> None:
    prod.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": Match.array_with([
            Match.object_like({
                "IndexName": "by_due",
                "KeySchema": [{"AttributeName": "open_shard", "KeyType": "HASH"},
                              {"AttributeName": "due_date", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "INCLUDE",
                               "NonKeyAttributes": Match.array_with(
                                   ["obligation_id", "taxpayer", "status", "last_reminded"])},
            }),
            Match.object_like({
                "IndexName": "by_payer",
                "KeySchema": [{"AttributeName": "payer", "KeyType": "HASH"},
                              {"AttributeName": "paid_on", "KeyType": "RANGE"}],
            }),
            Match.object_like({
                "IndexName": "payments_of",
                "KeySchema": [{"AttributeName": "taxpayer", "KeyType": "HASH"},
                              {"AttributeName": "payment_id", "KeyType": "RANGE"}],
            }),
        ]),
    })


def test_the_filing_api_queries_only_the_payments_index(prod: Template) -> None:
    [query] = [s for s in statements_of(prod, "filing") if s["Action"] == "dynamodb:Query"
               and "/index/" in str(s["Resource"])]
    assert query["Resource"]["Fn::Join"][1][-1] == "/index/payments_of"


def test_reminders_run_daily_on_a_schedule(prod: Template) -> None:
    reminder = function_id(prod, "filing_reminders")
    rules = [r["Properties"] for r in resources(prod, "AWS::Events::Rule").values()
             if "ScheduleExpression" in r["Properties"]]
    [rule] = [r for r in rules
              if any(t["Arn"] == {"Ref": live_alias(prod, reminder)} for t in r["Targets"])]
    assert rule["ScheduleExpression"] == "cron(0 1 * * ? *)"  # 09:00 Asia/Shanghai
    assert rule["State"] == "ENABLED"
    assert rule["Targets"][0]["RetryPolicy"] == {"MaximumRetryAttempts": 8,
                                                 "MaximumEventAgeInSeconds": 3600}
    prod.has_resource_properties("AWS::Lambda::Permission", {
        "Action": "lambda:InvokeFunction", "Principal": "events.amazonaws.com",
        "FunctionName": {"Ref": live_alias(prod, reminder)}})
    variables = functions_by_service(prod)["filing_reminders"]["Properties"]["Environment"][
        "Variables"]
    assert {"FILING_TABLE", "EVENT_BUS_NAME"} <= set(variables)


def test_the_reminder_run_may_only_query_the_due_index_and_claim(prod: Template) -> None:
    actions = role_actions(prod, "filing_reminders")
    assert {a for a in actions if a.startswith("dynamodb:")} == {"dynamodb:Query",
                                                                  "dynamodb:UpdateItem"}
    assert "events:PutEvents" in actions
    [query] = [s for s in statements_of(prod, "filing_reminders")
               if s["Action"] == "dynamodb:Query"]
    assert query["Resource"]["Fn::Join"][1][-1] == "/index/by_due"


def test_no_filing_function_may_scan_or_delete_in_the_filing_table(prod: Template) -> None:
    [table] = [k for k in resources(prod, "AWS::DynamoDB::Table") if "FilingTable" in k]
    for service in ("filing", "filing_callbacks", "filing_reminders", "filing_events"):
        for statement in statements_of(prod, service):
            if table in str(statement["Resource"]):
                granted = statement["Action"] if isinstance(statement["Action"], list) \
                    else [statement["Action"]]
                assert not {"dynamodb:Scan", "dynamodb:DeleteItem"} & set(granted), service
    assert {"kms:Sign", "dynamodb:Query", "dynamodb:PutItem"} <= role_actions(prod, "filing")
    assert "secretsmanager:GetSecretValue" in role_actions(prod, "filing_callbacks")
    assert "secretsmanager:GetSecretValue" not in role_actions(prod, "filing")


def test_the_callback_route_is_public_and_everything_else_signed_in(local: Template) -> None:
    paths = {k: v["Properties"]["PathPart"]
             for k, v in resources(local, "AWS::ApiGateway::Resource").items()}
    method_id = next(k for k, v in paths.items() if v == "{method}")
    [callback] = [m["Properties"] for m in resources(local, "AWS::ApiGateway::Method").values()
                  if m["Properties"]["ResourceId"] == {"Ref": method_id}
                  and m["Properties"]["HttpMethod"] == "POST"]
    assert callback["AuthorizationType"] == "NONE"
    filing_resources = {k for k, v in paths.items()
                        if v in ("obligations", "{obligation_id}", "return", "payments",
                                 "{payment_id}", "receipt")}
    for method in resources(local, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if props["ResourceId"] in [{"Ref": r} for r in filing_resources] \
                and props["HttpMethod"] != "OPTIONS":
            assert props["AuthorizationType"] == "CUSTOM", props


def test_the_callback_secret_is_generated(prod: Template) -> None:
    [secret] = [s for s in resources(prod, "AWS::SecretsManager::Secret").values()
                if "callback" in s["Properties"].get("Description", "")]
    assert secret["Properties"]["GenerateSecretString"]["GenerateStringKey"] == "key"
    assert secret["DeletionPolicy"] == "Retain"


def test_certificates_may_only_query_confirmed_payments(prod: Template) -> None:
    variables = functions_by_service(prod)["certificates"]["Properties"]["Environment"][
        "Variables"]
    assert "FILING_TABLE" in variables
    [table] = [k for k in resources(prod, "AWS::DynamoDB::Table") if "FilingTable" in k]
    granted = [s for s in statements_of(prod, "certificates") if table in str(s["Resource"])]
    assert [(s["Action"], s["Resource"]["Fn::Join"][1][-1]) for s in granted] == [
        ("dynamodb:Query", "/index/by_payer")]


def test_a_refused_confirmation_time_raises_an_alarm(prod: Template) -> None:
    from etax.filing.payments import REFUSED_TIME_METRIC
    from infra.filing import REFUSED_TIME_METRIC as WATCHED

    assert WATCHED == REFUSED_TIME_METRIC
    prod.has_resource_properties("AWS::CloudWatch::Alarm", {
        "MetricName": REFUSED_TIME_METRIC, "Namespace": "ETax/prod",
        "Dimensions": [{"Name": "service", "Value": "filing_callbacks"}],
        "Threshold": 1, "AlarmActions": Match.any_value()})


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_returns_filed_and_payments_confirmed_leave_through_the_table_stream(
        stage: str, request: pytest.FixtureRequest) -> None:
    """The filing table's stream feeds filing_events (PutEvents on the bus, nothing on the
    table), woken only by the records that announce (etax.filing.outbox.ANNOUNCING); failed
    batches are bisected, retried, then parked in a queue with an alarm, given as an output."""
    template: Template = request.getfixturevalue(stage)
    [(table_id, table)] = [(k, t) for k, t in resources(template, "AWS::DynamoDB::Table").items()
                           if "FilingTable" in k]
    assert table["Properties"]["StreamSpecification"] == {
        "StreamViewType": "NEW_AND_OLD_IMAGES"}
    events_fn = function_id(template, "filing_events")
    alias = live_alias(template, events_fn)
    [mapping] = [m["Properties"] for m in
                 resources(template, "AWS::Lambda::EventSourceMapping").values()
                 if alias in json.dumps(m["Properties"]["FunctionName"])]
    assert mapping["EventSourceArn"] == {"Fn::GetAtt": [table_id, "StreamArn"]}
    assert [json.loads(f["Pattern"]) for f in mapping["FilterCriteria"]["Filters"]] == [
        json.loads(json.dumps(p)) for p in filing_outbox.ANNOUNCING]
    assert (mapping["BisectBatchOnFunctionError"], mapping["MaximumRetryAttempts"],
            mapping["StartingPosition"]) == (True, 5, "TRIM_HORIZON")
    [failures, _] = mapping["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"]
    assert failures.startswith("FilingAndPaymentFilingStreamFailures")
    assert any(a["Properties"].get("Dimensions") == [{"Name": "QueueName", "Value": {
        "Fn::GetAtt": [failures, "QueueName"]}}]
        for a in resources(template, "AWS::CloudWatch::Alarm").values())
    assert template.find_outputs("FilingStreamFailuresQueueUrl")[
        "FilingStreamFailuresQueueUrl"]["Value"] == {"Ref": failures}
    actions = role_actions(template, "filing_events")
    assert "events:PutEvents" in actions
    assert not {a for a in actions if a.startswith("dynamodb:")} - {
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
        "dynamodb:ListStreams"}  # the stream only: no item of the table
