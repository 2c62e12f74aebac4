"""CloudFormation resource provider for ``AWS::ApiGateway::Authorizer``.

The community build has none, so a stack with an API Gateway Lambda authorizer (what CDK's
``TokenAuthorizer``/``RequestAuthorizer`` synthesize) rolls back. This provider creates, updates
and deletes the authorizer through the apigateway API. Its physical id is the ``AuthorizerId``
(LocalStack's CloudFormation engine already maps this type's ``Ref`` to that property), and
``Fn::GetAtt <Authorizer>.AuthorizerId`` reads the same value from the resource model.
"""

from __future__ import annotations

from typing import Any, TypedDict

from botocore.exceptions import ClientError
from localstack.services.cloudformation.resource_provider import (
    CloudFormationResourceProviderPlugin,
    OperationStatus,
    ProgressEvent,
    ResourceProvider,
    ResourceRequest,
)

RESOURCE_TYPE = "AWS::ApiGateway::Authorizer"


class AuthorizerProperties(TypedDict, total=False):
    """The resource's properties as CloudFormation passes them."""

    RestApiId: str
    AuthorizerId: str
    Name: str
    Type: str
    AuthType: str
    AuthorizerCredentials: str
    AuthorizerResultTtlInSeconds: int
    AuthorizerUri: str
    IdentitySource: str
    IdentityValidationExpression: str
    ProviderARNs: list[str]


# CloudFormation property -> (create_authorizer parameter, patch path of update_authorizer)
SCALAR_FIELDS: dict[str, tuple[str, str]] = {
    "Name": ("name", "/name"),
    "Type": ("type", "/type"),
    "AuthType": ("authType", "/authType"),
    "AuthorizerCredentials": ("authorizerCredentials", "/authorizerCredentials"),
    "AuthorizerResultTtlInSeconds": (
        "authorizerResultTtlInSeconds",
        "/authorizerResultTtlInSeconds",
    ),
    "AuthorizerUri": ("authorizerUri", "/authorizerUri"),
    "IdentitySource": ("identitySource", "/identitySource"),
    "IdentityValidationExpression": (
        "identityValidationExpression",
        "/identityValidationExpression",
    ),
}

SCHEMA: dict[str, Any] = {
    "typeName": RESOURCE_TYPE,
    "description": "An API Gateway REST API authorizer (Lambda TOKEN/REQUEST or Cognito).",
    "additionalProperties": False,
    "properties": {
        "RestApiId": {"type": "string"},
        "AuthorizerId": {"type": "string"},
        "Name": {"type": "string"},
        "Type": {"type": "string", "enum": ["TOKEN", "REQUEST", "COGNITO_USER_POOLS"]},
        "AuthType": {"type": "string"},
        "AuthorizerCredentials": {"type": "string"},
        "AuthorizerResultTtlInSeconds": {"type": "integer"},
        "AuthorizerUri": {"type": "string"},
        "IdentitySource": {"type": "string"},
        "IdentityValidationExpression": {"type": "string"},
        "ProviderARNs": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    },
    "required": ["RestApiId", "Type", "Name"],
    # ProviderARNs (Cognito) cannot be patched through LocalStack's apigateway API, so a change
    # replaces the authorizer; the engine then hands the new AuthorizerId to the methods.
    "createOnlyProperties": ["/properties/RestApiId", "/properties/ProviderARNs"],
    "readOnlyProperties": ["/properties/AuthorizerId"],
    "primaryIdentifier": ["/properties/RestApiId", "/properties/AuthorizerId"],
}


def api_value(prop: str, value: Any) -> Any:
    """Convert a template value to the API's type (templates often carry numbers as strings)."""
    if prop == "AuthorizerResultTtlInSeconds":
        return int(value)
    return str(value)


def create_parameters(model: AuthorizerProperties) -> dict[str, Any]:
    """The ``create_authorizer`` arguments for a desired state."""
    params: dict[str, Any] = {"restApiId": model["RestApiId"]}
    for prop, (param, _path) in SCALAR_FIELDS.items():
        value = model.get(prop)
        if value is not None and value != "":
            params[param] = api_value(prop, value)
    if model.get("ProviderARNs"):
        params["providerARNs"] = list(model["ProviderARNs"])
    return params


def patch_operations(
    previous: AuthorizerProperties, desired: AuthorizerProperties
) -> list[dict[str, str]]:
    """JSON-patch operations turning ``previous`` into ``desired`` (values are strings).

    ``ProviderARNs`` is create-only here (see ``SCHEMA``), so only scalar fields are patched.
    """
    operations: list[dict[str, str]] = []
    for prop, (_param, path) in SCALAR_FIELDS.items():
        before, after = previous.get(prop), desired.get(prop)
        if before == after:
            continue
        if after is None or after == "":
            operations.append({"op": "remove", "path": path})
        else:
            operations.append({"op": "replace", "path": path, "value": str(after)})
    return operations


def authorizer_key(model: AuthorizerProperties) -> dict[str, str]:
    """The apigateway parameters naming the authorizer of ``model``."""
    return {"restApiId": model["RestApiId"], "authorizerId": model["AuthorizerId"]}


def is_not_found(error: ClientError) -> bool:
    """Whether the apigateway call failed because the API or authorizer is already gone."""
    return error.response.get("Error", {}).get("Code") in ("NotFoundException", "404")


# Without LocalStack installed (the project-wide mypy run) its base classes are ``Any``.
class ApiGatewayAuthorizerProvider(ResourceProvider[AuthorizerProperties]):  # type: ignore[misc, unused-ignore]
    """Create/read/update/delete ``AWS::ApiGateway::Authorizer`` through the apigateway API."""

    TYPE = RESOURCE_TYPE
    SCHEMA = SCHEMA

    def create(
        self, request: ResourceRequest[AuthorizerProperties]
    ) -> ProgressEvent[AuthorizerProperties]:
        """Create the authorizer; ``AuthorizerId`` becomes the physical id (``Ref``)."""
        model = request.desired_state
        apigateway = request.aws_client_factory.apigateway
        response = apigateway.create_authorizer(**create_parameters(model))
        model["AuthorizerId"] = response["id"]
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)

    def read(
        self, request: ResourceRequest[AuthorizerProperties]
    ) -> ProgressEvent[AuthorizerProperties]:
        """Describe the deployed authorizer in CloudFormation's property names."""
        model = request.desired_state
        apigateway = request.aws_client_factory.apigateway
        current = apigateway.get_authorizer(**authorizer_key(model))
        described: AuthorizerProperties = {
            "RestApiId": model["RestApiId"],
            "AuthorizerId": current["id"],
        }
        for prop, (param, _path) in SCALAR_FIELDS.items():
            if param in current:
                described[prop] = current[param]  # type: ignore[literal-required]
        if current.get("providerARNs"):
            described["ProviderARNs"] = list(current["providerARNs"])
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=described)

    def update(
        self, request: ResourceRequest[AuthorizerProperties]
    ) -> ProgressEvent[AuthorizerProperties]:
        """Patch the authorizer in place (a new ``RestApiId`` is a replacement, not an update)."""
        model = request.desired_state
        previous: AuthorizerProperties = {}
        if request.previous_state:
            previous = request.previous_state
        model["AuthorizerId"] = previous["AuthorizerId"]
        operations = patch_operations(previous, model)
        if operations:
            request.aws_client_factory.apigateway.update_authorizer(
                **authorizer_key(model), patchOperations=operations
            )
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model=model)

    def delete(
        self, request: ResourceRequest[AuthorizerProperties]
    ) -> ProgressEvent[AuthorizerProperties]:
        """Delete the authorizer; an already deleted API or authorizer counts as done."""
        model = request.desired_state
        apigateway = request.aws_client_factory.apigateway
        try:
            apigateway.delete_authorizer(**authorizer_key(model))
        except ClientError as error:
            if not is_not_found(error):
                raise
        return ProgressEvent(status=OperationStatus.SUCCESS, resource_model={})


class ApiGatewayAuthorizerProviderPlugin(CloudFormationResourceProviderPlugin):  # type: ignore[misc, unused-ignore]
    """Registers the provider under the resource type name LocalStack looks up."""

    name = RESOURCE_TYPE

    def __init__(self) -> None:
        self.factory: type[ResourceProvider[AuthorizerProperties]] | None = None

    def load(self) -> None:
        self.factory = ApiGatewayAuthorizerProvider
