"""12366 consultation (E16) as synthesized: the questions, feedback, figures and the message
channels public, the signed-in question and the officers' queue behind the authorizer; one
function with exactly the table actions it uses (no Scan, no batch writes), the registry and
the natural-person registrations read by GetItem only, the channels' token shared with
verification, events on the bus; the table's TTL."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template

from infra.consult import CHANNEL_ROUTES, PUBLIC_ROUTES, SIGNED_IN_ROUTES
from tests.infra.conftest import live_alias
from tests.infra.test_calculators_stack import path_of
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import functions_by_service, resources
from tests.infra.test_regulations_stack import function_id


def test_public_and_signed_in_routes(prod: Template) -> None:
    alias = live_alias(prod, function_id(prod, "consult"))
    served: dict[str, tuple[str, Any]] = {}
    for method in resources(prod, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if alias in str(props.get("Integration", {}).get("Uri", "")):
            route = f"{props['HttpMethod']} {path_of(prod, props['ResourceId']['Ref'])}"
            served[route] = (props["AuthorizationType"], props.get("ApiKeyRequired"))
    assert served == {**dict.fromkeys(PUBLIC_ROUTES, ("NONE", None)),
                      **dict.fromkeys(CHANNEL_ROUTES, ("NONE", True)),  # the platforms' keys
                      **dict.fromkeys(SIGNED_IN_ROUTES, ("CUSTOM", None))}


def test_the_function_has_exactly_the_actions_it_uses(prod: Template) -> None:
    actions = role_actions(prod, "consult")
    dynamodb = {a for a in actions if a.startswith("dynamodb:")}
    # DeleteItem: the idempotency table's (a failed first attempt's record), not the table's
    assert dynamodb == {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem",
                        "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    assert "dynamodb:Scan" not in actions
    assert {a for a in actions if a.startswith("events:")} == {"events:PutEvents"}
    assert "secretsmanager:GetSecretValue" in actions


def test_the_function_knows_its_tables_and_the_service_level(prod: Template) -> None:
    env = functions_by_service(prod)["consult"]["Properties"]["Environment"]["Variables"]
    assert {"CONSULT_TABLE", "REGISTRY_TABLE", "ACCEPTANCE_TABLE", "CHANNEL_TOKEN_SECRET",
            "EVENT_BUS_NAME", "IDEMPOTENCY_TABLE"} <= set(env)
    assert env["CONSULT_SLA_SECONDS"] == "1800"


def test_the_table_expires_sessions_and_its_name_is_an_output(local: Template) -> None:
    [table] = [t["Properties"] for k, t in resources(local, "AWS::DynamoDB::Table").items()
               if k.startswith("Consult")]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert [i["IndexName"] for i in table["GlobalSecondaryIndexes"]] == ["by_office"]
    assert "ConsultTableName" in local.find_outputs("*")
