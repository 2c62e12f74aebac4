"""The API's contract as packaged (layers/shared/python/etax/platform/openapi.json, written by
scripts/openapi.py): a valid OpenAPI 3.1 document, and its reference page."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from etax.platform.reference import document_text, page

METHODS = ("get", "put", "post", "patch", "delete")


def _document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(document_text())
    return document


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(method, path, item[method]) for path, item in document["paths"].items()
            for method in METHODS if method in item]


def test_the_document_is_valid_openapi_3_1() -> None:
    document = _document()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_the_validator_refuses_a_broken_document() -> None:
    """The check above can fail: a parameter in no place a parameter can be."""
    document = _document()
    parameter = document["paths"]["/v1/invoices/{number}"]["get"]["parameters"][0]
    parameter["in"] = "body"
    with pytest.raises(OpenAPIValidationError):
        validate(document)


def test_every_operation_says_who_may_call_it_and_which_problems_it_answers() -> None:
    for method, path, operation in _operations(_document()):
        assert "security" in operation, f"{method} {path}"
        statuses = set(operation["responses"])
        assert {"422", "429", "500"} <= statuses, f"{method} {path}"
        if operation["security"] == [{"bearer": []}]:
            assert {"401", "403"} <= statuses, f"{method} {path}"
        if "{" in path:
            assert {"400", "404"} <= statuses, f"{method} {path}"  # a malformed id is a 400
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in statuses, f"{method} {path}"


def test_a_problem_a_route_declares_is_documented() -> None:
    """``declares(problems=(404,))``: a scan of an invoice that does not exist."""
    assert "404" in _document()["paths"]["/v1/lottery/scan"]["post"]["responses"]


def test_every_link_names_an_operation_and_fills_its_path() -> None:
    """The links a client or the fuzz run (tests/e2e/test_fuzz_e2e.py) follows."""
    operations = {operation["operationId"]: path
                  for _, path, operation in _operations(_document())}
    links = [(path, link) for _, path, operation in _operations(_document())
             for answer in operation["responses"].values()
             for link in answer.get("links", {}).values()]
    assert len(links) >= 10
    for path, link in links:
        target = operations[link["operationId"]]
        named = set(re.findall(r"{([^}]+)}", target))
        assert set(link["parameters"]) == named, f"{path} → {target}"
        for value in link["parameters"].values():
            assert value.startswith(("$response.body#/", "$request.path.")), value


def test_routes_that_create_under_a_key_declare_it_and_their_201() -> None:
    operation = _document()["paths"]["/v1/invoices"]["post"]
    assert "201" in operation["responses"]
    assert {"name": "Idempotency-Key", "in": "header"}.items() <= operation["parameters"][0].items()
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/IssueRequest"}


def test_a_result_shows_its_keys_not_its_attributes() -> None:
    """etax.platform.results.named("return") is the key "return" (an ObligationView's)."""
    schema = _document()["components"]["schemas"]["ObligationView"]
    assert "return" in schema["properties"]
    assert "filed_return" not in schema["properties"]


def test_the_reference_page_shows_every_operation_escaped() -> None:
    document = _document()
    html = page(document)
    for method, path, _ in _operations(document):
        assert f"<code>{method.upper()} {path}</code>" in html
    hostile = {"info": {"title": "<script>x</script>"}, "paths": {}}
    assert "<script>x" not in page(hostile)
