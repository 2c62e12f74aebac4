"""API Gateway Lambda-authorizer rules that do not depend on LocalStack.

What API Gateway (REST APIs) does around a Lambda authorizer, written down as plain functions so
the execute-api hook stays a thin adapter: where the identity comes from, the ``methodArn``, how
the returned policy is judged (explicit ``Deny`` beats ``Allow``; ``*`` and ``?`` wildcards in
``Resource`` and ``Action``), which outputs are malformed, how the ``context`` map is flattened to
strings for the backend, and the per-identity result cache (``authorizerResultTtlInSeconds``).
"""

from __future__ import annotations

import enum
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

EXPLICIT_DENY_MESSAGE = "User is not authorized to access this resource with an explicit deny"
IMPLICIT_DENY_MESSAGE = "User is not authorized to access this resource"
INVOKE_ACTION = "execute-api:Invoke"
CACHE_MAX_ENTRIES = 10_000


class Decision(enum.Enum):
    """The outcome of judging a policy for one method ARN."""

    ALLOW = "allow"
    EXPLICIT_DENY = "explicit-deny"
    IMPLICIT_DENY = "implicit-deny"


class MalformedAuthorizerOutput(ValueError):
    """The authorizer returned something API Gateway rejects (answered with a 500)."""


@dataclass(frozen=True)
class RequestView:
    """The parts of an incoming request an identity source may name."""

    headers: Mapping[str, str]
    multi_value_headers: Mapping[str, Sequence[str]]
    query: Mapping[str, str]
    multi_value_query: Mapping[str, Sequence[str]]
    stage_variables: Mapping[str, str]
    context: Mapping[str, Any]

    def header(self, name: str) -> str | None:
        """Header lookup ignoring case, as HTTP and API Gateway do."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    def multi_value_header(self, name: str) -> Sequence[str] | None:
        """Multi-value header lookup ignoring case."""
        wanted = name.lower()
        return next((v for k, v in self.multi_value_headers.items() if k.lower() == wanted), None)


@dataclass(frozen=True)
class AuthorizerOutput:
    """A validated authorizer response."""

    principal_id: str
    statements: tuple[Mapping[str, Any], ...]
    context: Mapping[str, str] = field(default_factory=dict)
    usage_identifier_key: str | None = None


def method_arn(
    region: str, account: str, api_id: str, stage: str, http_method: str, path: str
) -> str:
    """``arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>``.

    ``path`` is the request path below the stage (``/items/7`` gives ``.../GET/items/7``).
    """
    return (
        f"arn:aws:execute-api:{region}:{account}:{api_id}/{stage}/{http_method.upper()}/"
        f"{path.lstrip('/')}"
    )


def identity_sources(expression: str | None) -> list[str]:
    """Split an ``identitySource`` such as ``method.request.header.A, stageVariables.b``."""
    return [part.strip() for part in (expression or "").split(",") if part.strip()]


def resolve_identity_source(source: str, request: RequestView) -> str | None:
    """The value an identity source names, or ``None`` when the request lacks it."""
    for prefix, lookup in (
        ("method.request.header.", request.header),
        ("method.request.querystring.", request.query.get),
        ("stageVariables.", request.stage_variables.get),
    ):
        if source.startswith(prefix):
            value = lookup(source.removeprefix(prefix))
            return value if value else None
    if source.startswith("method.request.multivalueheader."):
        values = request.multi_value_header(source.removeprefix("method.request.multivalueheader."))
        return ",".join(values) if values else None
    if source.startswith("method.request.multivaluequerystring."):
        name = source.removeprefix("method.request.multivaluequerystring.")
        values = request.multi_value_query.get(name)
        return ",".join(values) if values else None
    if source.startswith("context."):
        value = request.context.get(source.removeprefix("context."))
        return str(value) if value not in (None, "") else None
    return None


def token_is_valid(token: str, validation_expression: str | None) -> bool:
    """A TOKEN authorizer's ``identityValidationExpression`` must match the whole token."""
    if not validation_expression:
        return True
    return re.fullmatch(validation_expression, token) is not None


def wildcard_match(pattern: str, value: str) -> bool:
    """IAM-style match: ``*`` is any run of characters, ``?`` one character, case matters."""
    translated = "".join(
        ".*" if char == "*" else "." if char == "?" else re.escape(char) for char in pattern
    )
    return re.fullmatch(translated, value, flags=re.DOTALL) is not None


def as_list(value: Any) -> list[str]:
    """Policy fields hold a string or a list of strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def statement_applies(statement: Mapping[str, Any], arn: str) -> bool:
    """Whether a statement names ``execute-api:Invoke`` on ``arn`` (``Not*`` forms included)."""
    if "NotAction" in statement:
        action_ok = not any(
            wildcard_match(action.lower(), INVOKE_ACTION.lower())
            for action in as_list(statement["NotAction"])
        )
    else:
        action_ok = any(
            wildcard_match(action.lower(), INVOKE_ACTION.lower())
            for action in as_list(statement.get("Action", INVOKE_ACTION))
        )
    if "NotResource" in statement:
        resource_ok = not any(wildcard_match(r, arn) for r in as_list(statement["NotResource"]))
    else:
        resource_ok = any(wildcard_match(r, arn) for r in as_list(statement.get("Resource")))
    return action_ok and resource_ok


def evaluate_policy(statements: Sequence[Mapping[str, Any]], arn: str) -> Decision:
    """Judge a policy like IAM: an applicable ``Deny`` wins, then any applicable ``Allow``."""
    applicable = [s for s in statements if statement_applies(s, arn)]
    effects = {str(s.get("Effect", "")).lower() for s in applicable}
    if "deny" in effects:
        return Decision.EXPLICIT_DENY
    if "allow" in effects:
        return Decision.ALLOW
    return Decision.IMPLICIT_DENY


def stringify_context(context: Any) -> dict[str, str]:
    """Flatten the authorizer ``context`` the way API Gateway hands it to the backend.

    Values must be strings, numbers or booleans (booleans become ``"true"``/``"false"``);
    an object or array makes the whole output invalid, as in API Gateway. ``null`` is dropped.
    """
    if context is None:
        return {}
    if not isinstance(context, Mapping):
        raise MalformedAuthorizerOutput("context must be a map")
    flat: dict[str, str] = {}
    for key, value in context.items():
        if value is None:
            continue
        if isinstance(value, bool):
            flat[str(key)] = "true" if value else "false"
        elif isinstance(value, int | float | str):
            flat[str(key)] = str(value)
        else:
            raise MalformedAuthorizerOutput(f"context value of '{key}' is not a primitive")
    return flat


def parse_authorizer_output(output: Any) -> AuthorizerOutput:
    """Validate what the authorizer Lambda returned (principal, policy, optional context)."""
    if not isinstance(output, Mapping):
        raise MalformedAuthorizerOutput("the authorizer response is not a JSON object")
    principal = output.get("principalId")
    if principal is None or isinstance(principal, Mapping | list):
        raise MalformedAuthorizerOutput("principalId is missing")
    document = output.get("policyDocument")
    if not isinstance(document, Mapping):
        raise MalformedAuthorizerOutput("policyDocument is missing")
    statements = document.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list) or not all(isinstance(s, Mapping) for s in statements):
        raise MalformedAuthorizerOutput("policyDocument.Statement is not a list of statements")
    usage_key = output.get("usageIdentifierKey")
    return AuthorizerOutput(
        principal_id=str(principal),
        statements=tuple(statements),
        context=stringify_context(output.get("context")),
        usage_identifier_key=str(usage_key) if usage_key is not None else None,
    )


class AuthorizerCache:
    """Authorizer results per identity for ``authorizerResultTtlInSeconds`` (0 = no caching)."""

    def __init__(self, max_entries: int = CACHE_MAX_ENTRIES) -> None:
        self._entries: dict[tuple[str, ...], tuple[float, AuthorizerOutput]] = {}
        self._lock = threading.Lock()
        self._max_entries = max_entries

    def get(self, key: tuple[str, ...]) -> AuthorizerOutput | None:
        """The cached output for ``key`` if it has not expired."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, output = entry
            if expires <= time.monotonic():
                del self._entries[key]
                return None
            return output

    def put(self, key: tuple[str, ...], output: AuthorizerOutput, ttl_seconds: int) -> None:
        """Remember ``output`` for ``ttl_seconds``; drop expired entries when the cache is full."""
        if ttl_seconds <= 0:
            return
        now = time.monotonic()
        with self._lock:
            if len(self._entries) >= self._max_entries:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                while len(self._entries) >= self._max_entries:
                    self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (now + ttl_seconds, output)
