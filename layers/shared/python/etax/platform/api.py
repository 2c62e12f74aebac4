"""The HTTP side of every API function: one resolver factory, one error mapping.

``make_resolver()`` returns a Powertools REST resolver with the exception
handlers that turn every failure into ``application/problem+json``:

- :class:`~etax.platform.errors.ProblemError` subclasses → their status;
- a body that is not JSON → 400; a body that fails its pydantic model
  (:func:`parse_body`) → 422, naming the first failing field and listing all;
- an unknown route → 404;
- a signed-in request whose token has expired since API Gateway cached the
  authorizer's verdict → 401, before any route runs (:mod:`etax.platform.auth`);
- anything else → 500 with the request id, logged with its stack trace (a bug,
  never a verdict on the client's input).

Bodies are validated with pydantic models in the route (:func:`parse_body`),
not with Powertools' OpenAPI validation middleware: that middleware costs
about 120 ms of import on every cold start (docs/benchmarks.md) for what one
``model_validate`` call does.
"""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from aws_lambda_powertools.shared.json_encoder import Encoder
from pydantic import BaseModel, ValidationError

from etax.platform.auth import principal_from_event
from etax.platform.errors import BadRequest, NotFound, ProblemError, Unprocessable
from etax.platform.observability import logger

PROBLEM_JSON = "application/problem+json"
# UTF-8 JSON as people read it (names are Chinese), compact; Decimal and enums as Powertools does.
serialize = partial(json.dumps, separators=(",", ":"), ensure_ascii=False, cls=Encoder)


def problem_response(error: ProblemError) -> Response[str]:
    """The HTTP response for a problem."""
    return Response(
        status_code=error.status,
        content_type=PROBLEM_JSON,
        body=serialize(error.body()),
        headers=error.headers,
    )


def _field_of(location: tuple[Any, ...]) -> str:
    """``("body", "items", 0, "price")`` → ``items[0].price``; the source alone if nothing else."""
    parts = list(location[1:]) or list(location)
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "body"


def validation_problem(errors: list[Any], prefix: tuple[Any, ...] = ()) -> ProblemError:
    """Map pydantic-style validation errors onto one problem (400 for unparsable JSON)."""
    if any(e.get("type") == "json_invalid" for e in errors):
        return BadRequest("the request body is not valid JSON", field="body")
    listed = [
        {"field": _field_of(prefix + tuple(e.get("loc", ()))),
         "message": str(e.get("msg", "invalid"))}
        for e in errors
    ]
    first = listed[0] if listed else {"field": "body", "message": "invalid request"}
    return Unprocessable(
        f"{first['field']}: {first['message']}",
        field=first["field"],
        extra={"errors": listed},
    )


def make_resolver(*, cors_origin: str = "*") -> APIGatewayRestResolver:
    """A REST resolver with CORS, UTF-8 JSON and the platform's problem mapping."""
    app = APIGatewayRestResolver(
        serializer=serialize,
        cors=CORSConfig(
            allow_origin=cors_origin,
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            expose_headers=["Retry-After"],
            max_age=600,
        ),
    )

    app.use(middlewares=[_refuse_expired_tokens])

    @app.exception_handler(ProblemError)
    def _problem(error: ProblemError) -> Response[str]:
        if error.status >= 500:
            logger.exception("server problem", extra={"problem": error.body()})
        else:
            logger.info("client problem", extra={"problem": error.body()})
        return problem_response(error)

    @app.not_found
    def _not_found(_: NotFoundError) -> Response[str]:
        event = app.current_event
        return problem_response(NotFound(f"no route for {event.http_method} {event.path}"))

    @app.exception_handler(Exception)
    def _bug(error: Exception) -> Response[str]:
        logger.exception("unhandled error")
        request_id = app.current_event.request_context.request_id
        problem = ProblemError(
            "the server failed to handle this request; it has been logged",
            extra={"request_id": request_id},
        )
        return problem_response(problem)

    return app


def _refuse_expired_tokens(app: APIGatewayRestResolver, next_middleware: NextMiddleware) -> Any:
    """Every route, whether or not it reads the caller: a cached verdict for an expired token
    is a 401 (the routes that read the caller check again through ``require_principal``)."""
    principal_from_event(app.current_event.raw_event)
    return next_middleware(app)


def json_body(app: APIGatewayRestResolver) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 naming the body."""
    raw = app.current_event.body
    if raw is None or raw == "":
        raise BadRequest("a JSON object body is required", field="body")
    try:
        body = json.loads(raw)
    except ValueError:
        raise BadRequest("the request body is not valid JSON", field="body") from None
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object", field="body")
    return body


def parse_body[M: BaseModel](app: APIGatewayRestResolver, model: type[M]) -> M:
    """The request body as ``model``; 400 if it is not a JSON object, 422 naming the field."""
    body = json_body(app)
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise validation_problem(list(error.errors()), prefix=("body",)) from None
