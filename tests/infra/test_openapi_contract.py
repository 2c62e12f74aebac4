"""The API's OpenAPI document (scripts/openapi.py, packaged in the shared layer) lists exactly
the routes the synthesized API has, says who may call each as the API does, and is what the
script writes today."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from infra.platform.edge import route_class

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import openapi  # noqa: E402  (scripts/openapi.py)

Route = tuple[str, str]


def served(template: Template) -> dict[Route, dict[str, Any]]:
    """Every method of the API but CORS preflights, by ``(METHOD, /path)``."""
    resources: dict[str, Any] = template.to_json()["Resources"]

    def path_of(reference: dict[str, Any]) -> str:
        if "Ref" not in reference:
            return ""  # the API's root
        resource = resources[reference["Ref"]]["Properties"]
        return f"{path_of(resource['ParentId'])}/{resource['PathPart']}"

    return {(body["Properties"]["HttpMethod"], path_of(body["Properties"]["ResourceId"])):
            body["Properties"]
            for body in resources.values()
            if body["Type"] == "AWS::ApiGateway::Method"
            and body["Properties"]["HttpMethod"] != "OPTIONS"}


def documented(document: dict[str, Any], *, local: bool) -> dict[Route, dict[str, Any]]:
    return {(method.upper(), path): operation
            for path, item in document["paths"].items() for method, operation in item.items()
            if local or not operation.get("x-etax-local-only")}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    text = openapi.DOCUMENT.read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@pytest.mark.parametrize("stage", ["local", "prod"])
def test_the_document_lists_exactly_the_routes_the_api_has(
        stage: str, document: dict[str, Any], request: pytest.FixtureRequest) -> None:
    template: Template = request.getfixturevalue(stage)
    routes = set(served(template))
    listed = set(documented(document, local=stage == "local"))
    assert routes - listed == set(), "routes missing from the document"
    assert listed - routes == set(), "documented routes the API does not have"


def test_each_route_is_documented_as_public_keyed_or_signed_in_as_the_api_serves_it(
        prod: Template, document: dict[str, Any]) -> None:
    operations = documented(document, local=False)
    for route, method in served(prod).items():
        security = operations[route]["security"]
        if method["AuthorizationType"] == "CUSTOM":
            assert security == [{"bearer": []}], route
        elif method.get("ApiKeyRequired"):
            assert security == [{"partnerKey": []}], route
        else:
            assert security == [], route
            assert route_class(*route) is not None, route


def test_the_served_routes_are_public_and_cached_like_the_spec(prod: Template) -> None:
    methods = served(prod)
    for route in [("GET", "/v1/openapi.json"), ("GET", "/v1/docs")]:
        assert methods[route]["AuthorizationType"] == "NONE"
        reference = route_class(*route)
        assert reference is not None
        assert reference.cache_seconds > 0
        assert reference is route_class("GET", "/v1/invoices/spec")


def test_the_packaged_document_is_what_the_script_writes() -> None:
    assert openapi.main(["--check"]) == 0, (
        "layers/shared/python/etax/platform/openapi.json is out of date: run "
        ".venv/bin/python scripts/openapi.py")
