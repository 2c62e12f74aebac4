"""The REST API: one stage with throttling defaults and JSON access logs, routes added by boards.

The API is a nested stack of the stage's stack (docs/decisions/0005): its resources, methods,
CORS preflights and Lambda permissions count against the nested template's 500-resource limit,
not the parent's. The functions stay in the parent; CDK passes their ARNs in as parameters.
"""

from __future__ import annotations

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
        self._integrations: dict[str, apigw.LambdaIntegration] = {}
        acknowledge(self.rest_api, "AwsSolutions-APIG2",
                    "handlers validate requests, answering problem+json that names the field")
        acknowledge(self.rest_api, "AwsSolutions-COG4",
                    "the Lambda authorizer verifies JWTs from Cognito or any OIDC issuer")
        acknowledge(self.rest_api, API_GATEWAY_LOGS_POLICY,
                    "the account-level role API Gateway needs to write access and error logs")
        acknowledge(self.rest_api, "AwsSolutions-APIG3",
                    "a WAF web ACL is attached per account by its platform engineers (README)")

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
