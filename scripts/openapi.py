#!/usr/bin/env python3
"""Write the API's OpenAPI 3.1 document from the code (docs/decisions/0019-openapi-contract.md).

What each part of the document comes from:

* the routes, and which are public, keyed or signed in: the app synthesized for ``local`` and
  ``prod`` (scripts/architecture.py's synth; a route only ``local`` has is marked
  ``x-etax-local-only``); the partners' API keys from ``infra/platform/edge.py``;
* each route's path parameters, answer type and the schemas of its results: Powertools'
  ``get_openapi_schema`` of the function's resolver (the handler imported with placeholder
  settings), from the route's signature and return annotation; a result's keys are its fields'
  (``etax.platform.results``: a ``named`` field's alias);
* the request body: the pydantic model the route names (its ``parse_body``/``validate_body``/
  ``once.create`` call), or what it declares (``etax.platform.api.declares``), with the first
  sample event of ``events/<function>/`` for it as the example; its query parameters and
  the problems its kind does not imply from ``declares``; its status from its code
  (``once.create`` answers 201, ``return x, 202``);
  ``Idempotency-Key`` where the route runs ``once``;
* the problems (``application/problem+json``, ``etax.platform.errors``) each route may answer,
  by what it does: every route 422 (text that is not Unicode), 429 and 503 (the data store
  busy, or a write meeting others on the same records: nothing written, ``Retry-After``);
  signed-in 401 and 403;
  a path parameter 400 and 404; a query parameter 400; a body 400, 413 and 422; a change 409;
* the ``links`` from a created thing's answer to the operations that take it (:data:`LINKS`).

The document is written to ``layers/shared/python/etax/platform/openapi.json``, in the shared
layer, where the platform function serves it (``GET /v1/openapi.json``, ``GET /v1/docs``).

    .venv/bin/python scripts/openapi.py           # rewrite the document
    .venv/bin/python scripts/openapi.py --check   # exit 1 if the document is out of date

``tests/infra/test_openapi_contract.py`` runs the check, so the document never drifts.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import json
import os
import re
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from generated import write_or_check

ROOT = Path(__file__).resolve().parents[1]
DOCUMENT = ROOT / "layers" / "shared" / "python" / "etax" / "platform" / "openapi.json"
FUNCTIONS = ROOT / "functions"
EVENTS = ROOT / "events"
Json = dict[str, Any]

TITLE = "e-tax platform API"
VERSION = "v1"
NO_CONTENT = 204  # a route answering Response(status_code=204): documented with no content
DESCRIPTION = (
    "The e-tax platform's REST API, generated from the code (scripts/openapi.py). Errors are "
    "`application/problem+json` (RFC 9457) naming the failing `field`; a POST that creates a "
    "thing or moves money takes an `Idempotency-Key` header and answers a retry with the first "
    "answer; a 429 or a 503 says when to retry in `Retry-After`. Signed-in routes take a "
    "bearer JWT from the stage's token issuer (the local stack's: `POST /v1/auth/dev-token`).")
PROBLEMS: dict[int, str] = {
    400: "Bad request: the body is not a JSON object, a header the route needs is missing, or "
         "a path or query parameter is not of its form (named in `field`)",
    401: "Unauthorized: no valid bearer token, or it has expired",
    403: "Forbidden: the token's role or subject may not do this, or a partner's key or "
         "signature is not valid",
    404: "Not found: no such resource (or none the caller may see)",
    409: "Conflict: the resource's state forbids this now, it exists already, or the "
         "Idempotency-Key was used with another request",
    413: "Content too large: the body is over the route's limit",
    422: "Unprocessable: a field failed its rules (named in `field`), or text is not Unicode",
    429: "Too many requests: retry after `Retry-After` seconds",
    500: "Internal error: logged with the request id",
    503: "Busy: the data store is throttling, or the write met others on the same records; "
         "nothing was written: send it again after `Retry-After` seconds",
}
PROBLEM_SCHEMA: Json = {
    "type": "object",
    "description": "RFC 9457 problem details (etax.platform.errors)",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "examples": ["urn:etax:problem:validation"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "field": {"type": "string", "description": "the field, parameter or header that failed"},
        "request_id": {"type": "string"},
        "retry_after": {"type": "integer", "description": "seconds (429, 503)"},
    },
    "additionalProperties": True,
}
SECURITY_SCHEMES: Json = {
    "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
               "description": "A JWT of the stage's issuer (Cognito or any OIDC issuer; on the "
                              "local stack POST /v1/auth/dev-token), checked by the API's "
                              "authorizer; its role and subject decide what it may reach"},
    "partnerKey": {"type": "apiKey", "in": "header", "name": "x-api-key",
                   "description": "The partner's API key (a usage plan per partner class; not "
                                  "required on the local stack). It meters the partner; the "
                                  "request's own signature decides what it may confirm"},
}
# Where a partner's route carries its signature, by path.
SIGNATURES = {
    "/v1/filing/callbacks/{method}": "the X-Signature header: the provider's HMAC of the body",
    "/v1/channels/wechat": "the signature (handshake) or msg_signature (message) query "
                           "parameter, from the channel token",
    "/v1/channels/sms": "the X-Signature header: the channel token's HMAC of the body",
}
METHODS_WITH_BODY = {"post", "put", "patch"}
# The links between operations (OpenAPI ``links``, which a client or a stateful fuzzer
# follows): what a created thing's answer holds → the operations that take it in their path.
# The answers of ``once`` routes have no schema yet (ADR 0019), so the pointers are written
# here; the e2e fuzz run (tests/e2e/test_fuzz_e2e.py) follows them.
_APPLICATION = {"application_id": "$request.path.application_id"}
LINKS: dict[tuple[str, str], tuple[str, dict[str, str], tuple[tuple[str, str], ...]]] = {
    ("post", "/v1/applications"): ("the created application", {
        "application_id": "$response.body#/id"}, (
        ("get", "/v1/applications/{application_id}"),
        ("post", "/v1/applications/{application_id}/documents"),
        ("post", "/v1/applications/{application_id}/submit"))),
    ("post", "/v1/applications/{application_id}/documents"): ("the asked-for document", {
        **_APPLICATION, "document_id": "$response.body#/document/id"}, (
        ("get", "/v1/applications/{application_id}/documents/{document_id}"),
        ("post", "/v1/applications/{application_id}/documents/{document_id}/confirm"))),
    ("post", "/v1/invoices"): ("the issued invoice", {"number": "$response.body#/number"}, (
        ("get", "/v1/invoices/{number}"), ("get", "/v1/invoices/{number}/document"),
        ("post", "/v1/invoices/{number}/red-letter"), ("post", "/v1/invoices/{number}/void"))),
    ("post", "/v1/filing/obligations"): ("the obligation", {
        "obligation_id": "$response.body#/obligation_id"}, (
        ("get", "/v1/filing/obligations/{obligation_id}"),
        ("post", "/v1/filing/obligations/{obligation_id}/return"),
        ("post", "/v1/filing/obligations/{obligation_id}/payments"))),
    ("post", "/v1/filing/obligations/{obligation_id}/payments"): ("the payment", {
        "payment_id": "$response.body#/payment_id"}, (
        ("get", "/v1/filing/payments/{payment_id}"),
        ("get", "/v1/filing/payments/{payment_id}/receipt"))),
    ("post", "/v1/refunds"): ("the refund case", {"case_id": "$response.body#/id"}, (
        ("get", "/v1/refunds/{case_id}"),)),
    ("post", "/v1/invoice-supplies"): ("the supply application", {
        "application_id": "$response.body#/id"}, (
        ("get", "/v1/invoice-supplies/{application_id}"),)),
    ("post", "/v1/certificates"): ("the certificate", {"number": "$response.body#/number"}, (
        ("get", "/v1/certificates/{number}"), ("get", "/v1/certificates/{number}/document"))),
    ("post", "/v1/registration/natural-persons"): ("the registered person", {
        "resident_id": "$response.body#/resident_id"}, (
        ("get", "/v1/registration/natural-persons/{resident_id}"),)),
}


# -- the routes as CDK builds them --------------------------------------------------------------

def cdk_routes() -> tuple[dict[tuple[str, str], tuple[str, bool, bool]], Json]:
    """``(method, path) → (function folder, public, only on local)`` and the local functions'
    environments (by folder)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import architecture

    _, local = architecture.synthesize({"stage": "local"})
    _, prod = architecture.synthesize(architecture.PROD_CONTEXT)
    in_prod = {(method, path) for method, path, _, _ in prod.routes}
    routes: dict[tuple[str, str], tuple[str, bool, bool]] = {}
    environments: Json = {}
    for method, path, function, public in local.routes:
        variables = local.resources[function]["Properties"]["Environment"]["Variables"]
        folder = str(variables["POWERTOOLS_SERVICE_NAME"])
        environments[folder] = variables
        routes[(method, path)] = (folder, public, (method, path) not in in_prod)
    return routes, environments


# -- the functions' resolvers -------------------------------------------------------------------

def load_resolver(folder: str, variables: Json) -> Any:
    """``functions/<folder>/handler.py``'s resolver, imported with the function's settings
    (values the synth cannot know are placeholders: nothing is called at import)."""
    settings = {name: value if isinstance(value, str) else f"openapi-{name.lower()}"
                for name, value in variables.items()}
    saved = dict(os.environ)
    os.environ.update({"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
                       "AWS_ACCESS_KEY_ID": "openapi", "AWS_SECRET_ACCESS_KEY": "openapi",
                       **settings})
    try:
        name = f"openapi_{folder}_handler"
        spec = importlib.util.spec_from_file_location(name, FUNCTIONS / folder / "handler.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
        _import_type_checking(module)
        return module.app
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _import_type_checking(module: Any) -> None:
    """Run the module's ``if TYPE_CHECKING:`` imports into it: the routes' annotations name
    what a handler does not import at init (the init stays as lean as it is)."""
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            block = ast.Module(body=[n for n in node.body
                                     if isinstance(n, ast.Import | ast.ImportFrom)],
                               type_ignores=[])
            exec(compile(block, module.__file__, "exec"), module.__dict__)  # noqa: S102


def _names(node: ast.AST) -> Iterator[ast.expr]:
    for child in ast.walk(node):
        if isinstance(child, ast.Name | ast.Attribute):
            yield child


def _source_tree(function: Callable[..., Any]) -> ast.AST:
    return ast.parse(textwrap.dedent(inspect.getsource(function)))


class RouteCode:
    """What a route function's code shows: the models it names, its status, ``once``."""

    def __init__(self, function: Callable[..., Any]) -> None:
        from pydantic import BaseModel

        self.function = function
        tree = _source_tree(function)
        scope = dict(function.__globals__)
        for node in ast.walk(tree):  # models imported inside the route
            if isinstance(node, ast.ImportFrom) and node.module:
                module = importlib.import_module(node.module)
                scope.update({a.asname or a.name: getattr(module, a.name) for a in node.names})
        self.models: list[type[BaseModel]] = []
        for node in _names(tree):
            value = _value(node, scope)
            if (isinstance(value, type) and issubclass(value, BaseModel)
                    and value not in self.models):
                self.models.append(value)
        trees = [tree] + [_source_tree(helper) for helper in _helpers(tree, scope, function)]
        self.idempotent = any(_uses_once(t) for t in trees)
        self.status = next((s for t in trees if (s := _status(t)) is not None), None)
        self.content_type = _content_type(tree)
        self.reads_body = bool(self.models) or any(
            isinstance(n, ast.Name) and n.id in ("json_body", "parse_body") for n in _names(tree))


def _value(node: ast.expr, scope: Json) -> Any:
    try:
        return eval(ast.unparse(node), {}, scope)  # noqa: S307 - names of the project's own code
    except Exception:  # a local variable, not a module-level name
        return None


def _helpers(tree: ast.AST, scope: Json, route: Callable[..., Any]) -> list[Callable[..., Any]]:
    """The module's own functions the route calls (one level)."""
    called = {n.func.id for n in ast.walk(tree)
              if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return [scope[name] for name in sorted(called)
            if inspect.isfunction(scope.get(name))
            and scope[name].__module__ == route.__module__ and scope[name] is not route]


def _uses_once(tree: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and (
        (isinstance(n.func, ast.Name) and n.func.id == "once")
        or (isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
            and n.func.value.id == "once")) for n in ast.walk(tree))


def _status(tree: ast.AST) -> int | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            last = node.value.elts[-1]
            if isinstance(last, ast.Constant) and isinstance(last.value, int):
                return last.value
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "create" and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "once"):
            return 201  # etax.platform.once.Once.create: answered 201 (Created)
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "Response"):  # Response(status_code=204, …)
            given = [k.value for k in node.keywords if k.arg == "status_code"]
            if given and isinstance(given[0], ast.Constant) and given[0].value == NO_CONTENT:
                return NO_CONTENT
    return None


def _content_type(tree: ast.AST) -> str | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id == "Response":
            given = [k.value for k in node.keywords if k.arg == "content_type"]
            given += node.args[1:2]
            if given and isinstance(given[0], ast.Constant) and isinstance(given[0].value, str):
                return given[0].value
    return None


# -- one function's part of the document ------------------------------------------------------

def function_part(folder: str, app: Any) -> tuple[Json, dict[tuple[str, str], Any]]:
    """Powertools' document of one function's resolver and its route functions by route."""
    schema = app.get_openapi_schema(title=TITLE, version=VERSION)
    part: Json = schema.model_dump(mode="json", by_alias=True, exclude_none=True)
    functions = {(route.method.upper(), route.openapi_path): route.func
                 for route in [*app._static_routes, *app._dynamic_routes]}
    return part, functions


def renamed(part: Json, taken: Json, prefix: str,
            at: tuple[str, ...] = ("components", "schemas")) -> Json:
    """``part`` with each of its schemas (under ``at``) whose name ``taken`` holds for another
    schema renamed ``<prefix><name>`` (two functions' results of one name, e.g. ``Verdict``)."""
    schemas: Json = _under(part, at)
    text = json.dumps(part, ensure_ascii=False)
    for name, body in schemas.items():
        if name in taken and taken[name] != body:
            text = text.replace(f'"#/components/schemas/{name}"',
                                f'"#/components/schemas/{prefix}{name}"')
    result: Json = json.loads(text)
    result_schemas = _under(result, at)
    for name in list(result_schemas):
        if name in taken and taken[name] != schemas[name]:
            result_schemas[f"{prefix}{name}"] = result_schemas.pop(name)
    return result


def _under(value: Json, at: tuple[str, ...]) -> Json:
    for key in at:
        value = value.get(key, {})
    return value


def sample_body(folder: str, method: str, path: str) -> Any:
    """The body of the first sample event of ``events/<folder>/`` for this route, if any."""
    for event_file in sorted((EVENTS / folder).glob("*.json")):
        event = json.loads(event_file.read_text(encoding="utf-8"))
        if event.get("httpMethod") == method and event.get("resource") == path and \
                isinstance(event.get("body"), str) and not event.get("isBase64Encoded"):
            try:
                return json.loads(event["body"])
            except ValueError:
                return None
    return None


def model_schema(models: list[Any], part_schemas: Json, taken: Json) -> Json:
    """The JSON schema of the body's model(s), their definitions added to ``part_schemas``
    (one whose name another schema has is prefixed with its module's name: ``BonusRequest``)."""
    from pydantic.json_schema import models_json_schema

    bodies = []
    for model in models:
        refs, definitions = models_json_schema(
            [(model, "validation")], ref_template="#/components/schemas/{model}")
        produced: Json = {"ref": refs[(model, "validation")],
                          "defs": definitions.get("$defs", {})}
        prefix = "".join(w.capitalize() for w in model.__module__.rsplit(".", 1)[-1].split("_"))
        produced = renamed(produced, {**taken, **part_schemas}, prefix, at=("defs",))
        for name, body in produced["defs"].items():
            part_schemas.setdefault(name, body)
        bodies.append(produced["ref"])
    return bodies[0] if len(bodies) == 1 else {"oneOf": bodies}


def operation(op: Json, *, folder: str, method: str, path: str, code: RouteCode,
              public: bool, keyed: bool, local_only: bool, part_schemas: Json,
              taken: Json) -> Json:
    """Powertools' operation with what it cannot see: body, query, status, problems, security."""
    from etax.platform.api import CONTRACT

    declared = getattr(code.function, CONTRACT, {"body": (), "query": {}, "problems": ()})
    op["tags"] = [folder]
    doc = inspect.getdoc(code.function)
    if doc:
        op["description"] = doc
    parameters: list[Json] = list(op.get("parameters", []))
    for name, meaning in declared["query"].items():
        parameters.append({"name": name, "in": "query", "required": False,
                           "description": meaning, "schema": {"type": "string"}})
    for name, meaning in declared.get("headers", {}).items():
        parameters.append({"name": name, "in": "header", "required": True,
                           "description": meaning, "schema": {"type": "string"}})
    if code.idempotent:
        parameters.append({"name": "Idempotency-Key", "in": "header", "required": True,
                           "description": "1-128 printable characters, fresh per request: a "
                                          "retry with the same key and body answers the first "
                                          "answer", "schema": {"type": "string"}})
    if parameters:
        op["parameters"] = parameters
    models = list(declared["body"]) or code.models
    if method.lower() in METHODS_WITH_BODY and models:
        media: Json = {"schema": model_schema(models, part_schemas, taken)}
        example = sample_body(folder, method.upper(), path)
        if example is not None:
            media["example"] = example
        op["requestBody"] = {"required": True, "content": {"application/json": media}}
    answers: Json = op.pop("responses")
    (_, answer), = answers.items()
    answer["description"] = "the answer"
    if code.status == NO_CONTENT:
        answer["description"] = "done; no content"
        answer.pop("content", None)
    elif code.content_type is not None:
        schema: Json = {"type": "string", "contentMediaType": code.content_type}
        if code.content_type == "application/json":  # a document served as written
            schema = {"type": "object"}
        elif code.content_type == "application/pdf":
            schema["format"] = "binary"
        answer["content"] = {code.content_type: {"schema": schema}}
    responses: Json = {str(code.status or 200): answer}
    problems = {422, 429, 500, 503}
    if not public:
        problems |= {401, 403}
    if keyed:
        problems |= {403}
    if "{" in path:
        problems |= {400, 404}  # a path parameter of the wrong form, or no such thing
    if declared["query"]:
        problems |= {400}  # a query parameter of the wrong form (tests/e2e/test_fuzz_e2e.py)
    if method.lower() in METHODS_WITH_BODY:
        problems |= {409}
        if code.reads_body or models:
            problems |= {400, 413}
    if code.idempotent:
        problems |= {400, 409}
    problems |= set(declared["problems"])
    responses.update({str(s): {"$ref": f"#/components/responses/Problem{s}"}
                      for s in sorted(problems)})
    op["responses"] = responses
    if keyed:
        op["security"] = [{"partnerKey": []}]
        op["description"] = (op.get("description", "") + "\n\nA partner's route: signed with "
                             + SIGNATURES.get(path, "the partner's signature") + ".").strip()
    elif public:
        op["security"] = []
    else:
        op["security"] = [{"bearer": []}]
    if local_only:
        op["x-etax-local-only"] = True
    return op


def document() -> Json:
    """The whole document, from the synthesized app and every API function's resolver."""
    sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))
    sys.path.insert(0, str(ROOT))
    from infra.platform.edge import route_class

    routes, environments = cdk_routes()
    paths: Json = {}
    schemas: Json = {}
    seen: set[tuple[str, str]] = set()
    for folder in sorted({f for f, _, _ in routes.values()}):
        part, functions = function_part(folder, load_resolver(folder, environments[folder]))
        prefix = "".join(word.capitalize() for word in folder.split("_"))
        part = renamed(part, schemas, prefix)
        part_schemas: Json = part.get("components", {}).get("schemas", {})
        for path, item in part.get("paths", {}).items():
            for method, op in item.items():
                key = (method.upper(), path)
                if key not in routes:
                    raise SystemExit(f"{folder} serves {method.upper()} {path}, which the API "
                                     "does not route to it")
                routed, public, local_only = routes[key]
                if routed != folder:
                    raise SystemExit(f"{method.upper()} {path}: routed to {routed}, served by "
                                     f"{folder}")
                seen.add(key)
                route = route_class(*key)
                keyed = route is not None and bool(route.partners)
                paths.setdefault(path, {})[method] = operation(
                    op, folder=folder, method=method, path=path,
                    code=RouteCode(functions[key]), public=public, keyed=keyed,
                    local_only=local_only, part_schemas=part_schemas, taken=schemas)
        for name, body in part_schemas.items():
            schemas.setdefault(name, body)
    missing = sorted(set(routes) - seen)
    if missing:
        raise SystemExit(f"routed but served by no resolver route: {missing}")
    schemas["Problem"] = PROBLEM_SCHEMA
    add_links(paths)
    return pruned({
        "openapi": "3.1.0",
        "info": {"title": TITLE, "version": VERSION, "description": DESCRIPTION},
        "servers": [{"url": "..", "description": "the stage's API URL (the ApiUrl output): "
                                                 "where this document is served, less "
                                                 "/v1/openapi.json"}],
        "paths": {path: dict(sorted(paths[path].items())) for path in sorted(paths)},
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": {f"Problem{status}": _problem_response(status, meaning)
                          for status, meaning in PROBLEMS.items()},
            "securitySchemes": SECURITY_SCHEMES,
        },
    })


def add_links(paths: Json) -> None:
    """:data:`LINKS` on the answers of the operations they start from."""
    for (method, path), (what, values, targets) in LINKS.items():
        answers: Json = paths[path][method]["responses"]
        answer = next(iter(answers.values()))  # the success, first
        links = answer.setdefault("links", {})
        for target_method, target_path in targets:
            target = paths[target_path][target_method]
            names = re.findall(r"{([^}]+)}", target_path)
            links[target["operationId"]] = {
                "operationId": target["operationId"],
                "parameters": {name: values[name] for name in names},
                "description": f"{target_method.upper()} {target_path} of {what}",
            }


def pruned(whole: Json) -> Json:
    """``whole`` without the schemas nothing refers to (Powertools' validation errors: the
    platform answers problems instead) and without Powertools' ``"title": "Return"``."""
    schemas: Json = whole["components"]["schemas"]
    reachable: set[str] = set()
    pending = [json.dumps({k: v for k, v in whole.items() if k != "components"})
               + json.dumps(whole["components"]["responses"])]
    while pending:
        for name in re.findall(r'"#/components/schemas/([^"]+)"', pending.pop()):
            if name not in reachable:
                reachable.add(name)
                pending.append(json.dumps(schemas[name]))
    whole["components"]["schemas"] = {k: v for k, v in schemas.items() if k in reachable}
    text = json.dumps(whole, ensure_ascii=False).replace(', "title": "Return"', "")
    result: Json = json.loads(text)
    return result


def _problem_response(status: int, meaning: str) -> Json:
    response: Json = {"description": meaning, "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}
    if status in (429, 503):
        response["headers"] = {"Retry-After": {"description": "seconds to wait",
                                               "schema": {"type": "integer"}}}
    return response


def render(value: Json) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    return write_or_check(DOCUMENT, lambda _: render(document()), script="openapi.py",
                          argv=argv, description=__doc__.splitlines()[0] if __doc__ else None)


if __name__ == "__main__":
    sys.exit(main())

