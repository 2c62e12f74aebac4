"""The domain's error family (etax.errors), its one mapping to problem+json, and the rule that
keeps HTTP out of the domain (docs/decisions/0013-domain-errors.md)."""

from __future__ import annotations

import ast
import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from etax import errors
from etax.calculators.common import InputError
from etax.platform import errors as problems
from etax.platform.api import PROBLEMS, make_resolver, problem_for

ETAX = Path(__file__).resolve().parents[2] / "layers" / "shared" / "python" / "etax"
EDGE_MODULES = ("etax.platform.errors", "etax.platform.api")

# Each kind → (status, type slug, title, headers, body keys beyond the four every problem has).
TABLE: list[tuple[errors.DomainError, int, str, str, dict[str, str], dict[str, Any]]] = [
    (errors.Invalid("amount: too big", field="amount"),
     422, "validation", "Unprocessable content", {}, {"field": "amount"}),
    (errors.RealNameMismatch("the bank did not confirm", field="name", extra={"reference": "R1"}),
     422, "real-name-mismatch", "Real-name check failed", {}, {"field": "name", "reference": "R1"}),
    (errors.Malformed("limit is 1-100", field="limit"),
     400, "bad-request", "Bad request", {}, {"field": "limit"}),
    (errors.NotFound("no invoice 1"), 404, "not-found", "Not found", {}, {}),
    (errors.AlreadyExists("a campaign c exists already", field="id"),
     409, "conflict", "Conflict", {}, {"field": "id"}),
    (errors.StateChanged("invoice 1 was changed meanwhile"), 409, "conflict", "Conflict", {}, {}),
    (errors.Refused("only officers decide"), 403, "forbidden", "Forbidden", {}, {}),
    (errors.LimitReached("checks resume tomorrow", retry_after=3600),
     429, "rate-limited", "Too many requests", {"Retry-After": "3600"}, {"retry_after": 3600}),
    (errors.Unavailable("the bank's check is unavailable", retry_after=30),
     503, "unavailable", "Service unavailable", {"Retry-After": "30"}, {}),
    (errors.Unavailable("not connected yet", field="kind"),
     503, "unavailable", "Service unavailable", {}, {"field": "kind"}),
    (errors.Fault("payment callbacks are not configured here"),
     500, "internal", "Internal error", {}, {}),
    (InputError("year", "no rules on record"),
     422, "validation", "Unprocessable content", {}, {"field": "year"}),
]


@pytest.mark.parametrize(("error", "status", "slug", "title", "headers", "more"), TABLE,
                         ids=[type(row[0]).__name__ for row in TABLE])
def test_each_kind_is_answered_with_its_problem(error: errors.DomainError, status: int, slug: str,
                                                title: str, headers: dict[str, str],
                                                more: dict[str, Any]) -> None:
    problem = problem_for(error)
    assert (problem.status, problem.slug, problem.title, problem.headers) == (
        status, slug, title, headers)
    assert problem.body() == {"type": f"urn:etax:problem:{slug}", "title": title,
                              "status": status, "detail": error.detail, **more}


def test_every_kind_of_the_family_has_a_problem() -> None:
    kinds = [k for _, k in inspect.getmembers(errors, inspect.isclass)
             if issubclass(k, errors.DomainError) and k is not errors.DomainError]
    assert kinds
    assert [k.__name__ for k in kinds if k not in PROBLEMS] == []


def _event(path: str) -> dict[str, Any]:
    return {"resource": path, "path": path, "httpMethod": "GET", "headers": {},
            "multiValueHeaders": {}, "queryStringParameters": None,
            "multiValueQueryStringParameters": None, "pathParameters": None,
            "requestContext": {"requestId": "req-1", "resourcePath": path, "httpMethod": "GET",
                               "path": path, "stage": "test", "identity": {}},
            "body": None, "isBase64Encoded": False}


SAME_ANSWER = [
    (errors.LimitReached("over the limit", retry_after=60, field="number"),
     problems.TooManyRequests("over the limit", retry_after=60, field="number")),
    (errors.Unavailable("the bank is down: ¥ 張", retry_after=30),
     problems.ServiceUnavailable("the bank is down: ¥ 張", headers={"Retry-After": "30"})),
    (errors.RealNameMismatch("not confirmed 350102199003071234", field="account.number",
                             extra={"reference": "B-1"}),
     problems.RealNameMismatch("not confirmed 350102199003071234", field="account.number",
                               extra={"reference": "B-1"})),
    (errors.Invalid("documents still missing: a", field="documents", extra={"missing": ["a"]}),
     problems.Unprocessable("documents still missing: a", field="documents",
                            extra={"missing": ["a"]})),
    (errors.invalid_from([{"type": "missing", "loc": ("body", "x"), "msg": "Field required"}],
                         prefix=()),
     problems.Unprocessable("x: Field required", field="x",
                            extra={"errors": [{"field": "x", "message": "Field required"}]})),
    (errors.invalid_from([{"type": "json_invalid", "loc": (), "msg": "bad"}]),
     problems.BadRequest("the request body is not valid JSON", field="body")),
    (errors.Fault("not configured"), problems.ProblemError("not configured")),
]


def _answer(app: APIGatewayRestResolver, path: str) -> dict[str, Any]:
    return app.resolve(_event(path), None)  # type: ignore[arg-type]


@pytest.mark.parametrize(("domain", "problem"), SAME_ANSWER,
                         ids=[type(row[0]).__name__ for row in SAME_ANSWER])
def test_the_api_answers_a_domain_error_byte_for_byte_as_its_problem(
    domain: errors.DomainError, problem: problems.ProblemError,
) -> None:
    app = make_resolver()

    @app.get("/domain")
    def _domain() -> None:
        raise domain

    @app.get("/problem")
    def _problem() -> None:
        raise problem

    by_domain, by_problem = _answer(app, "/domain"), _answer(app, "/problem")
    assert by_domain == by_problem
    assert by_domain["statusCode"] == problem.status
    assert json.loads(by_domain["body"])["type"] == f"urn:etax:problem:{problem.slug}"


def edge_imports(source: str) -> list[str]:
    """The modules of EDGE_MODULES that ``source`` imports, however it spells the import."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name in EDGE_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module in EDGE_MODULES:
                found.append(node.module)
            elif node.module == "etax.platform":
                found += [f"etax.platform.{a.name}" for a in node.names
                          if f"etax.platform.{a.name}" in EDGE_MODULES]
    return found


def test_the_rule_sees_every_spelling_of_the_import() -> None:
    assert edge_imports("from etax.platform.errors import Conflict") == ["etax.platform.errors"]
    assert edge_imports("def f():\n    from etax.platform.api import validation_problem\n") \
        == ["etax.platform.api"]
    assert edge_imports("from etax.platform import api, auth") == ["etax.platform.api"]
    assert edge_imports("import etax.platform.errors") == ["etax.platform.errors"]
    assert edge_imports("from etax.platform.auth import Principal\nfrom etax import errors") == []


def test_no_domain_module_speaks_http() -> None:
    """Only etax/platform imports the problem classes or the resolver; every other module
    raises the domain's errors (etax.errors)."""
    offenders = {
        str(path.relative_to(ETAX.parent)): imported
        for path in sorted(ETAX.rglob("*.py"))
        if "platform" not in path.relative_to(ETAX).parts[:1]
        for imported in [edge_imports(path.read_text(encoding="utf-8"))] if imported
    }
    assert offenders == {}


def test_a_problem_about_a_key_without_a_name_names_the_body() -> None:
    """A field named by an empty key (``{"": 1}``) is answered as the body's: a problem's
    ``field`` is never empty, whichever route raised it."""
    from etax.platform.errors import Unprocessable

    assert Unprocessable("unknown field", field="").body()["field"] == "body"
    assert Unprocessable("bad", field="items[0].price").body()["field"] == "items[0].price"
    assert "field" not in Unprocessable("bad").body()


@pytest.mark.parametrize(("code", "status"), [
    ("TransactionConflictException", 503), ("ProvisionedThroughputExceededException", 503),
    ("ThrottlingException", 503), ("ValidationException", 500), ("AccessDeniedException", 500),
])
def test_a_storage_that_says_busy_is_a_503_to_send_again_any_other_failure_a_500(
        code: str, status: int) -> None:
    """A write refused because another request's transaction holds the item (or a throttled
    table) is transient: 503 with ``Retry-After``, not a 500 logged as the platform's bug."""
    from botocore.exceptions import ClientError

    app = make_resolver()

    @app.get("/write")
    def _write() -> None:
        raise ClientError({"Error": {"Code": code, "Message": "m"}}, "PutItem")

    answer = _answer(app, "/write")
    assert answer["statusCode"] == status
    if status == 503:
        assert answer["multiValueHeaders"]["Retry-After"] == ["1"]
        assert json.loads(answer["body"])["type"] == "urn:etax:problem:unavailable"
    else:
        assert "request_id" in json.loads(answer["body"])
