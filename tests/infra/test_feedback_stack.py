"""Ratings of service and surveys (D12) as synthesized: the published aggregates public (in
their edge class), every other route behind the authorizer; the API function with exactly the
table actions it uses (no Scan, no delete) and a Query on its two indexes; one rule bringing
the completed services' events to the invitations' queue (dead letters after three receives);
the consumer writing invitations and publishing their notices; the complaints table's stream
announcing answered cases through its outbox."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template

from infra.feedback import COMPLETED_SERVICES, PUBLIC_ROUTES, SIGNED_IN_ROUTES
from infra.platform.edge import route_class
from tests.infra.test_invoices_stack import policy_statements as statements_of
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import functions_by_service, resources
from tests.infra.test_regulations_stack import served_routes
from tests.infra.test_supply_stack import actions_on


def test_the_results_are_public_and_the_rest_signed_in(prod: Template) -> None:
    assert served_routes(prod, "feedback") == {**dict.fromkeys(PUBLIC_ROUTES, "NONE"),
                                               **dict.fromkeys(SIGNED_IN_ROUTES, "CUSTOM")}
    [results] = PUBLIC_ROUTES
    found = route_class(*results.split(" ", 1))
    assert found is not None
    assert found.name == "FeedbackResults"


def test_the_api_function_has_exactly_the_table_actions_it_uses(prod: Template) -> None:
    assert actions_on(prod, "feedback", "FeedbackTable") == {
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}
    dynamodb = {a for a in role_actions(prod, "feedback") if a.startswith("dynamodb:")}
    assert "dynamodb:Scan" not in dynamodb
    queries = [s for s in statements_of(prod, "feedback") if s["Action"] == "dynamodb:Query"]
    indexes = {str(r["Fn::Join"][1][-1]) for s in queries
               for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])
               if "Fn::Join" in r}
    assert {"/index/by_person", "/index/by_closing"} <= indexes
    variables = functions_by_service(prod)["feedback"]["Properties"]["Environment"][
        "Variables"]
    assert {"FEEDBACK_TABLE", "IDEMPOTENCY_TABLE"} <= set(variables)


def test_completed_services_reach_the_invitations_queue(prod: Template) -> None:
    queues: dict[str, Any] = resources(prod, "AWS::SQS::Queue")
    [rule] = [r for r in resources(prod, "AWS::Events::Rule").values()
              if r["Properties"].get("EventPattern", {}).get("source") == list(
                  COMPLETED_SERVICES)]
    assert sorted(rule["Properties"]["EventPattern"]["detail-type"]) == [
        "ApplicationApproved", "ApplicationRejected", "ComplaintAnswered",
        "ConsultationAnswered", "RefundPaid"]
    queue_id = rule["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0]
    assert queues[queue_id]["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 3
    assert actions_on(prod, "feedback_events", "FeedbackTable") == {
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    assert "events:PutEvents" in role_actions(prod, "feedback_events")


def test_the_complaints_table_announces_answered_cases(prod: Template) -> None:
    [table] = [t for k, t in resources(prod, "AWS::DynamoDB::Table").items()
               if k.startswith("ComplaintsComplaintsTable")]
    assert table["Properties"]["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert "events:PutEvents" in role_actions(prod, "complaint_events")
    [feedback] = [t for k, t in resources(prod, "AWS::DynamoDB::Table").items()
                  if k.startswith("FeedbackFeedbackTable")]
    assert {i["IndexName"] for i in feedback["Properties"]["GlobalSecondaryIndexes"]} == {
        "by_person", "by_closing"}
