"""The REST API: one stage with throttling defaults and JSON access logs, routes added by boards.

The API is a nested stack of the stage's stack (docs/decisions/0005): its resources, methods,
CORS preflights and Lambda permissions count against the nested template's 500-resource limit,
not the parent's. The methods under the paths of :data:`SECOND_PART` are in a nested stack of
the API's own (:class:`ApiPart`), so that neither template nears the limit; the RestApi, its
authorizer, deployment, stage and the functions' permissions stay in the API's stack, and the
deployment waits for the part and is made anew when one of its routes changes.

A CORS preflight (OPTIONS) is made only on a path that serves a route a browser asks about
first: a signed-in route, or a public one with a body; a public GET is a "simple" request when
sent with safelisted headers only (the portal sends ``Accept`` alone), and a bare path segment
such as ``/v1/credit`` serves nothing. The functions stay in the parent; CDK passes their ARNs
in as parameters.

API Gateway's own answers (no token, a refused token, an unknown path, throttling, a body over
its limit, …) are gateway responses set to the platform's problem+json shape (``type``,
``title``, ``status``, ``detail``, ``request_id``), like every answer of the functions
(``etax.platform.errors``); the local stack's plugin applies them too
(``scripts/localstack_plugin/etax_localstack/gateway_responses.py``).

The public paths are protected in layers (docs/decisions/0016), from the one table of route
classes in :mod:`infra.platform.edge`: a per-method throttle for each classified route on every
stage; outside ``local`` also the WAF web ACL (:mod:`infra.platform.waf`; LocalStack has no
WAF: there the functions count the classes' figures themselves, :mod:`infra.platform.limits`),
the cache for caller-independent GETs, and usage plans with one API key per partner on the
partners' routes. The endpoint is REGIONAL on every stage (China regions have no
edge-optimized endpoints).
"""

from __future__ import annotations

import json
import re

import jsii
from aws_cdk import Duration, NestedStack, RemovalPolicy
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct, IValidation

from infra.config import LOCAL
from infra.nag import acknowledge
from infra.platform.edge import ROUTE_CLASSES, RouteClass, route_class
from infra.platform.functions import live, serves_routes
from infra.platform.limits import EdgeLimits
from infra.platform.waf import ApiFirewall

API_STAGE = "api"  # URLs read {ApiUrl}/v1/...: the stage is not a version
THROTTLE_RATE = 1000  # requests per second, steady, per method unless its class says otherwise
THROTTLE_BURST = 2000
CACHE_CLUSTER_SIZE = "0.5"  # GB, the smallest: the cached answers are a few kilobytes each
LOGGING_LEVEL = apigw.MethodLoggingLevel.ERROR
# API Gateway caches the authorizer's verdict per token for this long, whatever the token's exp;
# the functions check exp themselves (etax.platform.auth), this bounds what a verdict can outlive.
AUTHORIZER_CACHE_TTL = Duration.seconds(60)
LOCAL_ROUTE_TIMEOUT_SECONDS = 29
"""On the local stage, a function serving routes may run as long as API Gateway waits (29 s),
whatever its own timeout: there one machine's cores run LocalStack, its pollers and every
function's cold start at once (fifty lottery scans start sixteen), and a cold start there is
no measure of one in the cloud, where the function keeps its own (docs/benchmarks.md)."""

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
CORS_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "X-Report-Secret"]
CORS_MAX_AGE = Duration.minutes(10)
"""the CORS preflight (OPTIONS) of a path a browser asks about first: any origin, these
headers"""
# The paths whose methods are in the second part of the API (:class:`ApiPart`): whole boards,
# so that a board's function is integrated from one template. A path moves from one part to
# the other only in two deployments (removed, then added): API Gateway refuses a second
# resource of the same path while the first still exists.
SECOND_PART: tuple[str, ...] = (
    "/v1/credit", "/v1/me/credit", "/v1/violators", "/v1/complaints", "/v1/me/complaints",
    "/v1/subscriptions", "/v1/me/subscriptions", "/v1/mailings", "/v1/risk-warnings",
    "/v1/me/risk-warnings", "/v1/feedback", "/v1/me/feedback", "/v1/surveys",
    "/v1/analytics", "/v1/consents", "/v1/me/consents", "/v1/partner", "/v1/open-data",
    "/v1/ideas", "/v1/me/ideas", "/v1/school", "/v1/me/school", "/v1/apps", "/v1/me/apps",
)
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
                 authorizer_function: lambda_.IFunction,
                 limits: EdgeLimits | None = None) -> None:
        # the partners' usage plans and keys are made in ``scope`` (the parent stack): they
        # name the stage but are no part of its deployment, and the API's own template is
        # the one near CloudFormation's 500 resources
        super().__init__(scope, construct_id,
                         description=f"e-tax platform ({stage}): the REST API")
        self.local = stage == LOCAL
        self.limits = limits  # on local, where no WAF counts the classes' requests
        cached = [c for c in ROUTE_CLASSES if c.cache_seconds and not self.local]
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
            endpoint_types=[apigw.EndpointType.REGIONAL],
            cloud_watch_role=False,  # the account's, in its own stack (infra/account.py)
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
                logging_level=LOGGING_LEVEL,
                metrics_enabled=True,
                tracing_enabled=True,
                method_options=self._method_options(),
                cache_cluster_enabled=bool(cached) or None,
                cache_cluster_size=CACHE_CLUSTER_SIZE if cached else None,
            ),
        )
        self._preflights: set[str] = set()
        # Referenced through an import in this stack, so that the authorizer's invoke
        # permission is made here too, next to the authorizer it is for.
        authorizer_handler = lambda_.Function.from_function_attributes(
            self, "AuthorizerFunction", function_arn=live(authorizer_function).function_arn,
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
        self._integrations: dict[str, apigw.Integration] = {}
        acknowledge(self.rest_api, "AwsSolutions-APIG2",
                    "handlers validate requests, answering problem+json that names the field")
        acknowledge(self.rest_api, "AwsSolutions-COG4",
                    "the Lambda authorizer verifies JWTs from Cognito or any OIDC issuer")
        if self.local:
            acknowledge(self.rest_api, "AwsSolutions-APIG3",
                        "LocalStack has no WAF: the web ACL is made on every other stage")
            self.firewall: ApiFirewall | None = None
        else:
            self.firewall = ApiFirewall(self, "Firewall", stage=stage,
                                        stage_arn=self.rest_api.deployment_stage.stage_arn)
        self.partner_plans = [] if self.local else self._partner_plans(scope)
        self._routed: set[str] = set()
        self.node.add_validation(_EveryClassifiedRouteServed(self._routed))
        self.second_part = ApiPart(self, "Routes", stage=stage)
        deployment = self.rest_api.latest_deployment
        assert deployment is not None
        deployment.node.add_dependency(self.second_part)

    def routes(self, function: lambda_.IFunction, *routes: str, public: bool = False,
               own_headers: bool = False) -> list[apigw.Method]:
        """Serve each of ``routes`` (``"METHOD /path"``) with ``function``, as :meth:`route`."""
        methods = []
        for route in routes:
            method, path = route.split(" ", 1)
            methods.append(self.route(method, path, function, public=public,
                                      own_headers=own_headers))
        return methods

    def route(self, method: str, path: str, function: lambda_.IFunction, *,
              public: bool = False, own_headers: bool = False) -> apigw.Method:
        """Serve ``method path`` with ``function``; signed-in callers only unless ``public``.
        ``own_headers``: the route reads a request header of its own (one of
        :data:`CORS_HEADERS`), so even a public GET is not a simple request."""
        part = self.second_part if second_part(path) else None
        resource = part.resource(path) if part else self.rest_api.root.resource_for_path(path)
        simple = public and method == "GET" and not own_headers
        if path not in self._preflights and not simple:
            # a browser asks first only before a request that is not "simple": one signed in
            # (Authorization), with a JSON body or an Idempotency-Key. A public GET sent with
            # safelisted headers alone is simple, and a bare path segment serves nothing, so
            # neither has a preflight (the API's stack stays inside its resource limit)
            self._preflights.add(path)
            resource.add_cors_preflight(allow_origins=apigw.Cors.ALL_ORIGINS,
                                        allow_headers=CORS_HEADERS, max_age=CORS_MAX_AGE)
            self._redeploy_on(part, "OPTIONS", path)
        if isinstance(function, lambda_.Function):
            serves_routes(function)
            cfn = function.node.default_child
            if self.local and isinstance(cfn, lambda_.CfnFunction) and (
                    not isinstance(cfn.timeout, int) or cfn.timeout < LOCAL_ROUTE_TIMEOUT_SECONDS):
                cfn.timeout = LOCAL_ROUTE_TIMEOUT_SECONDS
        integration = self._integration(function)
        route_class_ = route_class(method, path)
        if route_class_ is not None:
            self._routed.add(f"{method} {path}")
            if self.limits is not None:
                self.limits.serve(function, route_class_)
        elif public and not self.local:
            raise ValueError(f"public route {method} {path} has no class in "
                             "infra/platform/edge.py (its throttle, WAF rule and cache)")
        if not public:
            self._redeploy_on(part, method, path, function.node.path)
            signed_in = resource.add_method(
                method, integration, authorization_type=apigw.AuthorizationType.CUSTOM,
                authorizer=part.authorizer if part else self.authorizer)
            if part:
                part.methods.append(signed_in)
            return signed_in
        partner = route_class_ is not None and bool(route_class_.partners) and not self.local
        cached = (route_class_ is not None and route_class_.cache_seconds > 0
                  and method == "GET" and not self.local)
        self._redeploy_on(part, method, path, function.node.path, "public",
                          "key" if partner else "", "cached" if cached else "")
        parameters = [f"method.request.path.{name}" for name in _path_parameters(path)]
        public_method = resource.add_method(
            method, integration, authorization_type=apigw.AuthorizationType.NONE,
            api_key_required=partner or None,
            request_parameters=dict.fromkeys(parameters, True) if cached and parameters else None)
        if cached and parameters:  # one cache entry per campaign, not one for them all
            cfn_method = public_method.node.default_child
            assert isinstance(cfn_method, apigw.CfnMethod)
            cfn_method.add_property_override("Integration.CacheKeyParameters", parameters)
        if part:
            part.methods.append(public_method)
        acknowledge(public_method, "AwsSolutions-APIG4",
                    "a public route of the plan (no sign-in): its class's per-method throttle "
                    "and, outside local, WAF rate rule (infra/platform/edge.py)")
        return public_method

    @property
    def methods(self) -> list[apigw.Method]:
        """Every method of the API, in both parts."""
        return [*self.rest_api.methods, *self.second_part.methods]

    def _integration(self, function: lambda_.IFunction) -> apigw.Integration:
        """The Lambda proxy integration of ``function``'s ``live`` alias, and on its first
        route the function's one permission for the whole API (source arn
        ``<api-id>/*/*/*``), made in this stack whichever part serves its routes."""
        integration = self._integrations.get(function.node.path)
        if integration is None:
            target = live(function)
            target.add_permission(
                f"ApiPermission{len(self._integrations)}",
                principal=iam.ServicePrincipal("apigateway.amazonaws.com"),
                source_arn=self.rest_api.arn_for_execute_api(), scope=self)
            integration = apigw.AwsIntegration(
                service="lambda", proxy=True,
                path=f"2015-03-31/functions/{target.function_arn}/invocations")
            self._integrations[function.node.path] = integration
        return integration

    def _redeploy_on(self, part: ApiPart | None, *route: str) -> None:
        """A method of the second part counts in the deployment's logical id (the RestApi
        counts its own): a changed route there makes a new deployment too."""
        if part is not None:
            deployment = self.rest_api.latest_deployment
            assert deployment is not None
            deployment.add_to_logical_id({"second part": list(route)})

    def _partner_plans(self, scope: Construct) -> list[apigw.UsagePlan]:
        """One usage plan per partner class, with one API key per partner: the plan's throttle
        applies to each key, on the only routes that require a key (its class's)."""
        plans = []
        for route_class_ in ROUTE_CLASSES:
            if not route_class_.partners:
                continue
            plan = apigw.UsagePlan(
                scope, f"{route_class_.name}Plan",
                name=f"{self.rest_api.rest_api_name}-{route_class_.name}",
                description=f"Partners calling {', '.join(route_class_.routes)}: one API key "
                            "each, throttled per key",
                throttle=apigw.ThrottleSettings(rate_limit=route_class_.partner_rate,
                                                burst_limit=route_class_.partner_burst),
                api_stages=[apigw.UsagePlanPerApiStage(api=self.rest_api,
                                                       stage=self.rest_api.deployment_stage)])
            for partner in route_class_.partners:
                key_id = "".join(p.capitalize() for p in partner.split("_"))
                plan.add_api_key(apigw.ApiKey(
                    scope, f"{route_class_.name}{key_id}Key",
                    api_key_name=f"{self.rest_api.rest_api_name}-{partner}",
                    description=f"The {partner} partner's key ({route_class_.name})"))
            plans.append(plan)
        return plans

    def _method_options(self) -> dict[str, apigw.MethodDeploymentOptions]:
        """The per-method settings of every classified route: its class's throttle, the
        stage's logging and metrics, and (outside ``local``) the cache for cached GETs."""
        options = {}
        for route_class_ in ROUTE_CLASSES:
            for route in route_class_.routes:
                method, path = route.split(" ", 1)
                options[f"{path}/{method}"] = self._method_option(route_class_, method)
        return options

    def _method_option(self, route_class_: RouteClass,
                       method: str) -> apigw.MethodDeploymentOptions:
        cached = route_class_.cache_seconds > 0 and method == "GET" and not self.local
        return apigw.MethodDeploymentOptions(
            throttling_rate_limit=route_class_.rate,
            throttling_burst_limit=route_class_.burst,
            logging_level=LOGGING_LEVEL,
            metrics_enabled=True,
            caching_enabled=True if cached else None,
            cache_ttl=Duration.seconds(route_class_.cache_seconds) if cached else None,
            cache_data_encrypted=True if cached else None,
        )


def _path_parameters(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


@jsii.implements(IValidation)
class _EveryClassifiedRouteServed:
    """Fails the synth when a route of ``infra.platform.edge`` is not served: its method
    settings would name a method the API does not have."""

    def __init__(self, routed: set[str]) -> None:
        self.routed = routed

    def validate(self) -> list[str]:
        return [f"{route} has a class in infra/platform/edge.py but no route"
                for c in ROUTE_CLASSES for route in c.routes if route not in self.routed]


def second_part(path: str) -> bool:
    """Whether ``path``'s methods are in the second part of the API (:data:`SECOND_PART`)."""
    return any(path == prefix or path.startswith(prefix + "/") for prefix in SECOND_PART)


class ApiPart(NestedStack):
    """The methods under the paths of :data:`SECOND_PART`, on the API imported by its id: a
    path's resources above its part's prefix are the API stack's (``/v1``, ``/v1/me``),
    imported here once each; from the prefix down they are this stack's."""

    def __init__(self, api: Api, construct_id: str, *, stage: str) -> None:
        super().__init__(api, construct_id,
                         description=f"e-tax platform ({stage}): the REST API's second part")
        self.api = api
        self.rest_api = apigw.RestApi.from_rest_api_attributes(
            self, "RestApi", rest_api_id=api.rest_api.rest_api_id,
            root_resource_id=api.rest_api.rest_api_root_resource_id)
        self.authorizer = _AuthorizerOf(api.authorizer.authorizer_id)
        self.methods: list[apigw.Method] = []
        acknowledge(self, "AwsSolutions-APIG2",
                    "handlers validate requests, answering problem+json that names the field")
        acknowledge(self, "AwsSolutions-COG4",
                    "the Lambda authorizer verifies JWTs from Cognito or any OIDC issuer")
        self._imported: dict[str, apigw.IResource] = {}

    def resource(self, path: str) -> apigw.IResource:
        [prefix] = [p for p in SECOND_PART if path == p or path.startswith(p + "/")]
        above = prefix.rsplit("/", 1)[0]
        base = self._imported.get(above)
        if base is None:
            owned = self.api.rest_api.root.resource_for_path(above)
            base = apigw.Resource.from_resource_attributes(
                self, "Resource" + "".join(w.capitalize() for w in re.split(r"\W+", above)),
                resource_id=owned.resource_id, rest_api=self.rest_api, path=above)
            self._imported[above] = base
        return base.resource_for_path(path[len(above) + 1:])


@jsii.implements(apigw.IAuthorizer)
class _AuthorizerOf:
    """The API stack's token authorizer, named by its id in the second part (CDK attaches an
    ``Authorizer`` object to one RestApi, and the part's is an import)."""

    def __init__(self, authorizer_id: str) -> None:
        self._authorizer_id = authorizer_id

    @property
    def authorizer_id(self) -> str:
        return self._authorizer_id

    @property
    def authorization_type(self) -> apigw.AuthorizationType:
        return apigw.AuthorizationType.CUSTOM
