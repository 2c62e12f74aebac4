"""The tax toolbox (A3) as synthesized: one function serving six public POST routes, with no
access to any data, key, queue or bus (its rules ship in the shared layer)."""

from __future__ import annotations

from typing import Any

from aws_cdk.assertions import Template

from infra.calculators import ROUTES
from tests.infra.conftest import live_alias
from tests.infra.test_invoices_stack import role_actions
from tests.infra.test_platform_stack import functions_by_service, resources


def path_of(template: Template, resource_id: str) -> str:
    """The full path of an API Gateway resource, from its chain of parents."""
    apigw = resources(template, "AWS::ApiGateway::Resource")
    parts: list[str] = []
    current: Any = {"Ref": resource_id}
    while isinstance(current, dict) and "Ref" in current and current["Ref"] in apigw:
        props = apigw[current["Ref"]]["Properties"]
        parts.insert(0, props["PathPart"])
        current = props["ParentId"]
    return "/" + "/".join(parts)


def tools_function_id(template: Template) -> str:
    tools = functions_by_service(template)["calculators"]
    return next(k for k, v in resources(template, "AWS::Lambda::Function").items()
                if v["Properties"] == tools["Properties"])


def test_the_public_routes_of_the_tools_function(prod: Template) -> None:
    """The six calculators (POST) and the service guide (GET), none signed in."""
    function_id = live_alias(prod, tools_function_id(prod))
    served: dict[str, str] = {}
    for method in resources(prod, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        uri = str(props.get("Integration", {}).get("Uri", ""))
        if function_id in uri:
            served[path_of(prod, props["ResourceId"]["Ref"])] = (
                f"{props['HttpMethod']} {props['AuthorizationType']}")
    assert served == {**dict.fromkeys(ROUTES, "POST NONE"), "/v1/guide": "GET NONE"}


def test_the_tools_function_reaches_nothing_but_its_logs_and_traces(prod: Template) -> None:
    actions = role_actions(prod, "calculators")
    assert actions <= {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    variables = functions_by_service(prod)["calculators"]["Properties"]["Environment"]["Variables"]
    assert not {"EVENT_BUS_NAME", "IDEMPOTENCY_TABLE"} & set(variables)


def test_the_function_name_is_an_output(local: Template) -> None:
    assert "ToolsFunctionName" in local.find_outputs("*")
