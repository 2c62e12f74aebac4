"""The violators list (D12) as synthesized: the public reads and the officers' routes, the
table's sparse indexes and stream, least privilege (no Scan, no delete), the outbox to the bus
and the daily removal run on its schedule (one Query of ``by_end``, UpdateItem)."""

from __future__ import annotations

from aws_cdk.assertions import Match, Template

from infra.violators import OFFICER_ROUTES, PUBLIC_ROUTES
from tests.infra.conftest import live_alias
from tests.infra.test_filing_stack import function_id
from tests.infra.test_invoices_stack import policy_statements, role_actions
from tests.infra.test_platform_stack import functions_by_service, resources
from tests.infra.test_regulations_stack import served_routes


def test_reads_are_public_and_the_officers_routes_signed_in(prod: Template) -> None:
    served = served_routes(prod, "violators")
    assert served == {**dict.fromkeys(PUBLIC_ROUTES, "NONE"),
                      **dict.fromkeys(OFFICER_ROUTES, "CUSTOM")}


def test_the_table_has_its_sparse_indexes_and_a_stream(prod: Template) -> None:
    prod.has_resource_properties("AWS::DynamoDB::Table", {
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "GlobalSecondaryIndexes": Match.array_with([
            Match.object_like({"IndexName": "published", "KeySchema": [
                {"AttributeName": "public_list", "KeyType": "HASH"},
                {"AttributeName": "public_rank", "KeyType": "RANGE"}]}),
            Match.object_like({"IndexName": "published_by_office", "KeySchema": [
                {"AttributeName": "public_office", "KeyType": "HASH"},
                {"AttributeName": "public_rank", "KeyType": "RANGE"}]}),
            Match.object_like({"IndexName": "by_end", "KeySchema": [
                {"AttributeName": "public_list", "KeyType": "HASH"},
                {"AttributeName": "ends_on", "KeyType": "RANGE"}]}),
        ]),
    })


def test_the_api_has_exactly_the_table_actions_it_uses(prod: Template) -> None:
    dynamodb = {a for a in role_actions(prod, "violators") if a.startswith("dynamodb:")}
    # DeleteItem: the idempotency table's (a failed first attempt's record)
    assert dynamodb == {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                        "dynamodb:Query", "dynamodb:DeleteItem"}
    [query] = [s for s in policy_statements(prod, "violators") if s["Action"] == "dynamodb:Query"]
    indexes = [part["Fn::Join"][1][-1] for part in query["Resource"]]
    assert indexes == ["/index/published", "/index/published_by_office"]


def test_the_outbox_announces_on_the_bus(prod: Template) -> None:
    actions = role_actions(prod, "violator_events")
    assert "events:PutEvents" in actions
    assert {a for a in actions if a.startswith("dynamodb:")} <= {  # the stream's, no item
        "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator",
        "dynamodb:ListStreams"}
    variables = functions_by_service(prod)["violator_events"]["Properties"]["Environment"][
        "Variables"]
    assert "EVENT_BUS_NAME" in variables


def test_the_removal_run_is_daily_and_may_only_query_the_end_index(prod: Template) -> None:
    removals = function_id(prod, "violator_removals")
    [rule] = [r["Properties"] for r in resources(prod, "AWS::Events::Rule").values()
              if "ScheduleExpression" in r["Properties"] and any(
                  t["Arn"] == {"Ref": live_alias(prod, removals)}
                  for t in r["Properties"]["Targets"])]
    assert rule["ScheduleExpression"] == "cron(30 16 * * ? *)"  # 00:30 Asia/Shanghai
    actions = {a for a in role_actions(prod, "violator_removals") if a.startswith("dynamodb:")}
    assert actions == {"dynamodb:Query", "dynamodb:UpdateItem"}
    [query] = [s for s in policy_statements(prod, "violator_removals")
               if s["Action"] == "dynamodb:Query"]
    assert query["Resource"]["Fn::Join"][1][-1] == "/index/by_end"
