"""The REST API: one stage with throttling defaults and JSON access logs, routes added by boards.

The API is a nested stack of the stage's stack (docs/decisions/0005): its resources, methods,
CORS preflights and Lambda permissions count against the nested template's 500-resource limit,
not the parent's. The functions stay in the parent; CDK passes their ARNs in as parameters.

API Gateway's own answers (no token, a refused token, an unknown path, throttling, a body over
its limit, …) are gateway responses set to the platform's problem+json shape (``type``,
``title``, ``status``, ``detail``, ``request_id``), like every answer of the functions
(``etax.platform.errors``); the local stack's plugin applies them too
(``scripts/localstack_plugin/etax_localstack/gateway_responses.py``).
"""

from __future__ import annotations

import json

from aws_cdk import Duration, NestedStack, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.nag import API_GATEWAY_LOGS_POLICY, acknowledge

API_STAGE = "api"  # URLs read {ApiUrl}/v1/...: the stage is not a version
THROTTLE_RATE = 1000  # requests per second, steady, per stage (methods may lower it)
THROTTLE_BURST = 2000
# API Gateway caches the authorizer's verdict per token for this long, whatever the token's exp;
# the functions check exp themselves (etax.platform.auth), this bounds what a verdict can outlive.
AUTHORIZER_CACHE_TTL = Duration.seconds(60)

# response type → (status, problem slug, title, detail); the slugs are etax.platform.errors'.
# The two defaults only catch types added after these were listed: their status is fixed so
# that the body says the status the client gets.
GATEWAY_PROBLEMS: dict[str, tuple[int, str, str, str]] = {
    "UNAUTHORIZED": (401, "unauthorized", "Unauthorized",
                     "sign in first: this route needs a valid bearer token"),
    "ACCESS_DENIED": (403, "forbidden", "Forbidden", "this token does not grant this route"),
    "EXPIRED_TOKEN": (403, "forbidden", "Forbidden", "the token has expired"),
    "INVALID_API_KEY": (403, "forbidden", "Forbidden", "the API key is not valid"),
    "INVALID_SIGNATURE": (403, "forbidden", "Forbidden", "the request signature is not valid"),
    "WAF_FILTERED": (403, "forbidden", "Forbidden", "the request was refused by the firewall"),
    "MISSING_AUTHENTICATION_TOKEN": (404, "not-found", "Not found",
                                     "no route for this method and path"),
    "RESOURCE_NOT_FOUND": (404, "not-found", "Not found", "no such resource"),
    "BAD_REQUEST_BODY": (400, "bad-request", "Bad request", "the request body is not valid"),
    "BAD_REQUEST_PARAMETERS": (400, "bad-request", "Bad request",
                               "the request parameters are not valid"),
    "REQUEST_TOO_LARGE": (413, "too-large", "Content too large", "the request is too large"),
    "UNSUPPORTED_MEDIA_TYPE": (415, "unsupported-media-type", "Unsupported media type",
                               "this content type is not accepted"),
    "THROTTLED": (429, "rate-limited", "Too many requests", "too many requests: slow down"),
    "QUOTA_EXCEEDED": (429, "rate-limited", "Too many requests", "the usage quota is used up"),
    "AUTHORIZER_FAILURE": (500, "internal", "Internal error", "the sign-in check failed"),
    "AUTHORIZER_CONFIGURATION_ERROR": (500, "internal", "Internal error",
                                       "the sign-in check failed"),
    "API_CONFIGURATION_ERROR": (500, "internal", "Internal error",
                                "the API is misconfigured; it has been logged"),
    "INTEGRATION_FAILURE": (504, "gateway-timeout", "Gateway timeout",
                            "the service did not answer"),
    "INTEGRATION_TIMEOUT": (504, "gateway-timeout", "Gateway timeout",
                            "the service did not answer in time"),
    "DEFAULT_4XX": (400, "bad-request", "Bad request", "$context.error.messageString"),
    "DEFAULT_5XX": (500, "internal", "Internal error", "$context.error.messageString"),
}
PROBLEM_HEADERS = {  # header values are literals in single quotes (API Gateway's mapping syntax)
    "Content-Type": "'application/problem+json'",
    "Access-Control-Allow-Origin": "'*'",
}


def gateway_problem_template(status: int, slug: str, title: str, detail: str) -> str:
    """The body mapping of one gateway response (simple substitution, not VTL, in AWS)."""
    # $context.error.messageString is API Gateway's own message, already a quoted JSON string
    quoted = detail if detail.startswith("$context.") else json.dumps(detail, ensure_ascii=False)
    return (f'{{"type":"urn:etax:problem:{slug}","title":{json.dumps(title)},"status":{status},'
            f'"detail":{quoted},"request_id":"$context.requestId"}}')


class Api(NestedStack):
    """The API's nested stack: RestApi, authorizer, deployment and stage, access logs, and one
    ``lambda:InvokeFunction`` permission per routed function (not one per method)."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: str, retain_logs: bool,
                 authorizer_function: lambda_.IFunction) -> None:
        super().__init__(scope, construct_id,
                         description=f"e-tax platform ({stage}): the REST API")
        access_logs = logs.LogGroup(
            self, "AccessLogs",
            retention=logs.RetentionDays.THREE_MONTHS,
            removal_policy=RemovalPolicy.RETAIN if retain_logs else RemovalPolicy.DESTROY,
        )
        self.rest_api = apigw.RestApi(
            self, "RestApi",
            rest_api_name=f"etax-{stage}",
            description="The e-tax platform's public API",
            binary_media_types=["application/pdf"],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.DESTROY,
            deploy_options=apigw.StageOptions(
                stage_name=API_STAGE,
                throttling_rate_limit=THROTTLE_RATE,
                throttling_burst_limit=THROTTLE_BURST,
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False, http_method=True, ip=True, protocol=True,
                    request_time=True, resource_path=True, response_length=True,
                    status=True, user=True,
                ),
                logging_level=apigw.MethodLoggingLevel.ERROR,
                metrics_enabled=True,
                tracing_enabled=True,
            ),
            default_cors_preflight_options=apigw.CorsOptions(
                allow_origins=apigw.Cors.ALL_ORIGINS,
                allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
                max_age=Duration.minutes(10),
            ),
        )
        # Referenced through an import in this stack, so that the authorizer's invoke
        # permission is made here too, next to the authorizer it is for.
        authorizer_handler = lambda_.Function.from_function_attributes(
            self, "AuthorizerFunction", function_arn=authorizer_function.function_arn,
            same_environment=True,
        )
        self.authorizer = apigw.TokenAuthorizer(
            self, "TokenAuthorizer",
            handler=authorizer_handler,
            identity_source=apigw.IdentitySource.header("Authorization"),
            results_cache_ttl=AUTHORIZER_CACHE_TTL,
        )
        for response_type, (status, slug, title, detail) in GATEWAY_PROBLEMS.items():
            headers = dict(PROBLEM_HEADERS)
            if status == 429:
                headers["Retry-After"] = "'1'"
            self.rest_api.add_gateway_response(
                f"Problem{response_type.title().replace('_', '')}",
                type=apigw.ResponseType.of(response_type),
                status_code=str(status),
                response_headers=headers,
                templates={"application/json": gateway_problem_template(status, slug, title,
                                                                        detail)},
            )
        self._integrations: dict[str, apigw.LambdaIntegration] = {}
        acknowledge(self.rest_api, "AwsSolutions-APIG2",
                    "handlers validate requests, answering problem+json that names the field")
        acknowledge(self.rest_api, "AwsSolutions-COG4",
                    "the Lambda authorizer verifies JWTs from Cognito or any OIDC issuer")
        acknowledge(self.rest_api, API_GATEWAY_LOGS_POLICY,
                    "the account-level role API Gateway needs to write access and error logs")
        acknowledge(self.rest_api, "AwsSolutions-APIG3",
                    "a WAF web ACL is attached per account by its platform engineers (README)")

    def routes(self, function: lambda_.IFunction, *routes: str,
               public: bool = False) -> list[apigw.Method]:
        """Serve each of ``routes`` (``"METHOD /path"``) with ``function``, as :meth:`route`."""
        methods = []
        for route in routes:
            method, path = route.split(" ", 1)
            methods.append(self.route(method, path, function, public=public))
        return methods

    def route(self, method: str, path: str, function: lambda_.IFunction, *,
              public: bool = False) -> apigw.Method:
        """Serve ``method path`` with ``function``; signed-in callers only unless ``public``."""
        resource = self.rest_api.root.resource_for_path(path)
        # One permission per function for the whole API (source arn <api-id>/*/*/*), made in
        # the RestApi's scope, so in this nested stack, on the function's first route only.
        integration = self._integrations.setdefault(
            function.node.path,
            apigw.LambdaIntegration(function, scope_permission_to_method=False),
        )
        if public:
            public_method = resource.add_method(method, integration,
                                                authorization_type=apigw.AuthorizationType.NONE)
            acknowledge(public_method, "AwsSolutions-APIG4",
                        "a public route of the plan (no sign-in), throttled like every route")
            return public_method
        return resource.add_method(method, integration, authorizer=self.authorizer,
                                   authorization_type=apigw.AuthorizationType.CUSTOM)
