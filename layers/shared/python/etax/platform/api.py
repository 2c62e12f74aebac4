"""The HTTP side of every API function: one resolver factory, one error mapping.

``make_resolver()`` returns a Powertools REST resolver with the exception
handlers that turn every failure into ``application/problem+json``:

- the domain's errors (:mod:`etax.errors`) → the problem of their kind, by :data:`PROBLEMS`
  (:func:`problem_for`: the one place a domain kind gets its status, type, title and
  Retry-After);
- :class:`~etax.platform.errors.ProblemError` subclasses (the edge's own: auth, body limits,
  …) → their status;
- a request over its route class's limit, on the stage without a WAF (``local``; the
  infrastructure sets ``EDGE_LIMITS``, :mod:`etax.platform.limits`) → 429 with Retry-After,
  counted before every route of a class;
- a body larger than the function's limit (:data:`MAX_BODY_BYTES` unless the route declares
  more in ``make_resolver(body_limits=…)``) → 413, checked once before every route;
- text that is not valid Unicode (a lone surrogate, which JSON's ``"\ud800"`` escape decodes
  to) in the body, a query string or path parameter → 422 naming it, before every route;
- a body that is not JSON → 400; a body that fails its pydantic model
  (:func:`parse_body`) → 422, naming the first failing field and listing the first
  :data:`~etax.errors.MAX_LISTED_ERRORS` (the messages only, never the input:
  :func:`etax.errors.invalid_from`);
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

import base64
import json
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.middlewares import NextMiddleware
from pydantic import BaseModel, ValidationError

from etax import errors as domain
from etax.platform.auth import principal_from_event
from etax.platform.aws import aws_error_code, busy
from etax.platform.errors import (
    BadRequest,
    Conflict,
    ContentTooLarge,
    Forbidden,
    NotFound,
    ProblemError,
    RealNameMismatch,
    ServiceUnavailable,
    TooManyRequests,
    Unprocessable,
)
from etax.platform.limits import Limiter, route_of
from etax.platform.observability import logger
from etax.platform.privacy import valid_text
from etax.platform.results import to_json

PROBLEM_JSON = "application/problem+json"
MAX_BODY_BYTES = 64 * 1024  # a request body, unless a route declares more (make_resolver)
# A service's typed result becomes the answer's JSON text here (etax.platform.results).
serialize = to_json

# Each kind of domain error and the problem it is answered with; a kind not listed takes its
# nearest listed ancestor's (RealNameMismatch is an Invalid with its own problem).
PROBLEMS: dict[type[domain.DomainError], type[ProblemError]] = {
    domain.Invalid: Unprocessable,
    domain.RealNameMismatch: RealNameMismatch,
    domain.Malformed: BadRequest,
    domain.NotFound: NotFound,
    domain.AlreadyExists: Conflict,
    domain.StateChanged: Conflict,
    domain.Refused: Forbidden,
    domain.LimitReached: TooManyRequests,
    domain.Unavailable: ServiceUnavailable,
    domain.Fault: ProblemError,
}


def problem_for(error: domain.DomainError) -> ProblemError:
    """The problem a domain error is answered with (:data:`PROBLEMS`; 500 for no kind)."""
    if isinstance(error, domain.LimitReached):
        return TooManyRequests(error.detail, retry_after=error.retry_after, field=error.field)
    kind = next((PROBLEMS[k] for k in type(error).__mro__ if k in PROBLEMS), ProblemError)
    retry_after = getattr(error, "retry_after", None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return kind(error.detail, field=error.field, headers=headers, extra=error.extra)


def problem_response(error: ProblemError) -> Response[str]:
    """The HTTP response for a problem."""
    return Response(
        status_code=error.status,
        content_type=PROBLEM_JSON,
        body=serialize(error.body()),
        headers=error.headers,
    )


def validation_problem(errors: list[Any], prefix: tuple[Any, ...] = ()) -> ProblemError:
    """Map pydantic-style validation errors onto one problem (400 for unparsable JSON)."""
    return problem_for(domain.invalid_from(errors, prefix))


def _logged_response(error: ProblemError) -> Response[str]:
    """The response for a problem raised while handling a request, logged (5xx with the trace)."""
    if error.status >= 500:
        logger.exception("server problem", extra={"problem": error.body()})
    else:
        logger.info("client problem", extra={"problem": error.body()})
    return problem_response(error)


def body_size(body: str | None, is_base64_encoded: bool) -> int:
    """The size in bytes of a request body as API Gateway hands it over."""
    if not body:
        return 0
    if is_base64_encoded:
        return len(body) * 3 // 4
    return len(body.encode("utf-8", "surrogatepass"))


def invalid_text_at(value: Any, path: str = "") -> str | None:
    """The path (``items[0].name``) of the first string in ``value`` that is not valid Unicode.

    Keys are checked too: a bad key is reported at its parent's path (it cannot be quoted).
    """
    if isinstance(value, str):
        return None if valid_text(value) else (path or "body")
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and not valid_text(key):
                return path or "body"
            found = invalid_text_at(item, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = invalid_text_at(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _not_unicode(field: str) -> Unprocessable:
    return Unprocessable(f"{field}: not valid Unicode text (it has a lone surrogate)", field=field)


def _check_parameters(event: Any) -> None:
    """422 naming the body, or the first parameter or header, that is not valid Unicode text."""
    if event.body and not event.is_base64_encoded and not valid_text(event.body):
        raise _not_unicode("body")
    sources = (event.path_parameters or {}, event.query_string_parameters or {},
               event.multi_value_query_string_parameters or {}, event.headers or {})
    for parameters in sources:
        for name, value in parameters.items():
            if not valid_text(name):
                raise _not_unicode("parameters")
            values = value if isinstance(value, list) else [value]
            if any(isinstance(v, str) and not valid_text(v) for v in values):
                raise _not_unicode(name)


def edge_checks(max_body_bytes: int, body_limits: Mapping[str, int]) -> Callable[..., Any]:
    """The middleware run before every route: body size, then parameters' text."""

    def middleware(app: APIGatewayRestResolver, next_middleware: Callable[..., Any]) -> Any:
        event = app.current_event
        route = app.context.get("_route")
        limit = body_limits.get(getattr(route, "path", ""), max_body_bytes)
        size = body_size(event.body, bool(event.is_base64_encoded))
        if size > limit:
            raise ContentTooLarge(f"the request body has {size} bytes; this route takes at most "
                                  f"{limit}", field="body", extra={"max_bytes": limit})
        _check_parameters(event)
        return next_middleware(app)

    return middleware


def edge_limits(limiter: Limiter) -> Callable[..., Any]:
    """The middleware counting each request to a route of a limited class (429 over it)."""

    def middleware(app: APIGatewayRestResolver, next_middleware: Callable[..., Any]) -> Any:
        route = app.context.get("_route")
        if route is not None:
            event = app.current_event.raw_event
            principal = principal_from_event(event)
            limiter.check(route_of(route.method, route.path), event,
                          principal.subject if principal is not None else None)
        return next_middleware(app)

    return middleware


def make_resolver(*, cors_origin: str = "*", max_body_bytes: int = MAX_BODY_BYTES,
                  body_limits: Mapping[str, int] | None = None,
                  limiter: Limiter | None = None) -> APIGatewayRestResolver:
    """A REST resolver with CORS, UTF-8 JSON and the platform's problem mapping.

    Every route's body is limited to ``max_body_bytes``; ``body_limits`` raises (or lowers) it
    for a route, keyed by the route's path as declared (``"/v1/things/<id>"``). The route
    classes' limits are the infrastructure's (``EDGE_LIMITS``, read here) unless ``limiter``
    is given (the tests' own).
    """
    app = APIGatewayRestResolver(
        serializer=serialize,
        cors=CORSConfig(
            allow_origin=cors_origin,
            # X-Report-Secret: an anonymous report's secret (complaints, D12)
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key",
                           "X-Report-Secret"],
            expose_headers=["Retry-After"],
            max_age=600,
        ),
    )

    limiter = limiter or Limiter.from_environment()
    app.use(middlewares=[_refuse_expired_tokens,
                         *([edge_limits(limiter)] if limiter is not None else []),
                         edge_checks(max_body_bytes, dict(body_limits or {}))])

    @app.exception_handler(ProblemError)
    def _problem(error: ProblemError) -> Response[str]:
        return _logged_response(error)

    @app.exception_handler(domain.DomainError)
    def _domain(error: domain.DomainError) -> Response[str]:
        return _logged_response(problem_for(error))

    @app.not_found
    def _not_found(_: NotFoundError) -> Response[str]:
        event = app.current_event
        # the path as the client sent it, percent-encoded: no control or bidi character of it
        # reaches the problem body (or a log line reading it)
        path = urllib.parse.quote(event.path, safe="/-._~")
        return problem_response(NotFound(f"no route for {event.http_method} {path}"))

    @app.exception_handler(Exception)
    def _bug(error: Exception) -> Response[str]:
        if busy(error):  # a service's transient refusal: the client may send it again
            logger.warning("storage busy", extra={"code": aws_error_code(error)})
            return problem_response(problem_for(domain.Unavailable(
                "the platform's records are busy; nothing was written, send the request "
                "again", retry_after=1)))
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
    """The request body as a JSON object, or a 400 naming the body.

    The body is read as JSON whatever its ``Content-Type`` says (``curl -d`` sends
    ``application/x-www-form-urlencoded``); every string in it (keys too) must be valid
    Unicode text, else a 422 names where.
    """
    event = app.current_event
    raw = event.body
    if raw is None or raw == "":
        raise BadRequest("a JSON object body is required", field="body")
    text = raw
    if event.is_base64_encoded:
        try:
            text = base64.b64decode(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise _not_unicode("body") from None
        except ValueError:
            raise BadRequest("the request body is not valid base64", field="body") from None
    try:
        body = json.loads(text)
    except ValueError:
        raise BadRequest("the request body is not valid JSON", field="body") from None
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object", field="body")
    where = invalid_text_at(body)
    if where is not None:
        raise _not_unicode(where)
    return body


def parse_body[M: BaseModel](app: APIGatewayRestResolver, model: type[M]) -> M:
    """The request body as ``model``; 400 if it is not a JSON object, 422 naming the field."""
    return validate_body(json_body(app), model)


def validate_body[M: BaseModel](body: dict[str, Any], model: type[M]) -> M:
    """A body already read (:func:`json_body`) as ``model``; 422 naming the field.

    For a route that must read the body before it parses it (its idempotency key covers the
    body as sent, and a missing key is answered before a bad body). A model's validator may
    raise a domain error itself (:class:`etax.errors.Invalid` with the field it names): it
    reaches the client as it is.
    """
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise validation_problem(list(error.errors()), prefix=("body",)) from None


# What a route's code does not show the API's contract (scripts/openapi.py), kept on the route
# function under this attribute; read only when the contract is generated, never at run time.
CONTRACT = "__etax_contract__"


def declares[F: Callable[..., Any]](*, body: tuple[type[BaseModel], ...] = (),
                                    query: Mapping[str, str] | None = None,
                                    problems: tuple[int, ...] = (),
                                    headers: Mapping[str, str] | None = None
                                    ) -> Callable[[F], F]:
    """Declare, for the API's contract only, what a route reads that its code cannot show:
    the body's models when it picks one at run time (the contract otherwise reads the model
    from the route's own ``parse_body``/``validate_body``/``once.create`` call), its query
    parameters (name → what it means), the request headers it requires (name → what it means),
    and the problems it answers beyond those of its kind (a 404 for a thing its body names).
    Nothing changes when the route runs."""

    def mark(route: F) -> F:
        setattr(route, CONTRACT, {"body": body, "query": dict(query or {}),
                                  "problems": tuple(problems), "headers": dict(headers or {})})
        return route

    return mark
