"""The knowledge board as synthesized: the article public, the officers' and subscribers'
routes behind the authorizer; each function with exactly the table actions it uses (no Scan,
no batch writes); the reaction to RegulationVersionPublished behind a queue with its dead-letter
queue; the stream announcing only articles' changes."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template

from infra.knowledge import PUBLIC_ROUTES, SIGNED_IN_ROUTES
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import resources
from tests.infra.test_regulations_stack import served_routes


def test_the_article_is_public_and_the_rest_signed_in(prod: Template) -> None:
    served = served_routes(prod, "knowledge")
    assert served == {**dict.fromkeys(PUBLIC_ROUTES, "NONE"),
                      **dict.fromkeys(SIGNED_IN_ROUTES, "CUSTOM")}


def test_each_function_has_exactly_the_table_actions_it_uses(prod: Template) -> None:
    def dynamodb(service: str) -> set[str]:
        return {a for a in role_actions(prod, service) if a.startswith("dynamodb:")}

    # DeleteItem: the subscriptions' (and the idempotency table's)
    assert dynamodb("knowledge") == {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem",
                                     "dynamodb:PutItem", "dynamodb:DeleteItem"}
    assert dynamodb("regulation_published") == {"dynamodb:UpdateItem", "dynamodb:Query"}
    assert {a for a in role_actions(prod, "regulation_published")
            if a.startswith("events:")} == {"events:PutEvents"}


def _rule_targets(template: Template) -> list[dict[str, Any]]:
    return [r["Properties"] for r in resources(template, "AWS::Events::Rule").values()
            if r["Properties"].get("EventPattern", {}).get("detail-type")
            == ["RegulationVersionPublished"]]


def test_published_versions_reach_the_reaction_through_its_queue(prod: Template) -> None:
    rules = _rule_targets(prod)
    assert len(rules) == 1
    for rule in rules:
        assert rule["EventPattern"]["source"] == ["tax.regulations"]
        [target] = rule["Targets"]
        assert "Queue" in str(target["Arn"])
        assert "DeadLetterConfig" in target


def test_the_table_streams_only_articles_changes_and_names_are_outputs(local: Template) -> None:
    [table] = [t["Properties"] for k, t in resources(local, "AWS::DynamoDB::Table").items()
               if k.startswith("KnowledgeKnowledgeTable")]
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert {i["IndexName"] for i in table["GlobalSecondaryIndexes"]} == {
        "catalog", "by_provision", "reviews"}
    mappings = [m["Properties"] for m in resources(
        local, "AWS::Lambda::EventSourceMapping").values()
        if "KnowledgeKnowledgeTable" in str(m["Properties"].get("EventSourceArn"))]
    [mapping] = mappings
    assert "MODIFY" in str(mapping["FilterCriteria"])
    outputs = local.find_outputs("*")
    assert "KnowledgeTableName" in outputs
    assert "RegulationSubscriptionsTableName" in outputs
