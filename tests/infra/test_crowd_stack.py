"""Crowd help (A1) as synthesized: the two reads public, the taxpayers' and officers' routes
behind the authorizer, one function with exactly the table actions it uses (no Scan, no
delete, no batch writes), the day limits as settings, the counters' TTL."""

from __future__ import annotations

from aws_cdk.assertions import Template

from infra.crowd import OFFICER_ROUTES, PUBLIC_ROUTES, TAXPAYER_ROUTES
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import functions_by_service, resources
from tests.infra.test_regulations_stack import served_routes


def test_reads_are_public_and_the_rest_signed_in(prod: Template) -> None:
    served = served_routes(prod, "crowd")
    assert served == {**dict.fromkeys(PUBLIC_ROUTES, "NONE"),
                      **dict.fromkeys(TAXPAYER_ROUTES + OFFICER_ROUTES, "CUSTOM")}


def test_the_function_has_exactly_the_table_actions_it_uses(prod: Template) -> None:
    dynamodb = {a for a in role_actions(prod, "crowd") if a.startswith("dynamodb:")}
    # DeleteItem: the idempotency table's (a failed first attempt's record), not the crowd's
    assert dynamodb == {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
                        "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:ConditionCheckItem", "dynamodb:DeleteItem"}


def test_the_limits_are_settings_and_the_counters_expire(local: Template) -> None:
    variables = functions_by_service(local)["crowd"]["Properties"]["Environment"]["Variables"]
    assert {k: variables[k] for k in ("CROWD_QUESTIONS_PER_DAY", "CROWD_ANSWERS_PER_DAY",
                                      "CROWD_VOTES_PER_DAY", "CROWD_GUIDE_THRESHOLD")} == {
        "CROWD_QUESTIONS_PER_DAY": "10", "CROWD_ANSWERS_PER_DAY": "30",
        "CROWD_VOTES_PER_DAY": "60", "CROWD_GUIDE_THRESHOLD": "1000"}
    [table] = [t["Properties"] for k, t in resources(local, "AWS::DynamoDB::Table").items()
               if k.startswith("CrowdCrowdTable")]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {"feed", "by_topic"}
    assert "CrowdTableName" in local.find_outputs("*")
