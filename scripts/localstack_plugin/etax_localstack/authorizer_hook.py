"""Lambda authorizers evaluated on execute-api calls (the community build never calls them).

An ``on_infra_start`` hook appends ``LambdaAuthorizerHandler`` to the ``preprocess_request``
composite of LocalStack's next-gen REST API gateway, which runs after routing (the method and
its ``authorizationType`` are known) and before API-key validation and the integration. For a
``CUSTOM`` method the handler:

1. resolves the identity source(s); a missing one, or a token failing
   ``identityValidationExpression``, is a 401 without calling the Lambda;
2. returns a cached result for the same identity within ``authorizerResultTtlInSeconds``, or
   invokes the authorizer Lambda with the TOKEN or REQUEST event;
3. maps a function error ``Unauthorized`` to 401, any other failure or malformed output to 500,
   a policy that does not allow the ``methodArn`` to 403 (explicit or implicit deny wording);
4. on Allow, stores ``principalId``, the stringified ``context`` and ``integrationLatency`` in
   ``$context.authorizer`` - the ``requestContext`` LocalStack hands to an AWS_PROXY Lambda - and
   ``usageIdentifierKey`` as ``$context.identity.apiKey``.

Errors are LocalStack's gateway exceptions, so responses carry ``Content-Type: application/json``,
``x-amzn-ErrorType`` and any gateway response the API configured.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from typing import Any

from localstack.aws.api.apigateway import Authorizer
from localstack.aws.connect import connect_to
from localstack.runtime import hooks
from localstack.services.apigateway.next_gen.execute_api import handlers
from localstack.services.apigateway.next_gen.execute_api.context import RestApiInvocationContext
from localstack.services.apigateway.next_gen.execute_api.gateway_response import (
    AccessDeniedError,
    AuthorizerConfigurationError,
    UnauthorizedError,
)
from localstack.services.apigateway.next_gen.execute_api.header_utils import (
    build_multi_value_headers,
)
from localstack.services.apigateway.next_gen.execute_api.helpers import (
    get_lambda_function_arn_from_invocation_uri,
)
from localstack.utils.aws.arns import extract_region_from_arn
from localstack.utils.aws.client_types import ServicePrincipal

from .authorizer_policy import (
    EXPLICIT_DENY_MESSAGE,
    IMPLICIT_DENY_MESSAGE,
    AuthorizerCache,
    AuthorizerOutput,
    Decision,
    MalformedAuthorizerOutput,
    RequestView,
    evaluate_policy,
    identity_sources,
    method_arn,
    parse_authorizer_output,
    resolve_identity_source,
    token_is_valid,
)

LOG = logging.getLogger(__name__)

UNAUTHORIZED = "Unauthorized"


class LambdaAuthorizerHandler:
    """The gateway handler that authorizes ``CUSTOM`` methods with their Lambda authorizer."""

    def __init__(self) -> None:
        self.cache = AuthorizerCache()

    def __call__(
        self,
        chain: Any,
        context: RestApiInvocationContext,
        response: Any,
    ) -> None:
        """Authorize the request or raise the gateway error API Gateway would answer with.

        ``chain`` and ``response`` (rolo's handler chain and response) are not used: the
        outcome is either nothing (go on) or an exception the gateway renders.
        """
        method = context.resource_method or {}
        if method.get("authorizationType") != "CUSTOM":
            return
        assert context.deployment is not None
        authorizer = context.deployment.rest_api.authorizers.get(method.get("authorizerId") or "")
        if authorizer is None or authorizer.get("type") not in ("TOKEN", "REQUEST"):
            LOG.warning("method has no Lambda authorizer %s", method.get("authorizerId"))
            raise AuthorizerConfigurationError()
        arn = self.method_arn(context)
        output, latency_ms = self.authorize(context, authorizer, arn)
        decision = evaluate_policy(output.statements, arn)
        if decision is Decision.EXPLICIT_DENY:
            raise AccessDeniedError(EXPLICIT_DENY_MESSAGE)
        if decision is Decision.IMPLICIT_DENY:
            raise AccessDeniedError(IMPLICIT_DENY_MESSAGE)
        self.expose(context, output, latency_ms)

    @staticmethod
    def method_arn(context: RestApiInvocationContext) -> str:
        """The ARN of the invoked method, with the request path as API Gateway builds it."""
        request = context.invocation_request or {}
        return method_arn(
            str(context.region),
            str(context.account_id),
            str(context.api_id),
            str(context.stage),
            str(request.get("http_method", "")),
            str(request.get("path", "/")),
        )

    def authorize(
        self, context: RestApiInvocationContext, authorizer: Authorizer, arn: str
    ) -> tuple[AuthorizerOutput, int]:
        """The authorizer's validated output and the call's latency (0 when cached)."""
        view = request_view(context)
        identity = self.identity(authorizer, view)
        # without an identity there is no cache key: every request would share one result
        ttl = int(authorizer.get("authorizerResultTtlInSeconds") or 0) if identity else 0
        key = (str(context.api_id), str(context.stage), str(authorizer["id"]), *identity)
        if ttl > 0 and (cached := self.cache.get(key)) is not None:
            return cached, 0
        if authorizer["type"] == "TOKEN":
            event = {"type": "TOKEN", "authorizationToken": identity[0], "methodArn": arn}
        else:
            event = request_event(context, arn)
        started = time.perf_counter()
        output = self.invoke(context, authorizer, event)
        latency_ms = round((time.perf_counter() - started) * 1000)
        self.cache.put(key, output, ttl)
        return output, latency_ms

    @staticmethod
    def identity(authorizer: Authorizer, view: RequestView) -> list[str]:
        """The identity values; a missing or invalid identity is a 401 without a Lambda call."""
        sources = identity_sources(authorizer.get("identitySource"))
        if authorizer["type"] == "TOKEN":
            sources = sources[:1] or ["method.request.header.Authorization"]
        values = [resolve_identity_source(source, view) for source in sources]
        present = [value for value in values if value is not None]
        if len(present) != len(values):
            raise UnauthorizedError(UNAUTHORIZED)
        validation = authorizer.get("identityValidationExpression")
        if authorizer["type"] == "TOKEN" and not token_is_valid(present[0], validation):
            raise UnauthorizedError(UNAUTHORIZED)
        return present

    @staticmethod
    def invoke(
        context: RestApiInvocationContext, authorizer: Authorizer, event: dict[str, Any]
    ) -> AuthorizerOutput:
        """Call the authorizer Lambda and validate its answer."""
        uri = authorizer.get("authorizerUri")
        if not uri:
            raise AuthorizerConfigurationError()
        function_arn = get_lambda_function_arn_from_invocation_uri(uri)
        source_arn = (
            f"arn:aws:execute-api:{context.region}:{context.account_id}:{context.api_id}"
            f"/authorizers/{authorizer['id']}"
        )
        try:
            client = connect_to(region_name=extract_region_from_arn(function_arn)).lambda_
            result = client.request_metadata(
                service_principal=ServicePrincipal.apigateway, source_arn=source_arn
            ).invoke(
                FunctionName=function_arn,
                Payload=json.dumps(event).encode(),
                InvocationType="RequestResponse",
            )
            payload = json.loads(result["Payload"].read() or b"null")
        except Exception as exc:  # missing function, bad ARN, non-JSON: API Gateway answers 500
            LOG.warning("authorizer %s could not be invoked: %s", authorizer["id"], exc)
            raise AuthorizerConfigurationError() from exc
        if result.get("FunctionError"):
            message = payload.get("errorMessage") if isinstance(payload, dict) else None
            if message == UNAUTHORIZED:
                raise UnauthorizedError(UNAUTHORIZED)
            LOG.info("authorizer %s failed: %s", authorizer["id"], payload)
            raise AuthorizerConfigurationError()
        try:
            return parse_authorizer_output(payload)
        except MalformedAuthorizerOutput as exc:
            LOG.info("authorizer %s returned an invalid response: %s", authorizer["id"], exc)
            raise AuthorizerConfigurationError() from exc

    @staticmethod
    def expose(
        context: RestApiInvocationContext, output: AuthorizerOutput, latency_ms: int
    ) -> None:
        """Make the result visible as ``$context.authorizer`` (the proxy event's requestContext)."""
        variables = context.context_variables
        assert variables is not None
        variables["authorizer"] = {  # type: ignore[typeddict-item, unused-ignore]
            **output.context,
            "principalId": output.principal_id,
            "integrationLatency": latency_ms,
        }
        if output.usage_identifier_key is not None:
            identity = variables.get("identity")
            if identity is not None:
                identity["apiKey"] = output.usage_identifier_key


def request_view(context: RestApiInvocationContext) -> RequestView:
    """The request's headers, query, stage variables and ``$context`` for identity sources."""
    request = context.invocation_request or {}
    headers = request.get("headers")
    single = dict(headers.items()) if headers is not None else {}
    multi = build_multi_value_headers(headers) if headers is not None else {}
    return RequestView(
        headers=single,
        multi_value_headers=multi,
        query=request.get("query_string_parameters") or {},
        multi_value_query=request.get("multi_value_query_string_parameters") or {},
        stage_variables=context.stage_variables or {},
        context=dict(context.context_variables or {}),
    )


def request_event(context: RestApiInvocationContext, arn: str) -> dict[str, Any]:
    """The REQUEST authorizer event of a REST API (payload format 1.0)."""
    request = context.invocation_request or {}
    view = request_view(context)
    request_context = copy.deepcopy(dict(context.context_variables or {}))
    request_context.pop("authorizer", None)
    return {
        "type": "REQUEST",
        "methodArn": arn,
        "resource": (context.resource or {}).get("path"),
        "path": request.get("path"),
        "httpMethod": request.get("http_method"),
        "headers": dict(view.headers),
        "multiValueHeaders": dict(view.multi_value_headers),
        "queryStringParameters": dict(view.query),
        "multiValueQueryStringParameters": dict(view.multi_value_query),
        "pathParameters": request.get("path_parameters") or {},
        "stageVariables": dict(view.stage_variables),
        "requestContext": request_context,
    }


@hooks.on_infra_start()  # type: ignore[untyped-decorator]
def register_lambda_authorizers() -> None:
    """Put the authorizer handler into the execute-api chain once, before any request."""
    if not any(
        isinstance(h, LambdaAuthorizerHandler) for h in handlers.preprocess_request.handlers
    ):
        handlers.preprocess_request.append(LambdaAuthorizerHandler())
