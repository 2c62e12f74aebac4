"""Information on demand (D15) as synthesized: every route behind the authorizer on one
function, the sender on its own queue (a dead-letter queue after three receives) sending to that
queue and to the bus, each role with exactly the table actions it uses (no Scan anywhere), the
counters' TTL and the registry read by GetItem only."""

from __future__ import annotations

from aws_cdk.assertions import Template

from infra.outreach import ROUTES
from tests.infra.test_invoices_stack import policy_statements, role_actions
from tests.infra.test_platform_stack import functions_by_service, resources
from tests.infra.test_regulations_stack import served_routes


def test_every_route_is_signed_in_on_the_outreach_function(prod: Template) -> None:
    served = served_routes(prod, "outreach")
    assert served == dict.fromkeys(ROUTES, "CUSTOM")


def test_each_role_has_exactly_the_actions_it_uses(prod: Template) -> None:
    api = {a for a in role_actions(prod, "outreach") if a.startswith("dynamodb:")}
    # PutItem/DeleteItem: the subscription and its members (and the idempotency table's)
    assert api == {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem",
                   "dynamodb:DeleteItem", "dynamodb:UpdateItem"}
    sender = role_actions(prod, "outreach_sender")
    assert {a for a in sender if a.startswith("dynamodb:")} == {
        "dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem"}
    assert "events:PutEvents" in sender
    assert "sqs:SendMessage" in sender
    assert "events:PutEvents" in role_actions(prod, "outreach")  # the warnings' notices
    for service in ("outreach", "outreach_sender"):
        assert not any(a in ("dynamodb:Scan", "dynamodb:*")
                       for a in role_actions(prod, service)), service


def test_the_sender_consumes_its_queue_one_message_at_a_time(prod: Template) -> None:
    [mapping] = [m["Properties"] for m in resources(prod, "AWS::Lambda::EventSourceMapping")
                 .values() if "OutreachMailings" in str(m["Properties"]["EventSourceArn"])]
    assert mapping["BatchSize"] == 1
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    queues = resources(prod, "AWS::SQS::Queue")
    [queue] = [q["Properties"] for k, q in queues.items()
               if k.startswith("OutreachMailingsQueue")]
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 3
    env = functions_by_service(prod)["outreach"]["Properties"]["Environment"]["Variables"]
    assert {"OUTREACH_TABLE", "OUTREACH_QUEUE_URL", "REGISTRY_TABLE", "ACCEPTANCE_TABLE",
            "IDEMPOTENCY_TABLE"} <= set(env)
    registry = [s for s in policy_statements(prod, "outreach")
                if "Registry" in str(s["Resource"])]
    assert [s["Action"] for s in registry] == ["dynamodb:GetItem"]


def test_the_weekly_counters_expire_and_warnings_are_listed_by_taxpayer(
        local: Template) -> None:
    [table] = [t["Properties"] for k, t in resources(local, "AWS::DynamoDB::Table").items()
               if k.startswith("OutreachOutreachTable")]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["by_taxpayer"]
    assert {"OutreachTableName", "OutreachQueueUrl"} <= set(local.find_outputs("*"))


def test_the_risk_indicators_cases_reach_their_own_consumer(prod: Template) -> None:
    """The tax data board's new cases, by a rule of their own, to a consumer that writes the
    warning (Put) and reads the registry (an unknown office), and publishes the notice."""
    [rule] = [r["Properties"] for r in resources(prod, "AWS::Events::Rule").values()
              if r["Properties"].get("EventPattern", {}).get("detail-type") == ["RiskCaseOpened"]]
    assert rule["EventPattern"]["source"] == ["tax.analytics"]
    actions = role_actions(prod, "outreach_indicators")
    assert {a for a in actions if a.startswith("dynamodb:")} == {"dynamodb:PutItem",
                                                                 "dynamodb:GetItem"}
    assert "events:PutEvents" in actions
    outreach = [s for s in policy_statements(prod, "outreach_indicators")
                if "Outreach" in str(s["Resource"]) and "dynamodb:" in str(s["Action"])]
    assert [s["Action"] for s in outreach] == ["dynamodb:PutItem"]
