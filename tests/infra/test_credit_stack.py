"""Credit ratings (D12) as synthesized: the table's sparse A-list index, the routes and their
authorization, least privilege (the register Scanned by the run's worker alone, obligations
Queried, nothing deleted), the run's queue and the violators' queue with dead letters."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Match, Template

from infra.credit import PUBLIC_ROUTES, ROUTES
from tests.infra.test_platform_stack import functions_by_service, resources
from tests.infra.test_regulations_stack import served_routes
from tests.infra.test_supply_stack import actions_on


def test_the_credit_table_has_the_sparse_a_list_index(prod: Template) -> None:
    prod.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                      {"AttributeName": "sk", "KeyType": "RANGE"}],
        "GlobalSecondaryIndexes": [Match.object_like({
            "IndexName": "by_level",
            "KeySchema": [{"AttributeName": "year_level", "KeyType": "HASH"},
                          {"AttributeName": "credit_code", "KeyType": "RANGE"}],
            "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["name", "year"]},
        })],
        "DeletionProtectionEnabled": True,
    })


def test_the_routes_and_who_may_call_them(prod: Template) -> None:
    served = served_routes(prod, "credit")
    assert served == {**dict.fromkeys(PUBLIC_ROUTES, "NONE"), **dict.fromkeys(ROUTES, "CUSTOM")}


def test_least_privilege(prod: Template) -> None:
    assert actions_on(prod, "credit", "CreditTable") == {
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}
    assert actions_on(prod, "credit", "FilingTable") == {"dynamodb:Query"}
    assert actions_on(prod, "credit", "RegistryTable") == {"dynamodb:GetItem"}
    assert actions_on(prod, "credit_runs", "RegistryTable") == {"dynamodb:GetItem",
                                                                "dynamodb:Scan"}
    assert actions_on(prod, "credit_runs", "CreditTable") == {
        "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}
    assert actions_on(prod, "credit_violators", "FilingTable") == {"dynamodb:Query"}
    assert actions_on(prod, "credit_violators", "RegistryTable") == {"dynamodb:GetItem"}


def test_the_run_and_the_violators_have_queues_with_dead_letters(prod: Template) -> None:
    queues: dict[str, Any] = resources(prod, "AWS::SQS::Queue")
    rules: dict[str, Any] = resources(prod, "AWS::Events::Rule")
    [rule] = [r for r in rules.values()
              if r["Properties"].get("EventPattern", {}).get("source") == ["tax.violators"]]
    assert sorted(rule["Properties"]["EventPattern"]["detail-type"]) == [
        "ViolatorListed", "ViolatorRemoved"]
    queue_id = rule["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0]
    assert queues[queue_id]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 3
    runs = functions_by_service(prod)["credit_runs"]
    assert "CREDIT_RUN_QUEUE_URL" in runs["Properties"]["Environment"]["Variables"]
    api = functions_by_service(prod)["credit"]
    assert "CREDIT_RUN_QUEUE_URL" in api["Properties"]["Environment"]["Variables"]
    run_queues = [q for k, q in queues.items() if k.startswith("CreditRunsQueue")]
    assert run_queues
    assert "RedrivePolicy" in run_queues[0]["Properties"]


def test_the_supply_worker_reads_credit_levels_only(prod: Template) -> None:
    assert actions_on(prod, "supply_worker", "CreditTable") == {"dynamodb:Query"}
    worker = functions_by_service(prod)["supply_worker"]
    assert "CREDIT_TABLE" in worker["Properties"]["Environment"]["Variables"]


def test_the_annual_run_is_scheduled_each_first_of_april(prod: Template) -> None:
    rules: dict[str, Any] = resources(prod, "AWS::Events::Rule")
    annual = functions_by_service(prod)["credit_annual"]
    [rule] = [r["Properties"] for r in rules.values()
              if r["Properties"].get("ScheduleExpression") == "cron(0 1 1 4 ? *)"]
    assert rule["State"] == "ENABLED"
    [target] = rule["Targets"]
    assert "DeadLetterConfig" in target
    assert "RetryPolicy" in target
    assert "CREDIT_RUN_QUEUE_URL" in annual["Properties"]["Environment"]["Variables"]
    # it records the run (a conditional put, and a read of the run found) and nothing else
    assert actions_on(prod, "credit_annual", "CreditTable") == {"dynamodb:GetItem",
                                                                "dynamodb:PutItem"}
    assert actions_on(prod, "credit_annual", "RegistryTable") == set()
