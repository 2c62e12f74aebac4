"""API Gateway's own answers as a real account gives them: gateway responses and raw bodies.

1. **Gateway responses.** LocalStack's next-gen REST gateway picks a configured gateway
   response's status code but answers its own ``{"message": …}`` body with
   ``Content-Type: application/json``: it applies neither ``responseTemplates`` nor
   ``responseParameters``. An ``on_infra_start`` hook wraps the gateway exception handler's
   ``create_exception_response`` so that the ``application/json`` template is rendered and the
   ``gatewayresponse.header.*`` parameters are set. Templates of gateway responses are simple
   substitution in AWS (no VTL): ``$context.<name>``, ``$context.error.<name>``
   (``messageString`` is the message as a quoted JSON string) and ``$stageVariables.<name>``.
2. **Request bodies.** API Gateway hands a Lambda proxy integration the body as it came,
   whatever its ``Content-Type``. LocalStack parses an ``application/x-www-form-urlencoded``
   body (``curl -d`` sends that type) as a form and hands on a re-encoding of the form, so a
   JSON body sent that way arrives mangled (``{"a": 1}`` becomes ``%7B%22a%22%3A+1%7D=``). A
   handler early in LocalStack's request chain keeps the raw bytes of such execute-api
   requests, and one in the REST gateway's ``modify_request`` puts them back as the body.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from localstack.aws import handlers as aws_handlers
from localstack.runtime import hooks
from localstack.services.apigateway.next_gen.execute_api import handlers
from localstack.services.apigateway.next_gen.execute_api.gateway_response import (
    get_gateway_response_or_default,
)

LOG = logging.getLogger(__name__)

RAW_BODY = "etax.raw_body"  # the WSGI environ key the raw body is kept under
FORM = "application/x-www-form-urlencoded"
HEADER_PARAMETER = "gatewayresponse.header."
_VARIABLE = re.compile(r"\$(context|stageVariables)((?:\.[A-Za-z0-9_]+)+)")


def render_template(template: str, context_variables: dict[str, Any],
                    stage_variables: dict[str, Any] | None = None) -> str:
    """A gateway response's body mapping with its variables substituted (missing → empty)."""

    def value(match: re.Match[str]) -> str:
        names = match.group(2).lstrip(".").split(".")
        current: Any = context_variables if match.group(1) == "context" else (
            stage_variables or {})
        for name in names:
            current = current.get(name) if isinstance(current, dict) else None
        if names == ["error", "messageString"]:
            return json.dumps("" if current is None else str(current))
        return "" if current is None else str(current)

    return _VARIABLE.sub(value, template)


def header_values(parameters: dict[str, str] | None) -> dict[str, str]:
    """The static headers of ``gatewayresponse.header.<Name>: "'value'"`` parameters."""
    headers: dict[str, str] = {}
    for key, raw in (parameters or {}).items():
        if not key.startswith(HEADER_PARAMETER):
            continue
        if len(raw) >= 2 and raw.startswith("'") and raw.endswith("'"):
            headers[key[len(HEADER_PARAMETER):]] = raw[1:-1]
        else:  # request parameters (method.request.*) are not needed by this project
            LOG.debug("gateway response parameter %s=%s not applied", key, raw)
    return headers


def apply_gateway_response(response: Any, exception: Any, context: Any) -> Any:
    """``response`` with the configured gateway response's template and headers applied."""
    deployment = getattr(context, "deployment", None)
    if response is None or deployment is None or exception.type is None:
        return response
    responses = deployment.rest_api.gateway_responses
    if not responses:  # none configured: LocalStack's own answer is API Gateway's default
        return response
    configured = get_gateway_response_or_default(exception.type, responses)
    template = (configured.get("responseTemplates") or {}).get("application/json")
    if template:
        variables = dict(context.context_variables or {})
        response.set_data(render_template(template, variables,
                                          dict(context.stage_variables or {})).encode())
    for name, value in header_values(configured.get("responseParameters")).items():
        response.headers[name] = value
    return response


def keep_raw_form_body(chain: Any, context: Any, response: Any) -> None:
    """Main chain, before anything parses the form: keep an execute-api form body's bytes."""
    request = context.request
    if request.method not in ("POST", "PUT", "PATCH") or request.mimetype != FORM:
        return
    if "/_aws/execute-api/" not in request.path and ".execute-api." not in (request.host or ""):
        return
    request.environ[RAW_BODY] = request.get_data(cache=True)


def restore_raw_body(chain: Any, context: Any, response: Any) -> None:
    """REST gateway chain: the body as the client sent it, not LocalStack's re-encoded form."""
    raw = context.request.environ.get(RAW_BODY)
    if raw is not None and context.invocation_request is not None:
        context.invocation_request["body"] = raw


@hooks.on_infra_start()  # type: ignore[untyped-decorator]
def register_gateway_responses() -> None:
    """Wrap the gateway exception handler once, and put the body handlers in their chains."""
    handler = handlers.gateway_exception_handler
    if not getattr(handler, "_etax_gateway_responses", False):
        original = handler.create_exception_response

        def create_exception_response(exception: Any, context: Any) -> Any:
            return apply_gateway_response(original(exception, context), exception, context)

        handler.create_exception_response = create_exception_response
        handler._etax_gateway_responses = True
    if keep_raw_form_body not in aws_handlers.preprocess_request.handlers:
        aws_handlers.preprocess_request.append(keep_raw_form_body)
    if restore_raw_body not in handlers.modify_request.handlers:
        handlers.modify_request.append(restore_raw_body)
