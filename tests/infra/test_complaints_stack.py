"""Complaints and reports (D12) as synthesized: the anonymous report routes public (and in
their edge class), the rest behind the authorizer; the API function with exactly the table
actions it uses (no Scan, no delete) and a Query on the queue and filer indexes only; the
registry read by GetItem; the escalation run daily on a schedule, Querying the overdue index
alone and publishing on the bus; the table's indexes and its protection as a record."""

from __future__ import annotations

from aws_cdk.assertions import Template

from infra.complaints import FILER_ROUTES, OFFICER_ROUTES, PUBLIC_ROUTES
from infra.platform.edge import route_class
from tests.infra.conftest import live_alias
from tests.infra.test_invoices_stack import policy_statements as statements_of
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import functions_by_service, resources
from tests.infra.test_regulations_stack import function_id, served_routes


def test_reports_are_public_and_the_rest_signed_in(prod: Template) -> None:
    served = served_routes(prod, "complaints")
    assert served == {**dict.fromkeys(PUBLIC_ROUTES, "NONE"),
                      **dict.fromkeys(FILER_ROUTES + OFFICER_ROUTES, "CUSTOM")}
    classes = {route_class(*route.split(" ", 1)) for route in PUBLIC_ROUTES}
    assert {c.name for c in classes if c is not None} == {"Reports"}


def test_the_api_function_has_exactly_the_table_actions_it_uses(prod: Template) -> None:
    dynamodb = {a for a in role_actions(prod, "complaints") if a.startswith("dynamodb:")}
    # DeleteItem: the idempotency table's (a failed first attempt's record)
    assert dynamodb == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:Query", "dynamodb:DeleteItem"}
    [query] = [s for s in statements_of(prod, "complaints") if s["Action"] == "dynamodb:Query"]
    resources_ = query["Resource"] if isinstance(query["Resource"], list) else [
        query["Resource"]]
    assert {r["Fn::Join"][1][-1] for r in resources_} == {"/index/by_office",
                                                         "/index/by_filer"}
    variables = functions_by_service(prod)["complaints"]["Properties"]["Environment"][
        "Variables"]
    assert {"COMPLAINTS_TABLE", "REGISTRY_TABLE", "IDEMPOTENCY_TABLE"} <= set(variables)


def test_the_escalation_runs_daily_and_queries_the_overdue_index_alone(prod: Template) -> None:
    escalation = function_id(prod, "complaints_escalation")
    rules = [r["Properties"] for r in resources(prod, "AWS::Events::Rule").values()
             if "ScheduleExpression" in r["Properties"]]
    [rule] = [r for r in rules
              if any(t["Arn"] == {"Ref": live_alias(prod, escalation)} for t in r["Targets"])]
    assert rule["ScheduleExpression"] == "cron(0 2 * * ? *)"  # 10:00 Asia/Shanghai
    actions = role_actions(prod, "complaints_escalation")
    assert {a for a in actions if a.startswith("dynamodb:")} == {"dynamodb:Query",
                                                                  "dynamodb:UpdateItem"}
    assert "events:PutEvents" in actions
    [query] = [s for s in statements_of(prod, "complaints_escalation")
               if s["Action"] == "dynamodb:Query"]
    assert query["Resource"]["Fn::Join"][1][-1] == "/index/by_deadline"


def test_the_table_has_its_indexes_and_is_kept_as_a_record(prod: Template) -> None:
    [table] = [t for k, t in resources(prod, "AWS::DynamoDB::Table").items()
               if k.startswith("ComplaintsComplaintsTable")]
    assert {i["IndexName"] for i in table["Properties"]["GlobalSecondaryIndexes"]} == {
        "by_office", "by_filer", "by_deadline"}
    assert table["Properties"]["DeletionProtectionEnabled"] is True
    assert "ComplaintsTableName" in prod.find_outputs("*")
