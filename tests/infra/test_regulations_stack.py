"""The regulations library (D13) as synthesized: the two reads public, the officers' routes
behind the authorizer, one function with exactly the table actions it uses (no Scan, no
batch writes, no delete), the table's stream announcing on the bus."""

from __future__ import annotations

from aws_cdk.assertions import Template

from infra.regulations import OFFICER_ROUTES, PUBLIC_ROUTES
from tests.infra.conftest import live_alias
from tests.infra.test_calculators_stack import path_of
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import functions_by_service, resources


def function_id(template: Template, service: str) -> str:
    found = functions_by_service(template)[service]
    return next(k for k, v in resources(template, "AWS::Lambda::Function").items()
                if v["Properties"] == found["Properties"])


def served_routes(template: Template, service: str) -> dict[str, str]:
    """Each ``METHOD /path`` the function ``service`` serves (through its alias), with its
    authorization type (``NONE`` public, ``CUSTOM`` the authorizer)."""
    alias = live_alias(template, function_id(template, service))
    served: dict[str, str] = {}
    for method in resources(template, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        if alias in str(props.get("Integration", {}).get("Uri", "")):
            route = f"{props['HttpMethod']} {path_of(template, props['ResourceId']['Ref'])}"
            served[route] = props["AuthorizationType"]
    return served


def test_reads_are_public_and_the_officers_routes_signed_in(prod: Template) -> None:
    served = served_routes(prod, "regulations")
    assert served == {**dict.fromkeys(PUBLIC_ROUTES, "NONE"),
                      **dict.fromkeys(OFFICER_ROUTES, "CUSTOM")}


def test_the_function_has_exactly_the_table_actions_it_uses(prod: Template) -> None:
    dynamodb = {a for a in role_actions(prod, "regulations") if a.startswith("dynamodb:")}
    # DeleteItem: the idempotency table's (a failed first attempt's record), not the library's
    assert dynamodb == {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem",
                        "dynamodb:UpdateItem", "dynamodb:DeleteItem"}
    events = {a for a in role_actions(prod, "regulation_events") if a.startswith("events:")}
    assert events == {"events:PutEvents"}


def test_the_table_streams_and_its_name_is_an_output(local: Template) -> None:
    [table] = [t["Properties"] for k, t in resources(local, "AWS::DynamoDB::Table").items()
               if k.startswith("Regulations")]
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert "RegulationsTableName" in local.find_outputs("*")
